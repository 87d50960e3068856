// Builds Paddle-style inference programs layer by layer, as fluid.layers would write them: conv2d (no bias) +
// batch_norm (is_test) + activation op, depthwise conv as conv2d with groups, elementwise_add residuals,
// pool2d, fc as mul + elementwise_add, softmax; feed/fetch ops and vars. Parameter names follow the Paddle
// model zoo (`conv1_weights`, `bn_conv1_scale`, `fc_0.w_0`, ...); temporaries are `<type>_<k>.tmp_<j>`.
// Weights come from a seeded Rng: He-normal convs, BN statistics that keep activations near unit scale.
import { Graph } from '../graph/graph';
import { Var } from '../graph/var';
import type { AttrValue } from '../graph/op';
import { VarTypeId } from '../util/dtype';
import { QdeployError } from '../util/errors';
import { Rng } from './prng';

export type Act = 'relu' | 'relu6' | '';

export interface T {
  name: string;
  /** [C, H, W] (the batch dim is -1 in the program) */
  shape: number[];
}

export class NetBuilder {
  readonly g = new Graph();
  readonly rng: Rng;
  private counters = new Map<string, number>();

  constructor(seed: number) {
    this.rng = new Rng(seed);
    this.g.addVar(new Var({ name: 'feed', type: { type: VarTypeId.FEED_MINIBATCH }, persistable: true }));
    this.g.addVar(new Var({ name: 'fetch', type: { type: VarTypeId.FETCH_LIST }, persistable: true }));
  }

  private tmp(type: string, shape: number[], j = 0, k?: number): string {
    const idx = k ?? this.counters.get(type) ?? 0;
    if (k === undefined) this.counters.set(type, idx + 1);
    const name = `${type}_${idx}.tmp_${j}`;
    this.g.addVar(Var.create(name, 'fp32', [-1, ...shape]));
    return name;
  }

  private nextIndex(type: string): number {
    const idx = this.counters.get(type) ?? 0;
    this.counters.set(type, idx + 1);
    return idx;
  }

  param(name: string, dims: number[], data: Float32Array): string {
    if (data.length !== dims.reduce((a, b) => a * b, 1)) throw new QdeployError('internal', `param ${name}: size mismatch`);
    this.g.addVar(Var.create(name, 'fp32', dims, true));
    this.g.params.set(name, { dtype: 'fp32', dims: [...dims], data });
    return name;
  }

  private op(type: string, inputs: Record<string, string[]>, outputs: Record<string, string[]>, attrs: Record<string, AttrValue>): void {
    this.g.append(this.g.makeOp({ type, inputs, outputs, attrs }));
  }

  input(name: string, shape: number[]): T {
    this.g.addVar(Var.create(name, 'fp32', [-1, ...shape]));
    this.op('feed', { X: ['feed'] }, { Out: [name] }, { col: 0 });
    return { name, shape };
  }

  output(x: T): void {
    this.op('fetch', { X: [x.name] }, { Out: ['fetch'] }, { col: 0 });
  }

  conv(x: T, o: { name: string; oc: number; k: number; stride?: number; pad?: number; groups?: number }): T {
    const [c, h, w] = x.shape;
    const s = o.stride ?? 1, p = o.pad ?? 0, groups = o.groups ?? 1;
    const oh = Math.floor((h + 2 * p - o.k) / s) + 1, ow = Math.floor((w + 2 * p - o.k) / s) + 1;
    const icg = c / groups;
    const fanIn = icg * o.k * o.k;
    const wName = this.param(`${o.name}_weights`, [o.oc, icg, o.k, o.k], this.rng.normals(o.oc * fanIn, Math.sqrt(2 / fanIn)));
    const shape = [o.oc, oh, ow];
    const out = this.tmp('conv2d', shape);
    this.op('conv2d', { Input: [x.name], Filter: [wName] }, { Output: [out] }, {
      strides: [s, s], paddings: [p, p], dilations: [1, 1], groups, data_format: 'NCHW', padding_algorithm: 'EXPLICIT',
      use_cudnn: groups === 1, use_mkldnn: false, fuse_relu_before_depthwise_conv: false, exhaustive_search: false,
    });
    return { name: out, shape };
  }

