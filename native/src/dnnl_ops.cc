// conv2d (plain, grouped, depthwise), fc and pool2d on oneDNN, INT8 and FP32, in the INT8 contract's arithmetic
// (src/backends/reference/int8.ts). The mapping is the one measured exact on avx512_core_vnni
// (/work/shared/spec/onednn-mapping.md): the per-channel dq[c] as oneDNN 2.6's output scales, the f32 bias as a
// binary_add post-op (2.6's bias argument is added before the output scale, which rounds differently), the
// activation, then eltwise_linear(ds) and oneDNN's saturating round-half-even conversion. oneDNN 3 dropped output
// scales: there dq[c] is a binary_mul post-op, the same single f32 product. One source for both versions.
#include <omp.h>

#include <xmmintrin.h>

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "dnnl_addon.h"

namespace qdeploy {

using dt = dnnl::memory::data_type;
using tag = dnnl::memory::format_tag;
using dnnl::memory;

static uint64_t g_reorders = 0;
uint64_t reorder_count() { return g_reorders; }

dnnl::engine &engine() {
  static dnnl::engine e(dnnl::engine::kind::cpu, 0);
  return e;
}

static dnnl::stream &stream() {
  static dnnl::stream s(engine());
  return s;
}

static dt to_dt(DType t) { return t == DType::u8 ? dt::u8 : t == DType::s8 ? dt::s8 : dt::f32; }

static void add_eltwise(dnnl::post_ops &po, dnnl::algorithm alg, float alpha, float beta) {
#if DNNL_VERSION_MAJOR >= 3
  po.append_eltwise(alg, alpha, beta);
#else
  po.append_eltwise(1.f, alg, alpha, beta);
#endif
}

/** a host vector as a oneDNN memory owning a copy */
static memory owned(const memory::desc &md, const void *data, size_t bytes) {
  memory m(md, engine());
  std::memcpy(m.get_data_handle(), data, bytes);
  return m;
}

class DnnlKernel : public OpKernel {
 public:
  explicit DnnlKernel(const OpSpec &s) : s_(s) {
    build();
    // the weights live in oneDNN's packed copies now
    std::vector<int8_t>().swap(s_.wq);
    std::vector<float>().swap(s_.wf);
  }

  void run(uint8_t *base, int64_t in, int64_t out, int64_t res) override {
    omp_set_num_threads(s_.threads);
    src_user_.set_data_handle(base + in);
    dst_user_.set_data_handle(base + out);
    auto &st = stream();
    if (reorder_in_) { reorder_in_.execute(st, src_user_, src_op_); g_reorders++; }
    if (s_.split) {
      // one primitive, run on each weight half, into NHWC s32 sums
      prim_.execute(st, args_);
      prim_.execute(st, args_b_);
      st.wait();
      split_epilogue(base + out, s_.residual ? base + res : nullptr);
      return;
    }
    if (s_.residual && s_.src != DType::f32) {
      residual_terms(base + res);
    } else if (s_.residual) {
      // the sum post-op reads the residual from dst: put it there, in dst's layout
      res_user_.set_data_handle(base + res);
      if (reorder_out_) { dnnl::reorder(res_user_, dst_op_).execute(st, res_user_, dst_op_); g_reorders++; }
      else if (res != out) std::memcpy(base + out, base + res, dst_op_.get_desc().get_size());
    }
    prim_.execute(st, args_);
    if (reorder_out_) { reorder_out_.execute(st, dst_op_, dst_user_); g_reorders++; }
    st.wait();
  }

