// Layer graphs for bench/wasm_layers.ts: one-op qdeploy graphs (INT8 as the convert pass emits
// them: u8 input, s8 per-channel weights, fused relu, u8 output; FP32 the same op in fp32).
import { Graph } from '../src/graph/graph';
import { Var } from '../src/graph/var';
import type { AttrValue } from '../src/graph/op';
import type { DType, Tensor } from '../src/util/dtype';

export interface Layer {
  name: string;
  kind: 'conv' | 'fc';
  ic: number; oc: number; h: number; w: number; k: number; s: number; pad: number; groups: number;
}

export const LAYERS: Layer[] = [
  { name: 'ResNet-50 3x3 56²×64→64', kind: 'conv', ic: 64, oc: 64, h: 56, w: 56, k: 3, s: 1, pad: 1, groups: 1 },
  { name: 'ResNet-50 1x1 56²×64→256', kind: 'conv', ic: 64, oc: 256, h: 56, w: 56, k: 1, s: 1, pad: 0, groups: 1 },
  { name: 'MobileNetV2 dw3x3 s2 112²×96', kind: 'conv', ic: 96, oc: 96, h: 112, w: 112, k: 3, s: 2, pad: 1, groups: 96 },
  { name: 'FC 2048→1000', kind: 'fc', ic: 2048, oc: 1000, h: 1, w: 1, k: 1, s: 1, pad: 0, groups: 1 },
];

export function outHW(l: Layer): [number, number] {
  return [Math.floor((l.h + 2 * l.pad - l.k) / l.s) + 1, Math.floor((l.w + 2 * l.pad - l.k) / l.s) + 1];
}

/** multiply-accumulates per image */
export function macs(l: Layer): number {
  const [oh, ow] = outHW(l);
  return oh * ow * l.oc * (l.ic / l.groups) * l.k * l.k;
}

/** deterministic pseudo-random numbers */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 4294967296; };
}

export function weights(l: Layer, seed = 1): { w: Float32Array; b: Float32Array; wDims: number[] } {
  const r = lcg(seed);
  const wDims = l.kind === 'fc' ? [l.ic, l.oc] : [l.oc, l.ic / l.groups, l.k, l.k];
  const n = wDims.reduce((a, b) => a * b, 1);
  const w = new Float32Array(n);
  for (let i = 0; i < n; i++) w[i] = (r() * 2 - 1) * 0.5;
  const b = new Float32Array(l.oc);
  for (let i = 0; i < l.oc; i++) b[i] = r() - 0.5;
  return { w, b, wDims };
}

/** x7: int8 activations in 0..127 (what 127/T-scaled u8 relu outputs hold) instead of 0..255 */
export function layerGraph(l: Layer, int8: boolean, batch: number, x7 = false): { g: Graph; input: Tensor } {
  const g = new Graph();
  g.addVar(Var.create('feed', 'fp32', []));
  g.addVar(Var.create('fetch', 'fp32', []));
  const inDtype: DType = int8 ? 'uint8' : 'fp32';
  const xDims = l.kind === 'fc' ? [batch, l.ic] : [batch, l.ic, l.h, l.w];
  g.addVar(Var.create('x', inDtype, xDims));
  const { w, b, wDims } = weights(l);
  g.addVar(Var.create('w', 'fp32', wDims, true));
  g.addVar(Var.create('b', 'fp32', [l.oc], true));
  g.params.set('w', { dtype: 'fp32', dims: wDims, data: w });
  g.params.set('b', { dtype: 'fp32', dims: [l.oc], data: b });
  g.addVar(Var.create('y', 'fp32', []));
  g.append(g.makeOp({ type: 'feed', inputs: { X: ['feed'] }, outputs: { Out: ['x'] }, attrs: { col: 0 } }));
  const q: Record<string, AttrValue> = int8
    ? { mkldnn_data_type: 'int8', Scale_in: 60, Scale_out: 30, Scale_weights: Array.from({ length: l.oc }, (_, i) => 200 + (i % 50)) }
    : {};
  if (l.kind === 'fc') {
    g.append(g.makeOp({ type: 'fc', inputs: { Input: ['x'], W: ['w'], Bias: ['b'] }, outputs: { Out: ['y'] }, attrs: { in_num_col_dims: 1, activation_type: 'relu', ...q } }));
  } else {
    g.append(g.makeOp({
      type: l.groups > 1 ? 'depthwise_conv2d' : 'conv2d', inputs: { Input: ['x'], Filter: ['w'], Bias: ['b'] }, outputs: { Output: ['y'] },
      attrs: { strides: [l.s, l.s], paddings: [l.pad, l.pad], dilations: [1, 1], groups: l.groups, fuse_activation: 'relu', ...q },
    }));
  }
  g.append(g.makeOp({ type: 'fetch', inputs: { X: ['y'] }, outputs: { Out: ['fetch'] }, attrs: { col: 0 } }));
  const n = xDims.reduce((a, c) => a * c, 1);
  const r = lcg(7);
  const data = int8 ? new Uint8Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = int8 ? Math.floor(r() * (x7 ? 128 : 256)) : r() * 2 - 1;
  return { g, input: { dtype: inDtype, dims: xDims, data } };
}
