// cpp-scalar gelu: the loop a user would write first, one thread, std::tanh.
#include <cmath>

#include "gelu/gelu_workload.h"
#include "src/prepared_run.h"

namespace worthit::kernels {

namespace {

void gelu_scalar(const float* x, float* y, int64_t n) {
  const float k0 = static_cast<float>(kGeluSqrt2OverPi);
  const float k1 = static_cast<float>(kGeluCubic);
  for (int64_t i = 0; i < n; ++i) {
    const float v = x[i];
    y[i] = 0.5f * v * (1.0f + std::tanh(k0 * (v + k1 * v * v * v)));
  }
}

}  // namespace

Candidate gelu_scalar_candidate() {
  Candidate c;
  c.workload = "gelu";
  c.backend = "cpp-scalar";
  c.description = "plain loop with std::tanh, single thread";
  c.sources = {"kernels/gelu/gelu_scalar.cpp"};
  c.unavailable = [] { return std::optional<std::string>(); };
  // std::tanh costs 20-30 ns per element here: 16M elements take 0.5-0.7 s.
  c.skip = [](const Size& s) -> std::optional<std::string> {
    if (s.at("n") > (int64_t{8} << 20)) return "std::tanh loop would take over 0.5 s per call";
    return std::nullopt;
  };
  c.prepare = [](const Buffers& in, Buffers& out, const RunContext&) {
    const float* x = in[0].as<float>();
    float* y = out[0].as<float>();
    const int64_t n = in[0].numel();
    return prepared([=] { gelu_scalar(x, y, n); });
  };
  return c;
}

}  // namespace worthit::kernels
