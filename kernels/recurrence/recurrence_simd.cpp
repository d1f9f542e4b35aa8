// cpp-simd linear_recurrence: the whole scan in one call, one pass over the
// data: each step reads a_t and x_t once and writes h_t once.
//
// - The state h lives in registers (up to 64 lanes, AVX-512) or in a small
//   per-thread buffer in L1, never re-read from the output.
// - Out of cache (working set over kStreamBytes) h is written with
//   non-temporal stores, which skip the read-for-ownership of every output
//   line: 12 instead of 16 bytes of DRAM traffic per element.
// - a and x are prefetched kPrefetchBytes ahead of use.
// - Threads: only wide scans (kMinLanesPerThread lanes per thread) use more
//   than one, each with a block of lanes. Narrower scans run on one core: a
//   lane split streams strided half-rows, and a time split (thread j re-runs
//   the steps before its chunk without storing, then scans its chunk) measured
//   2x slower than one core on the shared 2-core machine (docs/workloads.md).
// The AVX-512 path is written with intrinsics (chosen at run time); other CPUs
// get the portable vectorised loop, compiled as AVX2/SSE2 clones
// (src/simd_dispatch.h).
#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "recurrence/recurrence_workload.h"
#include "src/parallel_range.h"
#include "src/prepared_run.h"
#include "src/simd_dispatch.h"