  /**
   * batch_norm in inference form with sane statistics: mean ≈ 0, variance ≈ 1 (He-initialised convs keep the
   * second moment near 1), scale `gamma` (default ≈ 1; small for the last BN of a residual branch).
   */
  bn(x: T, name: string, act: Act, gamma = 1): T {
    const C = x.shape[0];
    const r = this.rng;
    const scale = this.param(`${name}_scale`, [C], Float32Array.from({ length: C }, () => gamma * r.uniform(0.8, 1.2)));
    const offset = this.param(`${name}_offset`, [C], Float32Array.from({ length: C }, () => r.uniform(-0.1, 0.1)));
    const mean = this.param(`${name}_mean`, [C], Float32Array.from({ length: C }, () => r.uniform(-0.1, 0.1)));
    const variance = this.param(`${name}_variance`, [C], Float32Array.from({ length: C }, () => r.uniform(0.8, 1.2)));
    const k = this.nextIndex('batch_norm');
    const savedMean = this.tmp('batch_norm', [C], 0, k);
    const savedVar = this.tmp('batch_norm', [C], 1, k);
    const y = this.tmp('batch_norm', x.shape, 2, k);
    this.op('batch_norm', { X: [x.name], Scale: [scale], Bias: [offset], Mean: [mean], Variance: [variance] },
      { Y: [y], MeanOut: [mean], VarianceOut: [variance], SavedMean: [savedMean], SavedVariance: [savedVar] },
      { epsilon: 1e-5, momentum: 0.9, is_test: true, data_layout: 'NCHW', use_global_stats: false, fuse_with_relu: false });
    return this.act({ name: y, shape: x.shape }, act);
  }

  act(x: T, act: Act): T {
    if (!act) return x;
    const out = this.tmp(act, x.shape);
    this.op(act, { X: [x.name] }, { Out: [out] }, act === 'relu6' ? { threshold: 6 } : {});
    return { name: out, shape: x.shape };
  }

  convBn(x: T, o: { name: string; bn: string; oc: number; k: number; stride?: number; pad?: number; groups?: number; act: Act; gamma?: number }): T {
    return this.bn(this.conv(x, o), o.bn, o.act, o.gamma);
  }

  add(x: T, y: T, act: Act = '', axis = -1): T {
    const out = this.tmp('elementwise_add', x.shape);
    this.op('elementwise_add', { X: [x.name], Y: [y.name] }, { Out: [out] }, { axis });
    return this.act({ name: out, shape: x.shape }, act);
  }

  pool(x: T, o: { type: 'max' | 'avg'; k?: number; stride?: number; pad?: number; global?: boolean }): T {
    const [c, h, w] = x.shape;
    const k = o.global ? h : o.k ?? 2, s = o.global ? 1 : o.stride ?? 1, p = o.global ? 0 : o.pad ?? 0;
    const shape = o.global ? [c, 1, 1] : [c, Math.floor((h + 2 * p - k) / s) + 1, Math.floor((w + 2 * p - k) / s) + 1];
    const out = this.tmp('pool2d', shape);
    this.op('pool2d', { X: [x.name] }, { Out: [out] }, {
      pooling_type: o.type, ksize: o.global ? [1, 1] : [k, k], global_pooling: o.global === true, strides: [s, s],
      paddings: [p, p], ceil_mode: false, exclusive: true, adaptive: false, data_format: 'NCHW', padding_algorithm: 'EXPLICIT',
      use_cudnn: false, use_mkldnn: false,
    });
    return { name: out, shape };
  }

  /** fluid.layers.fc: mul (x_num_col_dims=1 flattens [C,H,W]) + elementwise_add bias (axis 1) */
  fc(x: T, o: { w: string; b: string; out: number }): T {
    const fanIn = x.shape.reduce((a, b) => a * b, 1);
    const stdv = 1 / Math.sqrt(fanIn);
    const w = this.param(o.w, [fanIn, o.out], this.rng.uniforms(fanIn * o.out, -stdv * 1.7, stdv * 1.7));
    const b = this.param(o.b, [o.out], this.rng.uniforms(o.out, -0.05, 0.05));
    const k = this.nextIndex('fc');
    const mulOut = this.tmp('fc', [o.out], 0, k);
    this.op('mul', { X: [x.name], Y: [w] }, { Out: [mulOut] }, { x_num_col_dims: 1, y_num_col_dims: 1 });
    const addOut = this.tmp('fc', [o.out], 1, k);
    this.op('elementwise_add', { X: [mulOut], Y: [b] }, { Out: [addOut] }, { axis: 1 });
    return { name: addOut, shape: [o.out] };
  }

  softmax(x: T): T {
    const out = this.tmp('softmax', x.shape);
    this.op('softmax', { X: [x.name] }, { Out: [out] }, { axis: -1, use_cudnn: false, data_format: 'AnyLayout' });
    return { name: out, shape: x.shape };
  }
}
