// Direct oneDNN layer benchmark: the issue #5 layer shapes (ResNet-50 3x3 and 1x1, MobileNetV2 depthwise 3x3 s2,
// FC 2048→1000) at batch 1 and 50, INT8 (u8 src, s8 weights, f32 bias, per-channel scales, relu, u8 dst) beside FP32
// (same shapes, relu), through Debian's libdnnl (oneDNN 2.6 API: output scales). It is the peer the native backend
// will be measured against, and it shows what oneDNN itself gains from INT8 on a given CPU and ISA cap.
// Not a test, and values are not checked: buffers hold random bytes (weights' compensation included), timing only.
//
//   node bench/onednn_layers.mjs [--max_isa avx2|avx512_core|avx512_core_vnni|avx512_core_amx|all ...] [--threads N]
// builds this file (g++ -O2 … -ldnnl) into bench/build/ and runs it once per ISA cap. Directly:
//   bench/build/onednn_layers [--max_isa NAME] [--batches 1,50] [--budget_ms 400]
// Threads come from OMP_NUM_THREADS (Debian builds libdnnl on OpenMP).
//
// Layouts are oneDNN's choice (format_tag::any), as Paddle's oneDNN kernels let it choose; inputs are created in
// the chosen layout, so only the primitive's own execution is timed (median of repeated runs).
// GOPS = 2·MACs / time. The implementation name (impl_info_str) says which kernel ran: jit/brgemm and the ISA.
#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

using namespace dnnl;
using tag = memory::format_tag;
using dt = memory::data_type;

namespace {

struct Layer {
  const char* name;
  bool fc;
  int ic, oc, ih, iw, k, stride, pad, groups;
};

const Layer kLayers[] = {
    {"ResNet-50 3x3 56x56x64->64", false, 64, 64, 56, 56, 3, 1, 1, 1},
    {"ResNet-50 1x1 56x56x64->256", false, 64, 256, 56, 56, 1, 1, 0, 1},
    {"MobileNetV2 dw3x3 s2 112x112x96", false, 96, 96, 112, 112, 3, 2, 1, 96},
    {"FC 2048->1000", true, 2048, 1000, 1, 1, 1, 1, 0, 1},
};

int OutSize(const Layer& l, int in) { return (in + 2 * l.pad - l.k) / l.stride + 1; }

double Macs(const Layer& l, int batch) {
  if (l.fc) return double(batch) * l.ic * l.oc;
  return double(batch) * OutSize(l, l.ih) * OutSize(l, l.iw) * l.oc * (l.ic / l.groups) * l.k * l.k;
}

uint32_t rng = 12345;
uint32_t Next() { rng = rng * 1664525u + 1013904223u; return rng; }

// Random contents of the right kind: f32 in [-1, 1) (no denormals, no NaN), bytes anywhere else.
void Fill(memory& m, bool f32) {
  size_t bytes = m.get_desc().get_size();
  void* p = m.get_data_handle();
  if (f32) {
    float* f = static_cast<float*>(p);
    for (size_t i = 0; i < bytes / 4; i++) f[i] = float(int(Next() >> 9) - (1 << 22)) / float(1 << 22);
  } else {
    uint8_t* b = static_cast<uint8_t*>(p);
    for (size_t i = 0; i < bytes; i++) b[i] = uint8_t(Next() >> 24);
  }
}

struct Result { double ms; std::string impl; };

template <typename F>
double MedianMs(F run, double budget_ms) {
  run();  // first run: JIT code and caches warm
  std::vector<double> t;
  auto start = std::chrono::steady_clock::now();
  for (;;) {
    auto a = std::chrono::steady_clock::now();
    run();
    auto b = std::chrono::steady_clock::now();
    t.push_back(std::chrono::duration<double, std::milli>(b - a).count());
    double spent = std::chrono::duration<double, std::milli>(b - start).count();
    if ((spent > budget_ms && t.size() >= 5) || t.size() >= 2000) break;
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

Result RunLayer(const engine& eng, stream& s, const Layer& l, int batch, bool int8, double budget_ms) {
  const dt src_t = int8 ? dt::u8 : dt::f32, wei_t = int8 ? dt::s8 : dt::f32, dst_t = int8 ? dt::u8 : dt::f32;
  primitive_attr attr;
  if (int8) attr.set_output_scales(1 << 1, std::vector<float>(l.oc, 0.01f));  // per output channel (dim 1)
  post_ops po;
  po.append_eltwise(1.f, algorithm::eltwise_relu, 0.f, 0.f);
  attr.set_post_ops(po);
  memory::desc bias_md({l.oc}, dt::f32, tag::any);
  primitive prim;
  memory src, wei, bias, dst;
  std::string impl;
  if (l.fc) {
    memory::desc src_md({batch, l.ic}, src_t, tag::any), wei_md({l.oc, l.ic}, wei_t, tag::any), dst_md({batch, l.oc}, dst_t, tag::any);
    inner_product_forward::primitive_desc pd(
        inner_product_forward::desc(prop_kind::forward_inference, src_md, wei_md, bias_md, dst_md), attr, eng);
    impl = pd.impl_info_str();
    src = memory(pd.src_desc(), eng); wei = memory(pd.weights_desc(), eng); bias = memory(pd.bias_desc(), eng); dst = memory(pd.dst_desc(), eng);
    prim = inner_product_forward(pd);
  } else {
    const int oh = OutSize(l, l.ih), ow = OutSize(l, l.iw);
    memory::dims wdims = l.groups > 1 ? memory::dims{l.groups, l.oc / l.groups, l.ic / l.groups, l.k, l.k}
                                      : memory::dims{l.oc, l.ic, l.k, l.k};
    memory::desc src_md({batch, l.ic, l.ih, l.iw}, src_t, tag::any), wei_md(wdims, wei_t, tag::any),
        dst_md({batch, l.oc, oh, ow}, dst_t, tag::any);
    convolution_forward::primitive_desc pd(
        convolution_forward::desc(prop_kind::forward_inference, algorithm::convolution_direct, src_md, wei_md, bias_md,
                                  dst_md, {l.stride, l.stride}, {l.pad, l.pad}, {l.pad, l.pad}),
        attr, eng);
    impl = pd.impl_info_str();
    src = memory(pd.src_desc(), eng); wei = memory(pd.weights_desc(), eng); bias = memory(pd.bias_desc(), eng); dst = memory(pd.dst_desc(), eng);
    prim = convolution_forward(pd);
  }
  Fill(src, !int8); Fill(wei, !int8); Fill(bias, true);
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_BIAS, bias}, {DNNL_ARG_DST, dst}};
  double ms = MedianMs([&] { prim.execute(s, args); s.wait(); }, budget_ms);
  return {ms, impl};
}

struct IsaName { const char* name; cpu_isa isa; };
const IsaName kIsas[] = {
    {"all", cpu_isa::all}, {"avx2", cpu_isa::avx2}, {"avx2_vnni", cpu_isa::avx2_vnni},
    {"avx512_core", cpu_isa::avx512_core}, {"avx512_core_vnni", cpu_isa::avx512_core_vnni},
    {"avx512_core_bf16", cpu_isa::avx512_core_bf16}, {"avx512_core_amx", cpu_isa::avx512_core_amx},
};

const char* IsaString(cpu_isa isa) {
  for (const auto& i : kIsas) if (i.isa == isa) return i.name;
  return "other";
}

}  // namespace