namespace worthit::kernels {

namespace {

// Working sets (a, x and h) above this are streamed: half the 32 MiB L3.
constexpr double kStreamBytes = 16.0 * 1024 * 1024;
// How far ahead a and x are prefetched, in bytes per stream.
constexpr int64_t kPrefetchBytes = 1024;

// How a pass writes each h_t.
enum class Out { kStore, kStream };

// Portable path over lanes [begin, end) and steps [t0, t1): time outer, lanes
// inner, the state in `state` (in: h_(t0-1), out: h_(t1-1)).
WORTHIT_SIMD_CLONES
void scan_portable(const float* a, const float* x, float* h, int64_t lanes, int64_t begin,
                   int64_t end, int64_t t0, int64_t t1, float* __restrict state) {
  const int64_t n = end - begin;
  for (int64_t t = t0; t < t1; ++t) {
    const float* __restrict at = a + t * lanes + begin;
    const float* __restrict xt = x + t * lanes + begin;
    float* __restrict ht = h + t * lanes + begin;
#pragma omp simd
    for (int64_t l = 0; l < n; ++l) {
      state[l] = at[l] * state[l] + xt[l];
      ht[l] = state[l];
    }
  }
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define WORTHIT_REC_AVX512 1

template <Out O>
__attribute__((target("avx512f"))) inline void put16(float* p, __m512 v) {
  if constexpr (O == Out::kStream)
    _mm512_stream_ps(p, v);
  else
    _mm512_storeu_ps(p, v);
}

// All lanes (16 * NV <= 64) in NV registers, one row per step.
template <int NV, Out O>
__attribute__((target("avx512f"))) void scan_registers(const float* a, const float* x, float* h,
                                                       int64_t t0, int64_t t1, float* state) {
  constexpr int64_t kLanes = 16 * NV;
  constexpr int64_t kAhead = std::max<int64_t>(1, kPrefetchBytes / (4 * kLanes)) * kLanes;
  __m512 s[NV];
  for (int v = 0; v < NV; ++v) s[v] = _mm512_loadu_ps(state + 16 * v);
  for (int64_t t = t0; t < t1; ++t) {
    const float* at = a + t * kLanes;
    const float* xt = x + t * kLanes;
    float* ht = h + t * kLanes;
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      _mm_prefetch(reinterpret_cast<const char*>(at + kAhead + 16 * v), _MM_HINT_T0);
      _mm_prefetch(reinterpret_cast<const char*>(xt + kAhead + 16 * v), _MM_HINT_T0);
      s[v] = _mm512_fmadd_ps(_mm512_loadu_ps(at + 16 * v), s[v], _mm512_loadu_ps(xt + 16 * v));
      put16<O>(ht + 16 * v, s[v]);
    }
  }
  for (int v = 0; v < NV; ++v) _mm512_storeu_ps(state + 16 * v, s[v]);
}

// Lanes [begin, end), a multiple of 16: the state in an L1 buffer.
template <Out O>
__attribute__((target("avx512f"))) void scan_rows(const float* a, const float* x, float* h,
                                                  int64_t lanes, int64_t begin, int64_t end,
                                                  int64_t t0, int64_t t1, float* state) {
  const int64_t n = end - begin;
  for (int64_t t = t0; t < t1; ++t) {
    const float* at = a + t * lanes + begin;
    const float* xt = x + t * lanes + begin;
    float* ht = h + t * lanes + begin;
    for (int64_t l = 0; l < n; l += 16) {
      _mm_prefetch(reinterpret_cast<const char*>(at + l + kPrefetchBytes / 4), _MM_HINT_T0);
      _mm_prefetch(reinterpret_cast<const char*>(xt + l + kPrefetchBytes / 4), _MM_HINT_T0);
      const __m512 s = _mm512_fmadd_ps(_mm512_loadu_ps(at + l), _mm512_loadu_ps(state + l),
                                       _mm512_loadu_ps(xt + l));
      _mm512_storeu_ps(state + l, s);
      put16<O>(ht + l, s);
    }
  }
}

template <Out O>
void scan_avx512(const float* a, const float* x, float* h, int64_t lanes, int64_t begin,
                 int64_t end, int64_t t0, int64_t t1, float* state) {
  const bool all = begin == 0 && end == lanes;
  if (all && lanes == 16)
    scan_registers<1, O>(a, x, h, t0, t1, state);
  else if (all && lanes == 32)
    scan_registers<2, O>(a, x, h, t0, t1, state);
  else if (all && lanes == 48)
    scan_registers<3, O>(a, x, h, t0, t1, state);
  else if (all && lanes == 64)
    scan_registers<4, O>(a, x, h, t0, t1, state);
  else
    scan_rows<O>(a, x, h, lanes, begin, end, t0, t1, state);
  if constexpr (O == Out::kStream) _mm_sfence();
}
#endif

// Steps [t0, t1) of lanes [begin, end) from the state in `state`.
void scan_block(const float* a, const float* x, float* h, int64_t lanes, int64_t begin, int64_t end,
                int64_t t0, int64_t t1, float* state, Out out) {
#ifdef WORTHIT_REC_AVX512
  static const bool avx512 = __builtin_cpu_supports("avx512f");
  // The intrinsic path needs whole vectors; streaming stores need 64-byte
  // aligned rows (the harness's buffers are 64-byte aligned).
  const bool aligned =
      lanes % 16 == 0 && begin % 16 == 0 && reinterpret_cast<uintptr_t>(h) % 64 == 0;
  if (avx512 && (end - begin) % 16 == 0) {
    if (out == Out::kStream && aligned)
      scan_avx512<Out::kStream>(a, x, h, lanes, begin, end, t0, t1, state);
    else
      scan_avx512<Out::kStore>(a, x, h, lanes, begin, end, t0, t1, state);
    return;
  }
#endif
  (void)out;  // the portable path stores normally
  scan_portable(a, x, h, lanes, begin, end, t0, t1, state);
}

// Lanes per thread below which splitting lanes only hurts. Measured on the
// 2-core EPYC: splitting 512 or 4096 lanes between the two cores made the scan
// 1.2-3x slower than one core (each thread then streams half-rows with a
// stride, which the prefetchers follow badly).
constexpr int64_t kMinLanesPerThread = 8192;

void recurrence_simd(const float* a, const float* x, float* h, int64_t steps, int64_t lanes,
                     int threads) {
  const bool stream = 12.0 * static_cast<double>(steps) * static_cast<double>(lanes) > kStreamBytes;
  const Out out = stream ? Out::kStream : Out::kStore;
  const int by_lanes =
      static_cast<int>(std::clamp<int64_t>(lanes / kMinLanesPerThread, 1, threads));
  if (by_lanes > 1) {
#pragma omp parallel num_threads(by_lanes)
    {
      const Range r = thread_range(lanes, 16, omp_get_thread_num(), omp_get_num_threads());
      std::vector<float> state(static_cast<size_t>(r.end - r.begin) + 16, 0.0f);
      if (r.end > r.begin) scan_block(a, x, h, lanes, r.begin, r.end, 0, steps, state.data(), out);
    }
    return;
  }
  std::vector<float> state(static_cast<size_t>(lanes) + 16, 0.0f);
  scan_block(a, x, h, lanes, 0, lanes, 0, steps, state.data(), out);
}

}  // namespace

Candidate recurrence_simd_candidate() {
  Candidate c;
  c.workload = "linear_recurrence";
  c.backend = "cpp-simd";
  c.description =
      "one pass for the whole scan: state in registers, vectorised over lanes, prefetch, "
      "streaming stores out of cache; AVX-512 intrinsics or AVX2/SSE2 clones";
  c.sources = {"kernels/recurrence/recurrence_simd.cpp"};
  c.toolchains = {"openmp"};
  c.unavailable = [] { return std::optional<std::string>(); };
  c.skip = [](const Size&) { return std::optional<std::string>(); };
  c.prepare = [](const Buffers& in, Buffers& out, const RunContext& ctx) {
    const float* a = in[kRecA].as<float>();
    const float* x = in[kRecX].as<float>();
    float* h = out[0].as<float>();
    const int64_t steps = in[kRecA].shape()[0];
    const int64_t lanes = in[kRecA].numel() / steps;
    const int threads = ctx.threads > 0 ? ctx.threads : 1;
    return prepared([=] { recurrence_simd(a, x, h, steps, lanes, threads); });
  };
  return c;
}

}  // namespace worthit::kernels
