// qdeploy_dnnl.node: the native backend's addon (node-addon-api on Debian's oneDNN). The JS side
// (src/backends/native/addon.ts) decides what to run and with which numbers; this file only reports the machine,
// hands out 64-byte aligned arenas the kernels read and write in place, and creates/runs prepared ops.
#define NAPI_CPP_EXCEPTIONS
#include <napi.h>
#include <omp.h>

#include <cstdlib>
#include <cstring>

#include "dnnl_addon.h"

using qdeploy::Act;
using qdeploy::DType;
using qdeploy::OpKernel;
using qdeploy::OpSpec;

namespace {

struct IsaName { dnnl::cpu_isa isa; const char *name; };
const IsaName kIsas[] = {
    {dnnl::cpu_isa::all, "all"},
    {dnnl::cpu_isa::sse41, "sse41"},
    {dnnl::cpu_isa::avx, "avx"},
    {dnnl::cpu_isa::avx2, "avx2"},
    {dnnl::cpu_isa::avx2_vnni, "avx2_vnni"},
    {dnnl::cpu_isa::avx512_core, "avx512_core"},
    {dnnl::cpu_isa::avx512_core_vnni, "avx512_core_vnni"},
    {dnnl::cpu_isa::avx512_core_bf16, "avx512_core_bf16"},
    {dnnl::cpu_isa::avx512_core_amx, "avx512_core_amx"},
};

// Set once the ISA has been reported or a primitive made: a later cap would make reports and kernels disagree
// (oneDNN 2.6 itself still accepts a cap after get_effective_cpu_isa, and ignores it after the first primitive).
bool g_isa_fixed = false;

const char *isa_name(dnnl::cpu_isa isa) {
  for (const auto &i : kIsas) if (i.isa == isa) return i.name;
  return "unknown";
}

Napi::Value Info(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  auto o = Napi::Object::New(env);
  const dnnl_version_t *v = dnnl_version();
  o.Set("version", std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch));
  o.Set("major", v->major);
  const auto f = qdeploy::probe_cpu();
  auto cpu = Napi::Object::New(env);
#define QD_FLAG(x) cpu.Set(#x, f.x)
  QD_FLAG(sse41); QD_FLAG(avx); QD_FLAG(avx2); QD_FLAG(fma); QD_FLAG(avx512f); QD_FLAG(avx512dq); QD_FLAG(avx512bw);
  QD_FLAG(avx512vl); QD_FLAG(avx512_vnni); QD_FLAG(avx512_bf16); QD_FLAG(avx_vnni); QD_FLAG(amx_tile); QD_FLAG(amx_int8);
  QD_FLAG(amx_bf16); QD_FLAG(os_ymm); QD_FLAG(os_zmm); QD_FLAG(os_amx);
#undef QD_FLAG
  o.Set("cpu", cpu);
  o.Set("cpuBest", qdeploy::best_isa(f));
  // asking fixes the ISA for the process: a cap must be set before (setMaxIsa or DNNL_MAX_CPU_ISA)
  o.Set("effectiveIsa", isa_name(dnnl::get_effective_cpu_isa()));
  g_isa_fixed = true;
  o.Set("maxThreads", omp_get_max_threads());
  o.Set("reorders", static_cast<double>(qdeploy::reorder_count()));
  return o;
}

/** cap the ISA for the whole process; must come before the first primitive or ISA query */
Napi::Value SetMaxIsa(const Napi::CallbackInfo &info) {
  const std::string want = info[0].As<Napi::String>();
  for (const auto &i : kIsas) {
    if (want != i.name) continue;
    if (g_isa_fixed) {
      return Napi::String::New(info.Env(), std::string("the ISA is already fixed for this process (") +
                                               isa_name(dnnl::get_effective_cpu_isa()) + "): set the cap before the first use");
    }
    try {
      dnnl::set_max_cpu_isa(i.isa);
    } catch (const dnnl::error &e) {
      return Napi::String::New(info.Env(), std::string("the ISA is already fixed for this process (") + e.what() + ")");
    }
    return info.Env().Undefined();
  }
  return Napi::String::New(info.Env(), "unknown ISA name '" + want + "'");
}

Napi::Value AllocArena(const Napi::CallbackInfo &info) {
  const size_t bytes = static_cast<size_t>(info[0].As<Napi::Number>().Int64Value());
  void *p = nullptr;
  if (posix_memalign(&p, 64, bytes < 64 ? 64 : bytes) != 0) throw Napi::Error::New(info.Env(), "out of memory for the arena");
  std::memset(p, 0, bytes);
  return Napi::ArrayBuffer::New(info.Env(), p, bytes, [](Napi::Env, void *d) { std::free(d); });
}