int main(int argc, char** argv) {
  std::string max_isa = "all", batches_arg = "1,50";
  double budget_ms = 400;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) { std::fprintf(stderr, "onednn_layers: error: %s needs a value\n", a.c_str()); std::exit(2); }
      return argv[++i];
    };
    if (a == "--max_isa") max_isa = value();
    else if (a == "--batches") batches_arg = value();
    else if (a == "--budget_ms") budget_ms = std::atof(value().c_str());
    else { std::fprintf(stderr, "onednn_layers: error: unknown flag %s\n", a.c_str()); return 2; }
  }
  bool known = false;
  for (const auto& i : kIsas) {
    if (max_isa == i.name) {
      known = true;
      // must precede the first primitive: the cap is read once
      if (set_max_cpu_isa(i.isa) != status::success) { std::fprintf(stderr, "onednn_layers: error: cannot cap ISA at %s\n", i.name); return 2; }
    }
  }
  if (!known) { std::fprintf(stderr, "onednn_layers: error: unknown --max_isa %s\n", max_isa.c_str()); return 2; }
  std::vector<int> batches;
  for (size_t p = 0; p < batches_arg.size();) {
    size_t q = batches_arg.find(',', p);
    if (q == std::string::npos) q = batches_arg.size();
    int b = std::atoi(batches_arg.substr(p, q - p).c_str());
    if (b <= 0) { std::fprintf(stderr, "onednn_layers: error: bad --batches %s\n", batches_arg.c_str()); return 2; }
    batches.push_back(b);
    p = q + 1;
  }

  try {
    engine eng(engine::kind::cpu, 0);
    stream s(eng);
    const version_t* v = version();
    const char* omp = std::getenv("OMP_NUM_THREADS");
    std::printf("oneDNN %d.%d.%d, --max_isa %s, effective ISA %s, OMP_NUM_THREADS=%s\n", v->major, v->minor, v->patch,
                max_isa.c_str(), IsaString(get_effective_cpu_isa()), omp ? omp : "(unset)");
    std::printf("%-34s %5s %10s %10s %8s  %s\n", "layer", "batch", "int8 GOPS", "fp32 GOPS", "int8/fp32", "kernels (int8 | fp32)");
    for (const auto& l : kLayers) {
      for (int b : batches) {
        Result i8 = RunLayer(eng, s, l, b, true, budget_ms);
        Result f32 = RunLayer(eng, s, l, b, false, budget_ms);
        double ops = 2 * Macs(l, b);
        std::printf("%-34s %5d %10.1f %10.1f %7.2fx  %s | %s\n", l.name, b, ops / i8.ms / 1e6, ops / f32.ms / 1e6,
                    f32.ms / i8.ms, i8.impl.c_str(), f32.impl.c_str());
        std::fflush(stdout);
      }
    }
  } catch (const error& e) {
    std::fprintf(stderr, "onednn_layers: error: oneDNN: %s (status %d)\n", e.what(), int(e.status));
    return 1;
  }
  return 0;
}