 private:
  /**
   * INT8 residual: the contract adds f32(sumScale·r) to v with its own rounding (v = f32(v + f32(s·r))); oneDNN's
   * sum post-op would compute v + s·r with one. So the products are made here, one f32 multiply each, into an
   * NHWC f32 tensor that a binary_add post-op adds: two roundings, as the contract. The residual is NHWC in the
   * arena too (nhwc) or NCHW.
   */
  void residual_terms(const uint8_t *r) {
    float *t = static_cast<float *>(terms_.get_data_handle());
    const int64_t C = s_.oc, HW = s_.oh * s_.ow;
    const float k = s_.sum_scale;
    if (s_.nhwc) {
      const int64_t n = s_.n * C * HW;
      if (s_.res == DType::u8) for (int64_t i = 0; i < n; i++) t[i] = k * static_cast<float>(r[i]);
      else for (int64_t i = 0; i < n; i++) t[i] = k * static_cast<float>(static_cast<int8_t>(r[i]));
      return;
    }
    for (int64_t n = 0; n < s_.n; n++) {
      const uint8_t *rn = r + n * C * HW;
      float *tn = t + n * C * HW;
      for (int64_t c = 0; c < C; c++) {
        if (s_.res == DType::u8) for (int64_t p = 0; p < HW; p++) tn[p * C + c] = k * static_cast<float>(rn[c * HW + p]);
        else for (int64_t p = 0; p < HW; p++) tn[p * C + c] = k * static_cast<float>(static_cast<int8_t>(rn[c * HW + p]));
      }
    }
  }

  /**
   * The split path's epilogue, the contract's statement (int8.ts epilogue) in f32 steps: acc = a-half + b-half
   * (exact s32), v = f32(acc)·dq[c] (+ bias) (+ f32(s·r)), activation, then saturate and round half to even;
   * NaN stores 0 as the contract's typed-array store does.
   * Reads the two halves' s32 sums (NHWC), writes the arena's output (fc: rows × N) and reads the residual in the
   * arena's layout (nhwc: the sums' own order, else NCHW); every element on its own, so the result is the same for
   * any thread count.
   */
  void split_epilogue(uint8_t *out, const uint8_t *res) {
    const int32_t *__restrict ya = static_cast<const int32_t *>(dst_op_.get_data_handle());
    const int32_t *__restrict yb = static_cast<const int32_t *>(dst_b_.get_data_handle());
    const int64_t C = s_.oc, HW = s_.fc ? 1 : s_.oh * s_.ow, N = s_.n;
    const int64_t tiles = (HW + kTile - 1) / kTile;
    // everything the loop reads, in locals: the output pointer is a byte pointer, which may alias anything else
    const float *deq = s_.deq.data(), *bias = s_.bias.empty() ? nullptr : s_.bias.data();
    const float ds = s_.dst_scale, alpha = s_.alpha, sum_scale = s_.sum_scale;
    const Act act = s_.act;
    const DType dst = s_.dst;
    const bool res_u8 = s_.res == DType::u8;
    const bool nhwc = s_.nhwc || s_.fc;  // the arena's tensors in the sums' order
    const float lo = dst == DType::u8 ? 0.f : -128.f, hi = dst == DType::u8 ? 255.f : 127.f;
#pragma omp parallel for num_threads(s_.threads) schedule(static)
    for (int64_t t = 0; t < N * tiles; t++) {
      // the sums are NHWC (fc: rows × N), the output NCHW: a tile of positions keeps both sides in cache
      const int64_t n = t / tiles, p0 = (t % tiles) * kTile, p1 = std::min(HW, p0 + kTile);
      float v[kTile];
      for (int64_t c = 0; c < C; c++) {
        const float dq = deq[c], b = bias ? bias[c] : 0.f;
        // where position p of channel c lives in the arena: at0 + p·step
        const int64_t at0 = nhwc ? n * HW * C + c : (n * C + c) * HW, step = nhwc ? C : 1;
        for (int64_t p = p0; p < p1; p++) {
          const int64_t in = (n * HW + p) * C + c;
          float x = static_cast<float>(ya[in] + yb[in]) * dq;
          if (bias) x = x + b;
          v[p - p0] = x;
        }
        if (res) {
          for (int64_t p = p0; p < p1; p++) {
            const uint8_t r = res[at0 + p * step];
            v[p - p0] = v[p - p0] + sum_scale * (res_u8 ? static_cast<float>(r) : static_cast<float>(static_cast<int8_t>(r)));
          }
        }
        if (act == Act::relu) for (int64_t i = 0; i < p1 - p0; i++) v[i] = v[i] < 0.f ? 0.f : v[i];
        else if (act == Act::clip) for (int64_t i = 0; i < p1 - p0; i++) v[i] = v[i] < 0.f ? 0.f : v[i] > alpha ? alpha : v[i];
        if (dst == DType::f32) {
          float *o = reinterpret_cast<float *>(out);
          for (int64_t p = p0; p < p1; p++) o[at0 + p * step] = v[p - p0];
          continue;
        }
        for (int64_t p = p0; p < p1; p++) {
          // clamping before rounding gives the same integer as rounding first (the bounds are integers), and
          // keeps cvtss2si (round half to even under the default MXCSR) in range; NaN fails both tests: 0
          const float q = v[p - p0] * ds;
          const float qc = q >= lo ? (q <= hi ? q : hi) : (q < lo ? lo : 0.f);
          out[at0 + p * step] = static_cast<uint8_t>(_mm_cvtss_si32(_mm_set_ss(qc)));  // s8: the same low byte
        }
      }
    }
  }

