import { legacyInt8GoldenTest } from './golden';

legacyInt8GoldenTest('mobilenet_v2_8bit');
