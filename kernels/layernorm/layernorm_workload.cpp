#include "layernorm/layernorm_workload.h"

#include <cmath>

#include "src/random_inputs.h"

namespace worthit::kernels {

namespace {
Size ln_size(const BiasResidualLayerNormWorkload& w, int64_t rows, int64_t cols) {
  return w.make_size({{"rows", rows}, {"cols", cols}});
}
}  // namespace

std::string BiasResidualLayerNormWorkload::description() const {
  return "y = LayerNorm(x + bias + residual) over the last dim, fp32: a fusion eager mode cannot "
         "do";
}

// x, residual and y together: 1.1 MiB (in L2), 24 MiB (in L3), 192 MiB (6x
// the L3), and 96 MiB (3x the L3) with wide rows.
std::vector<Size> BiasResidualLayerNormWorkload::sizes() const {
  return {ln_size(*this, 128, 768), ln_size(*this, 2048, 1024), ln_size(*this, 16384, 1024),
          ln_size(*this, 2048, 4096)};
}

std::vector<Size> BiasResidualLayerNormWorkload::quick_sizes() const {
  return {ln_size(*this, 256, 1024)};
}

Size BiasResidualLayerNormWorkload::make_size(const std::map<std::string, int64_t>& params) const {
  Size s = Workload::make_size(params);
  check_range(name(), "rows", s.at("rows"), 1, int64_t{1} << 24);
  check_range(name(), "cols", s.at("cols"), 2, int64_t{1} << 20);
  check_range(name(), "rows*cols", s.at("rows") * s.at("cols"), 2, int64_t{1} << 30);
  return s;
}

Buffers BiasResidualLayerNormWorkload::make_inputs(const Size& size, uint64_t seed) const {
  const int64_t rows = size.at("rows"), cols = size.at("cols");
  Buffers in;
  in.emplace_back("x", DType::f32, std::vector<int64_t>{rows, cols});
  in.emplace_back("bias", DType::f32, std::vector<int64_t>{cols});
  in.emplace_back("residual", DType::f32, std::vector<int64_t>{rows, cols});
  in.emplace_back("gamma", DType::f32, std::vector<int64_t>{cols});
  in.emplace_back("beta", DType::f32, std::vector<int64_t>{cols});
  // x is off-centre so that a missing mean subtraction shows.
  fill_uniform(in[kLnX], seed, 0, -1.0, 3.0);
  fill_uniform(in[kLnBias], seed, 1, -0.5, 0.5);
  fill_uniform(in[kLnResidual], seed, 2, -1.0, 1.0);
  fill_uniform(in[kLnGamma], seed, 3, 0.5, 1.5);
  fill_uniform(in[kLnBeta], seed, 4, -0.25, 0.25);
  return in;
}

Buffers BiasResidualLayerNormWorkload::make_outputs(const Size& size) const {
  Buffers out;
  out.emplace_back("y", DType::f32, std::vector<int64_t>{size.at("rows"), size.at("cols")});
  return out;
}

// In double: the sum in double, two passes for the variance (biased, as
// LayerNorm defines it).
void BiasResidualLayerNormWorkload::reference(const Buffers& inputs, Buffers& outputs) const {
  const int64_t rows = inputs[kLnX].shape()[0], cols = inputs[kLnX].shape()[1];
  const float* x = inputs[kLnX].as<float>();
  const float* bias = inputs[kLnBias].as<float>();
  const float* res = inputs[kLnResidual].as<float>();
  const float* gamma = inputs[kLnGamma].as<float>();
  const float* beta = inputs[kLnBeta].as<float>();
  float* y = outputs[0].as<float>();
#pragma omp parallel
  {
    std::vector<double> s(cols);
#pragma omp for schedule(static)
    for (int64_t r = 0; r < rows; ++r) {
      const float* xr = x + r * cols;
      const float* rr = res + r * cols;
      double sum = 0;
      for (int64_t c = 0; c < cols; ++c) {
        s[c] = static_cast<double>(xr[c]) + bias[c] + rr[c];
        sum += s[c];
      }
      const double mean = sum / cols;
      double sq = 0;
      for (int64_t c = 0; c < cols; ++c) sq += (s[c] - mean) * (s[c] - mean);
      const double rstd = 1.0 / std::sqrt(sq / cols + kLayerNormEps);
      for (int64_t c = 0; c < cols; ++c)
        y[r * cols + c] = static_cast<float>((s[c] - mean) * rstd * gamma[c] + beta[c]);
    }
  }
}

// Outputs are O(1) to O(5). fp32 candidates round x + bias + residual once
// and accumulate the row sums in fp32: errors of a few 1e-7, growing slowly
// with cols. A missing bias or gamma is off by 1e-2 or more.
Tolerance BiasResidualLayerNormWorkload::tolerance(DType dtype) const {
  if (dtype == DType::f32) return {1e-5, 1e-5};
  return Workload::tolerance(dtype);
}

// Read x and residual, write y (4 bytes each), plus the three vectors once.
double BiasResidualLayerNormWorkload::bytes_moved(const Size& size) const {
  const double rows = size.at("rows"), cols = size.at("cols");
  return 4.0 * (3.0 * rows * cols + 3.0 * cols);
}

// Per element: 2 adds, 1 for the mean, 3 for the variance, 4 to normalise.
double BiasResidualLayerNormWorkload::flops(const Size& size) const {
  return 10.0 * static_cast<double>(size.at("rows")) * size.at("cols");
}

}  // namespace worthit::kernels
