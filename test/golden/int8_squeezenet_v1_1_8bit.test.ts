import { legacyInt8GoldenTest } from './golden';

legacyInt8GoldenTest('squeezenet_v1.1_8bit');
