#include "recurrence/recurrence_workload.h"

#include <vector>

#include "src/random_inputs.h"

namespace worthit::kernels {

namespace {
Size rec_size(const LinearRecurrenceWorkload& w, int64_t t, int64_t b, int64_t c) {
  return w.make_size({{"t", t}, {"b", b}, {"c", c}});
}
}  // namespace

std::string LinearRecurrenceWorkload::description() const {
  return "h_t = a_t * h_(t-1) + x_t over T steps, batch x channels, fp32: a sequential scan";
}

// A sequential recurrence over long sequences: few lanes (64: one batch row of
// 64 channels, a per-channel EMA or a small linear-RNN state), many steps.
// a, x and h together: 1.5 MiB (L2), 24 MiB (L3), 192 MiB (6x the 32 MiB
// L3). One many-lanes size (4096 lanes, 192 MiB) shows where the verdict
// changes: there each step streams 48 KiB and the per-op overhead the custom
// kernel saves is small next to the shared memory traffic.
std::vector<Size> LinearRecurrenceWorkload::sizes() const {
  return {rec_size(*this, 2048, 1, 64), rec_size(*this, 32768, 1, 64),
          rec_size(*this, 262144, 1, 64), rec_size(*this, 4096, 8, 512)};
}

std::vector<Size> LinearRecurrenceWorkload::quick_sizes() const {
  return {rec_size(*this, 256, 2, 128)};
}

Size LinearRecurrenceWorkload::make_size(const std::map<std::string, int64_t>& params) const {
  Size s = Workload::make_size(params);
  check_range(name(), "t", s.at("t"), 1, int64_t{1} << 24);
  check_range(name(), "b", s.at("b"), 1, int64_t{1} << 20);
  check_range(name(), "c", s.at("c"), 1, int64_t{1} << 20);
  check_range(name(), "t*b*c", s.at("t") * s.at("b") * s.at("c"), 1, int64_t{1} << 30);
  return s;
}

Buffers LinearRecurrenceWorkload::make_inputs(const Size& size, uint64_t seed) const {
  const std::vector<int64_t> shape{size.at("t"), size.at("b"), size.at("c")};
  Buffers in;
  in.emplace_back("a", DType::f32, shape);
  in.emplace_back("x", DType::f32, shape);
  // Decay gates in [0.5, 0.99): stable, with memories up to ~100 steps.
  fill_uniform(in[kRecA], seed, 0, 0.5, 0.99);
  fill_uniform(in[kRecX], seed, 1, -1.0, 1.0);
  return in;
}

Buffers LinearRecurrenceWorkload::make_outputs(const Size& size) const {
  Buffers out;
  out.emplace_back("h", DType::f32, std::vector<int64_t>{size.at("t"), size.at("b"), size.at("c")});
  return out;
}

void LinearRecurrenceWorkload::reference(const Buffers& inputs, Buffers& outputs) const {
  const int64_t steps = inputs[kRecA].shape()[0];
  const int64_t lanes = inputs[kRecA].numel() / steps;
  const float* a = inputs[kRecA].as<float>();
  const float* x = inputs[kRecX].as<float>();
  float* h = outputs[0].as<float>();
#pragma omp parallel
  {
    std::vector<double> state;
#pragma omp for schedule(static)
    for (int64_t l0 = 0; l0 < lanes; l0 += 64) {
      const int64_t l1 = std::min(lanes, l0 + 64);
      state.assign(l1 - l0, 0.0);
      for (int64_t t = 0; t < steps; ++t)
        for (int64_t l = l0; l < l1; ++l) {
          double& s = state[l - l0];
          s = static_cast<double>(a[t * lanes + l]) * s + x[t * lanes + l];
          h[t * lanes + l] = static_cast<float>(s);
        }
    }
  }
}

// |h| stays below 1 / (1 - 0.99) = 100 and is ~4 typically. Each fp32 step
// rounds once or twice, and old errors decay by a_t: the error settles near
// 2^-24 |h| / (1 - a), 1e-5 or so at worst. An off-by-one step or a dropped x
// term is off by O(1).
Tolerance LinearRecurrenceWorkload::tolerance(DType dtype) const {
  if (dtype == DType::f32) return {1e-4, 1e-5};
  return Workload::tolerance(dtype);
}

// Read a and x, write h.
double LinearRecurrenceWorkload::bytes_moved(const Size& size) const {
  return 12.0 * static_cast<double>(size.at("t")) * size.at("b") * size.at("c");
}

double LinearRecurrenceWorkload::flops(const Size& size) const {
  return 2.0 * static_cast<double>(size.at("t")) * size.at("b") * size.at("c");
}

}  // namespace worthit::kernels