int64_t num(const Napi::Object &o, const char *k, int64_t dflt) {
  auto v = o.Get(k);
  return v.IsNumber() ? v.As<Napi::Number>().Int64Value() : dflt;
}
float fnum(const Napi::Object &o, const char *k, float dflt) {
  auto v = o.Get(k);
  return v.IsNumber() ? v.As<Napi::Number>().FloatValue() : dflt;
}
DType dtype(const Napi::Object &o, const char *k) {
  const std::string s = o.Get(k).As<Napi::String>();
  return s == "u8" ? DType::u8 : s == "s8" ? DType::s8 : DType::f32;
}
template <typename T>
std::vector<T> vec(const Napi::Object &o, const char *k) {
  auto v = o.Get(k);
  if (!v.IsTypedArray()) return {};
  auto a = v.As<Napi::TypedArrayOf<T>>();
  return std::vector<T>(a.Data(), a.Data() + a.ElementLength());
}

/** prepare one op (see OpSpec); returns a handle for run() */
Napi::Value Create(const Napi::CallbackInfo &info) {
  auto o = info[0].As<Napi::Object>();
  OpSpec s;
  const std::string kind = o.Get("kind").As<Napi::String>();
  s.fc = kind == "fc";
  if (kind == "pool") s.pool = o.Get("pool").As<Napi::String>();
  s.n = num(o, "n", 1); s.ic = num(o, "ic", 1); s.ih = num(o, "ih", 1); s.iw = num(o, "iw", 1);
  s.oc = num(o, "oc", 1); s.kh = num(o, "kh", 1); s.kw = num(o, "kw", 1); s.sh = num(o, "sh", 1); s.sw = num(o, "sw", 1);
  s.dh = num(o, "dh", 1); s.dw = num(o, "dw", 1); s.pt = num(o, "pt", 0); s.pb = num(o, "pb", 0); s.pl = num(o, "pl", 0);
  s.pr = num(o, "pr", 0); s.groups = num(o, "groups", 1); s.oh = num(o, "oh", 1); s.ow = num(o, "ow", 1);
  s.src = dtype(o, "src"); s.dst = dtype(o, "dst");
  if (s.src == DType::f32) s.wf = vec<float>(o, "weights"); else s.wq = vec<int8_t>(o, "weights");
  s.bias = vec<float>(o, "bias");
  s.deq = vec<float>(o, "deq");
  s.dst_scale = fnum(o, "dstScale", 1.f);
  const std::string act = o.Get("act").IsString() ? o.Get("act").As<Napi::String>().Utf8Value() : "none";
  s.act = act == "relu" ? Act::relu : act == "clip" ? Act::clip : act == "leaky" ? Act::leaky : Act::none;
  s.alpha = fnum(o, "alpha", 0.f);
  s.residual = o.Get("residual").ToBoolean();
  if (o.Get("residualType").IsString()) s.res = dtype(o, "residualType");
  s.sum_scale = fnum(o, "sumScale", 1.f);
  s.split = o.Get("split").ToBoolean();
  s.nhwc = o.Get("nhwc").ToBoolean();
  s.threads = static_cast<int>(num(o, "threads", 1));
  std::unique_ptr<OpKernel> k;
  g_isa_fixed = true;
  try {
    k = qdeploy::make_kernel(s);
  } catch (const dnnl::error &e) {
    throw Napi::Error::New(info.Env(), std::string("oneDNN: ") + e.what());
  }
  return Napi::External<OpKernel>::New(info.Env(), k.release(), [](Napi::Env, OpKernel *p) { delete p; });
}

uint8_t *arena_base(const Napi::Value &v) {
  if (v.IsArrayBuffer()) return static_cast<uint8_t *>(v.As<Napi::ArrayBuffer>().Data());
  auto a = v.As<Napi::TypedArray>();
  return static_cast<uint8_t *>(a.ArrayBuffer().Data()) + a.ByteOffset();
}

/** run(handle, arena, inOffset, outOffset, residualOffset | -1) */
Napi::Value Run(const Napi::CallbackInfo &info) {
  auto *k = info[0].As<Napi::External<OpKernel>>().Data();
  uint8_t *base = arena_base(info[1]);
  try {
    k->run(base, info[2].As<Napi::Number>().Int64Value(), info[3].As<Napi::Number>().Int64Value(),
           info[4].As<Napi::Number>().Int64Value());
  } catch (const dnnl::error &e) {
    throw Napi::Error::New(info.Env(), std::string("oneDNN: ") + e.what());
  }
  return info.Env().Undefined();
}

Napi::Value Impl(const Napi::CallbackInfo &info) {
  return Napi::String::New(info.Env(), info[0].As<Napi::External<OpKernel>>().Data()->impl);
}

Napi::Value Reorders(const Napi::CallbackInfo &info) {
  return Napi::Number::New(info.Env(), static_cast<double>(qdeploy::reorder_count()));
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("info", Napi::Function::New(env, Info));
  exports.Set("setMaxIsa", Napi::Function::New(env, SetMaxIsa));
  exports.Set("allocArena", Napi::Function::New(env, AllocArena));
  exports.Set("create", Napi::Function::New(env, Create));
  exports.Set("run", Napi::Function::New(env, Run));
  exports.Set("impl", Napi::Function::New(env, Impl));
  exports.Set("reorders", Napi::Function::New(env, Reorders));
  return exports;
}

}  // namespace

NODE_API_MODULE(qdeploy_dnnl, Init)
