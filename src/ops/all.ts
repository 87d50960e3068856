// Registers every op schema (import for side effects).
import './relu';
import './activations';
import './batch_norm';
import './conv';
import './elementwise';
import './lrn';
import './matmul';
import './misc';
import './pool2d';
import './quant';
import './fake_quant';
import './shape_ops';
