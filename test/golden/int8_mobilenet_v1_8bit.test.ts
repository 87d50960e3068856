import { legacyInt8GoldenTest } from './golden';

legacyInt8GoldenTest('mobilenet_v1_8bit');
