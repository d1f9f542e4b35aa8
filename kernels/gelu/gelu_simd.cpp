// cpp-simd gelu: OpenMP threads over contiguous ranges, a vectorised loop in
// each, with runtime dispatch to AVX-512 / AVX2 / SSE2 (src/simd_dispatch.h).
//
// The tanh form is rewritten as a logistic, which needs one exp and one
// division and no tanh:
//   0.5 x (1 + tanh(u)) = x / (1 + exp(-2u)),  u = sqrt(2/pi) (x + 0.044715 x^3).
// exp is evaluated inline so the loop vectorises: 2^n by exponent-bit
// arithmetic, e^r on |r| <= ln2/2 by a degree-7 Taylor polynomial (truncation
// error < 1e-8, below fp32 rounding).
#include <omp.h>

#include <bit>
#include <cstdint>

#include "gelu/gelu_workload.h"
#include "src/parallel_range.h"
#include "src/prepared_run.h"
#include "src/simd_dispatch.h"

namespace worthit::kernels {

namespace {

WORTHIT_SIMD_CLONES
void gelu_chunk(const float* __restrict x, float* __restrict y, int64_t n) {
  constexpr float kC0 = static_cast<float>(-2.0 * kGeluSqrt2OverPi);
  constexpr float kC1 = static_cast<float>(-2.0 * kGeluSqrt2OverPi * kGeluCubic);
  constexpr float kLog2e = 1.44269504088896341f;
  constexpr float kLn2Hi = 0.693359375f;  // few mantissa bits: n * kLn2Hi is exact
  constexpr float kLn2Lo = -2.12194440e-4f;
  // Adding 1.5 * 2^23 rounds to an integer and leaves it in the low mantissa bits.
  constexpr float kRound = 12582912.0f;
  const int32_t kRoundBits = std::bit_cast<int32_t>(kRound);
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) {
    const float v = x[i];
    float z = v * (kC0 + kC1 * v * v);  // -2u
    // |z| <= 80 keeps 2^n a normal float; beyond it y is x or 0 to fp32 precision.
    z = z < -80.0f ? -80.0f : (z > 80.0f ? 80.0f : z);
    const float t = z * kLog2e + kRound;
    const float nf = t - kRound;
    const float r = (z - nf * kLn2Hi) - nf * kLn2Lo;
    float p = 1.0f / 5040.0f;
    p = p * r + 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    const int32_t scale = (std::bit_cast<int32_t>(t) - kRoundBits) << 23;
    const float e = std::bit_cast<float>(std::bit_cast<int32_t>(p) + scale);
    y[i] = v / (1.0f + e);
  }
}

void gelu_simd(const float* x, float* y, int64_t n, int threads) {
#pragma omp parallel num_threads(threads)
  {
    const Range r = thread_range(n, 16, omp_get_thread_num(), omp_get_num_threads());
    if (r.end > r.begin) gelu_chunk(x + r.begin, y + r.begin, r.end - r.begin);
  }
}

}  // namespace

Candidate gelu_simd_candidate() {
  Candidate c;
  c.workload = "gelu";
  c.backend = "cpp-simd";
  c.description = "OpenMP + vectorised logistic form with an inline exp; AVX-512/AVX2/SSE2 clones";
  c.sources = {"kernels/gelu/gelu_simd.cpp"};
  c.toolchains = {"openmp"};
  c.unavailable = [] { return std::optional<std::string>(); };
  c.skip = [](const Size&) { return std::optional<std::string>(); };
  c.prepare = [](const Buffers& in, Buffers& out, const RunContext& ctx) {
    const float* x = in[0].as<float>();
    float* y = out[0].as<float>();
    const int64_t n = in[0].numel();
    const int threads = ctx.threads > 0 ? ctx.threads : 1;
    return prepared([=] { gelu_simd(x, y, n, threads); });
  };
  return c;
}

}  // namespace worthit::kernels
