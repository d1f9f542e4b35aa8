// bias_residual_layernorm: y = LayerNorm(x + bias + residual) over the last
// dimension, with gamma/beta and eps = 1e-5. x, residual, y: [rows, cols];
// bias, gamma, beta: [cols]. Eager frameworks run it as several ops, each a
// pass over memory; a fused kernel reads x and residual once and writes y once.
#pragma once

#include "worthit/harness/candidate.h"
#include "worthit/harness/workload.h"

namespace worthit::kernels {

inline constexpr double kLayerNormEps = 1e-5;

// Input buffer order: x, bias, residual, gamma, beta.
enum LayerNormInput { kLnX = 0, kLnBias, kLnResidual, kLnGamma, kLnBeta };

class BiasResidualLayerNormWorkload final : public Workload {
 public:
  std::string name() const override { return "bias_residual_layernorm"; }
  std::string description() const override;
  std::vector<std::string> size_keys() const override { return {"rows", "cols"}; }
  std::vector<Size> sizes() const override;
  std::vector<Size> quick_sizes() const override;
  Size make_size(const std::map<std::string, int64_t>& params) const override;
  Buffers make_inputs(const Size& size, uint64_t seed) const override;
  Buffers make_outputs(const Size& size) const override;
  void reference(const Buffers& inputs, Buffers& outputs) const override;
  Tolerance tolerance(DType dtype) const override;
  double bytes_moved(const Size& size) const override;
  double flops(const Size& size) const override;
};

Candidate layernorm_scalar_candidate();  // layernorm_scalar.cpp
Candidate layernorm_simd_candidate();    // layernorm_simd.cpp
#ifdef WORTHIT_HAVE_TORCH
Candidate layernorm_libtorch_candidate();     // layernorm_libtorch.cpp
Candidate layernorm_torchscript_candidate();  // layernorm_torchscript.cpp
#endif

}  // namespace worthit::kernels
