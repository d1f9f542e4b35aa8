// Kernel-specific planted bugs: each is a plausible mistake in a handwritten
// kernel, and the gate must reject it under the workload's tolerance.
#include <gtest/gtest.h>

#include <cmath>

#include "kernel_test_support.h"
#include "worthit/harness/gate.h"

namespace worthit::test {
namespace {

Correctness gate(const std::string& workload, const std::map<std::string, int64_t>& params,
                 const std::function<void(const Buffers&, Buffers&)>& kernel) {
  const Workload& w = *builtin_registry().find_workload(workload);
  const Size size = w.make_size(params);
  const Buffers inputs = w.make_inputs(size, 11);
  Buffers expected = w.make_outputs(size);
  w.reference(inputs, expected);
  Buffers outputs = w.make_outputs(size);
  PreparedRun run;
  run.run = [&] { kernel(inputs, outputs); };
  return run_correctness_gate(w, run, expected, outputs);
}

float gelu_tanh(float v) {
  return 0.5f * v * (1.0f + std::tanh(0.7978845608f * (v + 0.044715f * v * v * v)));
}

TEST(PlantedBug, GeluWithUnwrittenLastElementFails) {
  const auto c = gate("gelu", {{"n", 1037}}, [](const Buffers& in, Buffers& out) {
    const float* x = in[0].as<float>();
    float* y = out[0].as<float>();
    for (int64_t i = 0; i + 1 < in[0].numel(); ++i) y[i] = gelu_tanh(x[i]);
  });
  EXPECT_FALSE(c.passed);
  EXPECT_EQ(c.nonfinite, 1);  // the poisoned tail
  EXPECT_EQ(c.mismatches, 0);
}

TEST(PlantedBug, CorrectGeluLoopPasses) {  // the control for the test above
  const auto c = gate("gelu", {{"n", 1037}}, [](const Buffers& in, Buffers& out) {
    for (int64_t i = 0; i < in[0].numel(); ++i)
      out[0].as<float>()[i] = gelu_tanh(in[0].as<float>()[i]);
  });
  EXPECT_TRUE(c.passed) << c.detail;
}

TEST(PlantedBug, ErfGeluIsNotTheTanhApproximation) {
  // The exact (erf) GELU differs from the tanh form by up to ~5e-4: the
  // tolerance must tell them apart.
  const auto c = gate("gelu", {{"n", 4096}}, [](const Buffers& in, Buffers& out) {
    for (int64_t i = 0; i < in[0].numel(); ++i) {
      const float v = in[0].as<float>()[i];
      out[0].as<float>()[i] = 0.5f * v * (1.0f + std::erf(v / std::sqrt(2.0f)));
    }
  });
  EXPECT_FALSE(c.passed);
  EXPECT_GT(c.mismatches, 0);
}

void layernorm_rows(const Buffers& in, Buffers& out, bool add_bias) {
  const int64_t rows = in[0].shape()[0], cols = in[0].shape()[1];
  const float *x = in[0].as<float>(), *bias = in[1].as<float>(), *res = in[2].as<float>();
  const float *gamma = in[3].as<float>(), *beta = in[4].as<float>();
  float* y = out[0].as<float>();
  for (int64_t r = 0; r < rows; ++r) {
    std::vector<double> s(cols);
    double sum = 0, sq = 0;
    for (int64_t c = 0; c < cols; ++c) {
      s[c] = double(x[r * cols + c]) + (add_bias ? bias[c] : 0.0f) + res[r * cols + c];
      sum += s[c];
    }
    const double mean = sum / cols;
    for (int64_t c = 0; c < cols; ++c) sq += (s[c] - mean) * (s[c] - mean);
    const double rstd = 1.0 / std::sqrt(sq / cols + 1e-5);
    for (int64_t c = 0; c < cols; ++c)
      y[r * cols + c] = float((s[c] - mean) * rstd * gamma[c] + beta[c]);
  }
}

TEST(PlantedBug, LayerNormWithoutBiasFails) {
  const std::map<std::string, int64_t> size{{"rows", 16}, {"cols", 257}};
  EXPECT_TRUE(gate("bias_residual_layernorm", size, [](const Buffers& in, Buffers& out) {
                layernorm_rows(in, out, true);
              }).passed);
  const auto c = gate("bias_residual_layernorm", size,
                      [](const Buffers& in, Buffers& out) { layernorm_rows(in, out, false); });
  EXPECT_FALSE(c.passed);
  EXPECT_GT(c.mismatches, 0);
}

TEST(PlantedBug, MatmulDroppingTheLastDepthTermFails) {
  const auto c =
      gate("matmul", {{"m", 9}, {"n", 33}, {"k", 300}}, [](const Buffers& in, Buffers& out) {
        const int64_t m = in[0].shape()[0], k = in[0].shape()[1], n = in[1].shape()[1];
        for (int64_t i = 0; i < m; ++i)
          for (int64_t j = 0; j < n; ++j) {
            double acc = 0;
            for (int64_t p = 0; p + 1 < k; ++p)
              acc += double(in[0].as<float>()[i * k + p]) * in[1].as<float>()[p * n + j];
            out[0].as<float>()[i * n + j] = float(acc);
          }
      });
  EXPECT_FALSE(c.passed);
  EXPECT_GT(c.mismatches, 9 * 33 / 2);
}

TEST(PlantedBug, RecurrenceUsingThePreviousGateFails) {
  // h_t = a_(t-1) h_(t-1) + x_t: an off-by-one in the time index.
  const auto c = gate(
      "linear_recurrence", {{"t", 50}, {"b", 2}, {"c", 17}}, [](const Buffers& in, Buffers& out) {
        const int64_t steps = in[0].shape()[0], lanes = in[0].numel() / steps;
        const float *a = in[0].as<float>(), *x = in[1].as<float>();
        float* h = out[0].as<float>();
        for (int64_t l = 0; l < lanes; ++l) h[l] = x[l];
        for (int64_t t = 1; t < steps; ++t)
          for (int64_t l = 0; l < lanes; ++l)
            h[t * lanes + l] = a[(t - 1) * lanes + l] * h[(t - 1) * lanes + l] + x[t * lanes + l];
      });
  EXPECT_FALSE(c.passed);
  EXPECT_GT(c.mismatches, 0);
}

}  // namespace
}  // namespace worthit::test
