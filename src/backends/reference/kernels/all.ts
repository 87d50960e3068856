// Registers every reference kernel (import for side effects).
import './relu';
