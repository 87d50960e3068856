// Shared declarations of the oneDNN addon (qdeploy_dnnl.node): the CPU report and the op kernels.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

namespace qdeploy {

struct CpuFeatures {
  bool sse41, avx, avx2, fma, avx512f, avx512dq, avx512bw, avx512vl, avx512_vnni, avx512_bf16, avx_vnni;
  bool amx_tile, amx_int8, amx_bf16;
  bool os_ymm, os_zmm, os_amx;  // XGETBV: the OS saves that register state
};

CpuFeatures probe_cpu();
/** the best oneDNN ISA name the CPU and OS allow (cpuid + XGETBV) */
const char *best_isa(const CpuFeatures &f);

enum class DType { u8, s8, f32 };
enum class Act { none, relu, clip, leaky };

/** one conv or fc, as the JS side describes it; scales and quantized weights come from the contract (int8.ts) */
struct OpSpec {
  bool fc = false;
  /** pool2d: "max", "avg_inc" (divide by kh·kw) or "avg_exc" (by the window's inputs); empty: conv / fc */
  std::string pool;
  // conv geometry (fc: n = rows, ic = K, oc = N, spatial 1)
  int64_t n = 1, ic = 1, ih = 1, iw = 1, oc = 1, kh = 1, kw = 1, sh = 1, sw = 1, dh = 1, dw = 1;
  int64_t pt = 0, pb = 0, pl = 0, pr = 0, groups = 1, oh = 1, ow = 1;
  DType src = DType::f32, dst = DType::f32;
  std::vector<int8_t> wq;     // int8: OIHW (fc: N×K)
  std::vector<float> wf;      // fp32: OIHW (fc: N×K)
  std::vector<float> bias;    // empty: none
  std::vector<float> deq;     // int8: dq[c]
  float dst_scale = 1.f;      // int8 to u8/s8: the output multiplier
  Act act = Act::none;
  float alpha = 0.f;          // clip upper bound / leaky slope
  bool residual = false;      // conv: ResidualData added before the activation
  DType res = DType::f32;     // int8 conv: the residual's stored type (u8/s8)
  float sum_scale = 1.f;      // int8 conv: f32(1/Scale_in_eltwise)
  /**
   * INT8 without VNNI: run the primitive twice, on the weight halves a = floor(w/2) and b = w − a (|a|, |b| ≤ 64,
   * so oneDNN's int16 pair sums cannot saturate), into exact s32 sums, and apply the contract's epilogue here
   */
  bool split = false;
  /**
   * activations (input, residual, output; fc: a 4-D input) are NHWC in the arena, as oneDNN's INT8 kernels want
   * them: no reorders in the op. false: NCHW (fc: rows × features), reordered to oneDNN's layout here (counted)
   */
  bool nhwc = false;
  int threads = 1;
};

/** a prepared op: primitives created, weights reordered, layout buffers allocated */
class OpKernel {
 public:
  virtual ~OpKernel() = default;
  /** run on the arena at these byte offsets (res < 0: none) */
  virtual void run(uint8_t *base, int64_t in, int64_t out, int64_t res) = 0;
  std::string impl;
};

std::unique_ptr<OpKernel> make_kernel(const OpSpec &s);
dnnl::engine &engine();
/** activation reorders run inside ops so far (FP32 convs and pools; INT8 ops run on the arena's NHWC: none) */
uint64_t reorder_count();

}  // namespace qdeploy
