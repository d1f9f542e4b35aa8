// cpp-scalar bias_residual_layernorm: the loops a user would write first, one
// thread: sum into y, mean, variance, normalise in place, all in fp32.
#include <cmath>

#include "layernorm/layernorm_workload.h"
#include "src/prepared_run.h"

namespace worthit::kernels {

namespace {

void layernorm_scalar(const float* x, const float* bias, const float* res, const float* gamma,
                      const float* beta, float* y, int64_t rows, int64_t cols) {
  for (int64_t r = 0; r < rows; ++r) {
    float* yr = y + r * cols;
    float sum = 0;
    for (int64_t c = 0; c < cols; ++c) {
      yr[c] = x[r * cols + c] + bias[c] + res[r * cols + c];
      sum += yr[c];
    }
    const float mean = sum / static_cast<float>(cols);
    float sq = 0;
    for (int64_t c = 0; c < cols; ++c) sq += (yr[c] - mean) * (yr[c] - mean);
    const float rstd =
        1.0f / std::sqrt(sq / static_cast<float>(cols) + static_cast<float>(kLayerNormEps));
    for (int64_t c = 0; c < cols; ++c) yr[c] = (yr[c] - mean) * rstd * gamma[c] + beta[c];
  }
}

}  // namespace

Candidate layernorm_scalar_candidate() {
  Candidate c;
  c.workload = "bias_residual_layernorm";
  c.backend = "cpp-scalar";
  c.description = "plain loops per row (sum, mean, variance, normalise), single thread";
  c.sources = {"kernels/layernorm/layernorm_scalar.cpp"};
  c.unavailable = [] { return std::optional<std::string>(); };
  c.skip = [](const Size&) { return std::optional<std::string>(); };
  c.prepare = [](const Buffers& in, Buffers& out, const RunContext&) {
    const float* x = in[kLnX].as<float>();
    const float* bias = in[kLnBias].as<float>();
    const float* res = in[kLnResidual].as<float>();
    const float* gamma = in[kLnGamma].as<float>();
    const float* beta = in[kLnBeta].as<float>();
    float* y = out[0].as<float>();
    const int64_t rows = in[kLnX].shape()[0], cols = in[kLnX].shape()[1];
    return prepared([=] { layernorm_scalar(x, bias, res, gamma, beta, y, rows, cols); });
  };
  return c;
}

}  // namespace worthit::kernels
