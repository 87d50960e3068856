import { fp32GoldenTest } from './golden';

fp32GoldenTest('squeezenet_v1.1');