  static constexpr int64_t kTile = 64;

  /** one weight half: a = floor(w/2) (second = false) or b = w − a (second = true); |a|, |b| <= 64 */
  std::vector<int8_t> half_weights(bool second) const {
    std::vector<int8_t> h(s_.wq.size());
    for (size_t k = 0; k < h.size(); k++) {
      const int w = s_.wq[k];
      const int a = w >= 0 ? w / 2 : -((-w + 1) / 2);  // floor(w/2)
      h[k] = static_cast<int8_t>(second ? w - a : a);
    }
    return h;
  }

  void build() {
    const OpSpec &s = s_;
    auto &eng = engine();
    const bool int8 = s.src != DType::f32;
    memory::dims src_d, dst_d, wei_d, post_d;
    tag src_tag, dst_tag, wei_tag;
    const int64_t oc = s.oc;
    if (s.fc && s.nhwc) {
      // a 4-D input as the arena holds it: oneDNN's inner product flattens it in its own order, weights to match
      src_d = {s.n, s.ic, s.ih, s.iw}; dst_d = {s.n, oc}; wei_d = {oc, s.ic, s.ih, s.iw}; post_d = {1, s.oc};
      src_tag = tag::nhwc; dst_tag = tag::nc; wei_tag = tag::oihw;
    } else if (s.fc) {
      src_d = {s.n, s.ic}; dst_d = {s.n, oc}; wei_d = {oc, s.ic}; post_d = {1, s.oc};
      src_tag = dst_tag = tag::nc; wei_tag = tag::oi;
    } else {
      src_d = {s.n, s.ic, s.ih, s.iw}; dst_d = {s.n, oc, s.oh, s.ow}; post_d = {1, s.oc, 1, 1};
      src_tag = dst_tag = s.nhwc ? tag::nhwc : tag::nchw;
      if (s.groups > 1) { wei_d = {s.groups, oc / s.groups, s.ic / s.groups, s.kh, s.kw}; wei_tag = tag::goihw; }
      else { wei_d = {oc, s.ic, s.kh, s.kw}; wei_tag = tag::oihw; }
    }
    const dt wdt = int8 ? dt::s8 : dt::f32;
    // nhwc: pinned to the arena's layout, so the primitive reads and writes the arena directly
    memory::desc src_any(src_d, to_dt(s.src), s.fc || s.nhwc ? src_tag : tag::any);
    // split: exact s32 sums in NHWC (the INT8 kernels' own layout), read by split_epilogue
    memory::desc dst_any(dst_d, s.split ? dt::s32 : to_dt(s.dst), s.fc || s.nhwc ? dst_tag : s.split ? tag::nhwc : tag::any);
    memory::desc wei_any(wei_d, wdt, tag::any);
    memory::desc bias_md({s.oc}, dt::f32, tag::a);
    memory::desc post_md(post_d, dt::f32, s.fc ? tag::ab : tag::abcd);
    const bool fp32_bias = !int8 && !s.bias.empty();

    dnnl::primitive_attr attr;
    dnnl::post_ops po;
    std::vector<memory> post_mem;  // binary post-op operands, in post-op order
    if (s.split) {
      // no scales, no post-ops: the s32 sums come out as they are
    } else if (int8) {
#if DNNL_VERSION_MAJOR >= 3
      po.append_binary(dnnl::algorithm::binary_mul, post_md);
      post_mem.push_back(owned(post_md, s.deq.data(), s.deq.size() * 4));
#else
      attr.set_output_scales(1 << 1, s.deq);
#endif
      if (!s.bias.empty()) {
        po.append_binary(dnnl::algorithm::binary_add, post_md);
        post_mem.push_back(owned(post_md, s.bias.data(), s.bias.size() * 4));
      }
      if (s.residual) {
        memory::desc terms_md(dst_d, dt::f32, tag::nhwc);
        po.append_binary(dnnl::algorithm::binary_add, terms_md);
        terms_ = memory(terms_md, eng);
        post_mem.push_back(terms_);
      }
    } else if (s.residual) {
      po.append_sum(1.f);
    }
    if (!s.split) {
      if (s.act == Act::relu) add_eltwise(po, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
      else if (s.act == Act::clip) add_eltwise(po, dnnl::algorithm::eltwise_clip, 0.f, s.alpha);
      else if (s.act == Act::leaky) add_eltwise(po, dnnl::algorithm::eltwise_relu, s.alpha, 0.f);
      if (int8 && s.dst != DType::f32) add_eltwise(po, dnnl::algorithm::eltwise_linear, s.dst_scale, 0.f);
    }
    attr.set_post_ops(po);

    memory::desc src_md, dst_md, wei_md;
    if (s.fc) {
#if DNNL_VERSION_MAJOR >= 3
      auto pd = fp32_bias
          ? dnnl::inner_product_forward::primitive_desc(eng, dnnl::prop_kind::forward_inference, src_any, wei_any, bias_md, dst_any, attr)
          : dnnl::inner_product_forward::primitive_desc(eng, dnnl::prop_kind::forward_inference, src_any, wei_any, dst_any, attr);
#else
      auto d = fp32_bias
          ? dnnl::inner_product_forward::desc(dnnl::prop_kind::forward_inference, src_any, wei_any, bias_md, dst_any)
          : dnnl::inner_product_forward::desc(dnnl::prop_kind::forward_inference, src_any, wei_any, dst_any);
      dnnl::inner_product_forward::primitive_desc pd(d, attr, eng);
#endif
      prim_ = dnnl::inner_product_forward(pd);
      impl = pd.impl_info_str();
      src_md = pd.src_desc(); dst_md = pd.dst_desc(); wei_md = pd.weights_desc();
    } else {
      memory::dims strides{s.sh, s.sw}, dil{s.dh - 1, s.dw - 1}, pl{s.pt, s.pl}, pr{s.pb, s.pr};
      const auto fwd = dnnl::prop_kind::forward_inference;
      const auto alg = dnnl::algorithm::convolution_direct;
#if DNNL_VERSION_MAJOR >= 3
      auto pd = fp32_bias
          ? dnnl::convolution_forward::primitive_desc(eng, fwd, alg, src_any, wei_any, bias_md, dst_any, strides, dil, pl, pr, attr)
          : dnnl::convolution_forward::primitive_desc(eng, fwd, alg, src_any, wei_any, dst_any, strides, dil, pl, pr, attr);
#else
      auto d = fp32_bias
          ? dnnl::convolution_forward::desc(fwd, alg, src_any, wei_any, bias_md, dst_any, strides, dil, pl, pr)
          : dnnl::convolution_forward::desc(fwd, alg, src_any, wei_any, dst_any, strides, dil, pl, pr);
      dnnl::convolution_forward::primitive_desc pd(d, attr, eng);
#endif
      prim_ = dnnl::convolution_forward(pd);
      impl = pd.impl_info_str();
      src_md = pd.src_desc(); dst_md = pd.dst_desc(); wei_md = pd.weights_desc();
    }

    // weights: reordered once into the primitive's layout (s8 with compensation where oneDNN wants it)
    memory::desc wei_user_md(wei_d, wdt, wei_tag);
    auto packed = [&](const void *data, size_t bytes) {
      memory user = owned(wei_user_md, data, bytes), w(wei_md, eng);
      dnnl::reorder(user, w).execute(stream(), user, w);
      stream().wait();
      return w;
    };
    memory wei, wei_b;
    if (s.split) {
      const auto a = half_weights(false), b = half_weights(true);
      wei = packed(a.data(), a.size());
      wei_b = packed(b.data(), b.size());
    } else {
      wei = int8 ? packed(s.wq.data(), s.wq.size()) : packed(s.wf.data(), s.wf.size() * 4);
    }

    // activations live in the arena as NHWC (nhwc: the primitive's own layout, nothing to reorder) or NCHW (fc:
    // rows × features), which a conv reorders to oneDNN's layout and back here (counted).
    memory::desc src_user_md(src_d, to_dt(s.src), src_tag), dst_user_md(dst_d, to_dt(s.dst), dst_tag);
    src_user_ = memory(src_user_md, eng, nullptr);
    dst_user_ = memory(dst_user_md, eng, nullptr);
    if (s.residual && !int8) res_user_ = memory(dst_user_md, eng, nullptr);
    if (src_md == src_user_md) src_op_ = src_user_;
    else { src_op_ = memory(src_md, eng); reorder_in_ = dnnl::reorder(src_user_, src_op_); }
    if (s.split) {
      dst_op_ = memory(dst_md, eng);
      dst_b_ = memory(dst_md, eng);
    } else if (dst_md == dst_user_md) dst_op_ = dst_user_;
    else { dst_op_ = memory(dst_md, eng); reorder_out_ = dnnl::reorder(dst_op_, dst_user_); }

    args_ = {{DNNL_ARG_SRC, src_op_}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_DST, dst_op_}};
    if (s.split) args_b_ = {{DNNL_ARG_SRC, src_op_}, {DNNL_ARG_WEIGHTS, wei_b}, {DNNL_ARG_DST, dst_b_}};
    if (fp32_bias) args_[DNNL_ARG_BIAS] = owned(bias_md, s.bias.data(), s.bias.size() * 4);
    int idx = 0, bin = 0;
    for (int i = 0; i < po.len(); i++, idx++) {
      if (po.kind(i) == dnnl::primitive::kind::binary) args_[DNNL_ARG_ATTR_MULTIPLE_POST_OP(idx) | DNNL_ARG_SRC_1] = post_mem[bin++];
    }
  }

