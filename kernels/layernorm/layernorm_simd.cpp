// cpp-simd bias_residual_layernorm: fused, one pass over memory. OpenMP splits
// the rows; each row's sum x + bias + residual goes to a per-thread scratch row
// that stays in L1/L2, the mean and variance come from that row (two passes
// over cache, not memory), and y is written once. Vectorised loops with
// runtime dispatch (src/simd_dispatch.h).
#include <omp.h>

#include <cmath>
#include <memory>

#include "layernorm/layernorm_workload.h"
#include "src/parallel_range.h"
#include "src/prepared_run.h"
#include "src/simd_dispatch.h"

namespace worthit::kernels {

namespace {

struct LayerNormArgs {
  const float* x;
  const float* bias;
  const float* res;
  const float* gamma;
  const float* beta;
  float* y;
  int64_t rows;
  int64_t cols;
};

WORTHIT_SIMD_CLONES
void layernorm_rows(const LayerNormArgs& a, int64_t row_begin, int64_t row_end,
                    float* __restrict s) {
  const int64_t cols = a.cols;
  const float* __restrict bias = a.bias;
  const float* __restrict gamma = a.gamma;
  const float* __restrict beta = a.beta;
  const float inv_cols = 1.0f / static_cast<float>(cols);
  for (int64_t r = row_begin; r < row_end; ++r) {
    const float* __restrict x = a.x + r * cols;
    const float* __restrict res = a.res + r * cols;
    float* __restrict y = a.y + r * cols;
    float sum = 0;
#pragma omp simd reduction(+ : sum)
    for (int64_t c = 0; c < cols; ++c) {
      s[c] = x[c] + bias[c] + res[c];
      sum += s[c];
    }
    const float mean = sum * inv_cols;
    float sq = 0;
#pragma omp simd reduction(+ : sq)
    for (int64_t c = 0; c < cols; ++c) {
      const float d = s[c] - mean;
      sq += d * d;
    }
    const float rstd = 1.0f / std::sqrt(sq * inv_cols + static_cast<float>(kLayerNormEps));
#pragma omp simd
    for (int64_t c = 0; c < cols; ++c) y[c] = (s[c] - mean) * rstd * gamma[c] + beta[c];
  }
}

void layernorm_simd(const LayerNormArgs& a, int threads) {
#pragma omp parallel num_threads(threads)
  {
    const Range r = thread_range(a.rows, 1, omp_get_thread_num(), omp_get_num_threads());
    if (r.end > r.begin) {
      std::unique_ptr<float[]> scratch(new float[a.cols]);
      layernorm_rows(a, r.begin, r.end, scratch.get());
    }
  }
}

}  // namespace

Candidate layernorm_simd_candidate() {
  Candidate c;
  c.workload = "bias_residual_layernorm";
  c.backend = "cpp-simd";
  c.description =
      "fused single pass over memory, row in cache; OpenMP over rows, AVX-512/AVX2/SSE2 clones";
  c.sources = {"kernels/layernorm/layernorm_simd.cpp"};
  c.toolchains = {"openmp"};
  c.unavailable = [] { return std::optional<std::string>(); };
  c.skip = [](const Size&) { return std::optional<std::string>(); };
  c.prepare = [](const Buffers& in, Buffers& out, const RunContext& ctx) {
    LayerNormArgs a{in[kLnX].as<float>(),     in[kLnBias].as<float>(), in[kLnResidual].as<float>(),
                    in[kLnGamma].as<float>(), in[kLnBeta].as<float>(), out[0].as<float>(),
                    in[kLnX].shape()[0],      in[kLnX].shape()[1]};
    const int threads = ctx.threads > 0 ? ctx.threads : 1;
    return prepared([=] { layernorm_simd(a, threads); });
  };
  return c;
}

}  // namespace worthit::kernels
