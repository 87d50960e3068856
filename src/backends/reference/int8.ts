// The INT8 contract moved to src/int8/contract.ts. This re-export only keeps src/backends/wasm/backend.ts compiling
// unchanged while another change splits that file; delete it once wasm imports src/int8/contract.ts.
export * from '../../int8/contract';
