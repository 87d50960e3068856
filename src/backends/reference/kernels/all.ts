// Registers every reference kernel (import for side effects).
import './relu';
import './conv';
import './elementwise';
import './matmul';
import './pointwise';
import './pool2d';
import './quant';
import './fake_quant';
import './shape_ops';