  OpSpec s_;
  dnnl::primitive prim_;
  dnnl::reorder reorder_in_, reorder_out_;
  memory src_user_, dst_user_, res_user_, src_op_, dst_op_, terms_;
  memory dst_b_;  // split: the second half's sums
  std::unordered_map<int, memory> args_, args_b_;
};

/**
 * pool2d, INT8 (u8/s8 in and out) and FP32. Paddle's windows are clipped to the input; oneDNN's max pooling
 * treats padding as −inf and avg_exclude_padding divides by the window's inputs, avg_include_padding by kh·kw,
 * as Paddle's exclusive / non-exclusive. INT8 average: the s32 sum over f32 count, rounded half to even and
 * saturated, as the contract (measured exact in the spec file; checked by the kernel suite).
 */
class PoolKernel : public OpKernel {
 public:
  explicit PoolKernel(const OpSpec &s) : threads_(s.threads) {
    // nhwc: the arena holds NHWC, the INT8 kernels' layout, and the primitive runs on it directly
    auto &eng = engine();
    const memory::dims src_d{s.n, s.ic, s.ih, s.iw}, dst_d{s.n, s.ic, s.oh, s.ow};
    const dt t = to_dt(s.src);
    const auto alg = s.pool == "max" ? dnnl::algorithm::pooling_max
                     : s.pool == "avg_inc" ? dnnl::algorithm::pooling_avg_include_padding
                                           : dnnl::algorithm::pooling_avg_exclude_padding;
    memory::desc dst_any(dst_d, t, s.nhwc ? tag::nhwc : tag::any);
    const memory::dims strides{s.sh, s.sw}, kernel{s.kh, s.kw}, pl{s.pt, s.pl}, pr{s.pb, s.pr};
    // pooling wants a concrete source layout: the INT8 kernels' NHWC, FP32's blocked 16 (as the convs pick)
    memory::desc src_md(src_d, t, t == dt::f32 && !s.nhwc ? tag::nChw16c : tag::nhwc);
#if DNNL_VERSION_MAJOR >= 3
    dnnl::pooling_forward::primitive_desc pd(eng, dnnl::prop_kind::forward_inference, alg, src_md, dst_any, strides, kernel,
                                             memory::dims{0, 0}, pl, pr);
#else
    dnnl::pooling_forward::desc d(dnnl::prop_kind::forward_inference, alg, src_md, dst_any, strides, kernel, pl, pr);
    dnnl::pooling_forward::primitive_desc pd(d, eng);
#endif
    prim_ = dnnl::pooling_forward(pd);
    impl = pd.impl_info_str();
    const tag user = s.nhwc ? tag::nhwc : tag::nchw;
    memory::desc src_user_md(src_d, t, user), dst_user_md(dst_d, t, user);
    src_user_ = memory(src_user_md, eng, nullptr);
    dst_user_ = memory(dst_user_md, eng, nullptr);
    if (pd.src_desc() == src_user_md) src_op_ = src_user_;
    else { src_op_ = memory(pd.src_desc(), eng); reorder_in_ = dnnl::reorder(src_user_, src_op_); }
    if (pd.dst_desc() == dst_user_md) dst_op_ = dst_user_;
    else { dst_op_ = memory(pd.dst_desc(), eng); reorder_out_ = dnnl::reorder(dst_op_, dst_user_); }
    args_ = {{DNNL_ARG_SRC, src_op_}, {DNNL_ARG_DST, dst_op_}};
  }

  void run(uint8_t *base, int64_t in, int64_t out, int64_t) override {
    omp_set_num_threads(threads_);
    auto &st = stream();
    src_user_.set_data_handle(base + in);
    dst_user_.set_data_handle(base + out);
    if (reorder_in_) { reorder_in_.execute(st, src_user_, src_op_); g_reorders++; }
    prim_.execute(st, args_);
    if (reorder_out_) { reorder_out_.execute(st, dst_op_, dst_user_); g_reorders++; }
    st.wait();
  }

 private:
  int threads_;
  dnnl::primitive prim_;
  dnnl::reorder reorder_in_, reorder_out_;
  memory src_user_, dst_user_, src_op_, dst_op_;
  std::unordered_map<int, memory> args_;
};

std::unique_ptr<OpKernel> make_kernel(const OpSpec &s) {
  // oneDNN (OpenMP build) fixes a primitive's thread count when it is created
  omp_set_num_threads(s.threads);
  if (!s.pool.empty()) return std::unique_ptr<OpKernel>(new PoolKernel(s));
  return std::unique_ptr<OpKernel>(new DnnlKernel(s));
}

}  // namespace qdeploy
