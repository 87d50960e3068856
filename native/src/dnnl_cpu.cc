// What the CPU offers and the OS enables, straight from cpuid and XGETBV: the ISA report of the native backend.
// /proc/cpuinfo (src/backends/native/probe.ts) lists what the kernel saw; XGETBV says whether the OS saves the
// ymm/zmm/AMX state on context switches, without which the instructions fault even where cpuid lists them.
#include "dnnl_addon.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define QD_X86 1
#endif

namespace qdeploy {

CpuFeatures probe_cpu() {
  CpuFeatures f{};
#ifdef QD_X86
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid(0, &a, &b, &c, &d)) return f;
  const unsigned max_leaf = a;
  __get_cpuid(1, &a, &b, &c, &d);
  f.sse41 = (c >> 19) & 1;
  f.fma = (c >> 12) & 1;
  f.avx = (c >> 28) & 1;
  const bool osxsave = (c >> 27) & 1;
  unsigned long long xcr0 = 0;
  if (osxsave) {
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    xcr0 = (static_cast<unsigned long long>(hi) << 32) | lo;
  }
  f.os_ymm = (xcr0 & 0x6) == 0x6;              // SSE and AVX state
  f.os_zmm = f.os_ymm && (xcr0 & 0xe0) == 0xe0;  // opmask, ZMM_Hi256, Hi16_ZMM
  f.os_amx = (xcr0 & 0x60000) == 0x60000;       // XTILECFG, XTILEDATA
  if (max_leaf >= 7) {
    __cpuid_count(7, 0, a, b, c, d);
    f.avx2 = (b >> 5) & 1;
    f.avx512f = (b >> 16) & 1;
    f.avx512dq = (b >> 17) & 1;
    f.avx512bw = (b >> 30) & 1;
    f.avx512vl = (b >> 31) & 1;
    f.avx512_vnni = (c >> 11) & 1;
    f.amx_bf16 = (d >> 22) & 1;
    f.amx_tile = (d >> 24) & 1;
    f.amx_int8 = (d >> 25) & 1;
    __cpuid_count(7, 1, a, b, c, d);
    f.avx_vnni = (a >> 4) & 1;
    f.avx512_bf16 = (a >> 5) & 1;
  }
#endif
  return f;
}

const char *best_isa(const CpuFeatures &f) {
  const bool avx2 = f.avx2 && f.fma && f.os_ymm;
  const bool core = avx2 && f.os_zmm && f.avx512f && f.avx512bw && f.avx512vl && f.avx512dq;
  if (core && f.amx_tile && f.amx_int8 && f.os_amx) return "avx512_core_amx";
  if (core && f.avx512_vnni) return "avx512_core_vnni";
  if (core) return "avx512_core";
  if (avx2 && f.avx_vnni) return "avx2_vnni";
  if (avx2) return "avx2";
  if (f.sse41) return "sse41";
  return "none";
}

}  // namespace qdeploy
