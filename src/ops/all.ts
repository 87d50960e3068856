// Registers every op schema (import for side effects).
import './relu';
