import { fp32GoldenTest } from './golden';

fp32GoldenTest('mobilenet_v2');
