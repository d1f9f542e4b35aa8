// cpp-scalar linear_recurrence: the double loop a user would write first (time
// outer, lanes inner), one thread.
#include "recurrence/recurrence_workload.h"
#include "src/prepared_run.h"

namespace worthit::kernels {

namespace {

void recurrence_scalar(const float* a, const float* x, float* h, int64_t steps, int64_t lanes) {
  for (int64_t l = 0; l < lanes; ++l) h[l] = x[l];
  for (int64_t t = 1; t < steps; ++t)
    for (int64_t l = 0; l < lanes; ++l)
      h[t * lanes + l] = a[t * lanes + l] * h[(t - 1) * lanes + l] + x[t * lanes + l];
}

}  // namespace

Candidate recurrence_scalar_candidate() {
  Candidate c;
  c.workload = "linear_recurrence";
  c.backend = "cpp-scalar";
  c.description = "plain loop over steps and lanes, single thread";
  c.sources = {"kernels/recurrence/recurrence_scalar.cpp"};
  c.unavailable = [] { return std::optional<std::string>(); };
  c.skip = [](const Size&) { return std::optional<std::string>(); };
  c.prepare = [](const Buffers& in, Buffers& out, const RunContext&) {
    const float* a = in[kRecA].as<float>();
    const float* x = in[kRecX].as<float>();
    float* h = out[0].as<float>();
    const int64_t steps = in[kRecA].shape()[0];
    const int64_t lanes = in[kRecA].numel() / steps;
    return prepared([=] { recurrence_scalar(a, x, h, steps, lanes); });
  };
  return c;
}

}  // namespace worthit::kernels
