#include "gelu/gelu_workload.h"

#include <cmath>

#include "src/random_inputs.h"

namespace worthit::kernels {

namespace {
Size gelu_size(const GeluWorkload& w, int64_t n) { return w.make_size({{"n", n}}); }
}  // namespace

std::string GeluWorkload::description() const {
  return "GELU, tanh approximation, fp32, element-wise: memory-bound";
}

// 2 x 256 KiB (in L2), 2 x 4 MiB (in L3), 2 x 16 MiB (the 32 MiB L3 full),
// 2 x 64 MiB (4x the L3).
std::vector<Size> GeluWorkload::sizes() const {
  return {gelu_size(*this, int64_t{64} << 10), gelu_size(*this, int64_t{1} << 20),
          gelu_size(*this, int64_t{4} << 20), gelu_size(*this, int64_t{16} << 20)};
}

std::vector<Size> GeluWorkload::quick_sizes() const {
  return {gelu_size(*this, int64_t{256} << 10)};
}

Size GeluWorkload::make_size(const std::map<std::string, int64_t>& params) const {
  Size s = Workload::make_size(params);
  check_range(name(), "n", s.at("n"), 1, int64_t{1} << 30);
  return s;
}

Buffers GeluWorkload::make_inputs(const Size& size, uint64_t seed) const {
  Buffers in;
  in.emplace_back("x", DType::f32, std::vector<int64_t>{size.at("n")});
  // [-8, 8) covers both saturated tails and the curved middle.
  fill_uniform(in[0], seed, 0, -8.0, 8.0);
  return in;
}

Buffers GeluWorkload::make_outputs(const Size& size) const {
  Buffers out;
  out.emplace_back("y", DType::f32, std::vector<int64_t>{size.at("n")});
  return out;
}

void GeluWorkload::reference(const Buffers& inputs, Buffers& outputs) const {
  const float* x = inputs[0].as<float>();
  float* y = outputs[0].as<float>();
  const int64_t n = inputs[0].numel();
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    const double v = x[i];
    y[i] = static_cast<float>(0.5 * v *
                              (1.0 + std::tanh(kGeluSqrt2OverPi * (v + kGeluCubic * v * v * v))));
  }
}

// Outputs lie in (-0.2, 8). A correct fp32 evaluation is within a few ulp of
// the double reference; 1 + tanh(u) loses relative precision where tanh is
// near -1, which the absolute term covers. The erf-form GELU differs from
// this one by up to ~5e-4, far outside.
Tolerance GeluWorkload::tolerance(DType dtype) const {
  if (dtype == DType::f32) return {2e-6, 2e-6};
  return Workload::tolerance(dtype);
}

double GeluWorkload::bytes_moved(const Size& size) const { return 8.0 * size.at("n"); }

// x^3 (2), fma (2), scale (1), tanh (counted as 1), 1 + t (1), 0.5 x (1), product (1).
double GeluWorkload::flops(const Size& size) const { return 9.0 * size.at("n"); }

}  // namespace worthit::kernels
