// gelu: y = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), fp32, the tanh
// approximation. A custom activation: one read and one write per element, so
// memory-bound once the transcendental is cheap.
#pragma once

#include "worthit/harness/candidate.h"
#include "worthit/harness/workload.h"

namespace worthit::kernels {

inline constexpr double kGeluSqrt2OverPi = 0.7978845608028654;
inline constexpr double kGeluCubic = 0.044715;

class GeluWorkload final : public Workload {
 public:
  std::string name() const override { return "gelu"; }
  std::string description() const override;
  std::vector<std::string> size_keys() const override { return {"n"}; }
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

// One candidate per file (the maintenance metrics count each file).
Candidate gelu_scalar_candidate();  // gelu_scalar.cpp
Candidate gelu_simd_candidate();    // gelu_simd.cpp
#ifdef WORTHIT_HAVE_TORCH
Candidate gelu_libtorch_candidate();     // gelu_libtorch.cpp
Candidate gelu_torchscript_candidate();  // gelu_torchscript.cpp
#endif

}  // namespace worthit::kernels
