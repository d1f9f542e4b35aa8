// matmul: C = A B, fp32, row-major; A: [m, k], B: [k, n], C: [m, n]. Compute-
// bound when square, memory-bound when skinny (small m): the case where the
// framework's BLAS (MKL / oneDNN) should win.
#pragma once

#include "worthit/harness/candidate.h"
#include "worthit/harness/workload.h"

namespace worthit::kernels {

class MatmulWorkload final : public Workload {
 public:
  std::string name() const override { return "matmul"; }
  std::string description() const override;
  std::vector<std::string> size_keys() const override { return {"m", "n", "k"}; }
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

Candidate matmul_scalar_candidate();  // matmul_scalar.cpp
Candidate matmul_simd_candidate();    // matmul_simd.cpp
#ifdef WORTHIT_HAVE_TORCH
Candidate matmul_libtorch_candidate();  // matmul_libtorch.cpp
#endif

}  // namespace worthit::kernels
