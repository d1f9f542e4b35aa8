// linear_recurrence: h_t = a_t * h_(t-1) + x_t for t = 0..T-1, h_(-1) = 0,
// element-wise over batch x channels; every h_t is output. a, x, h: [T, B, C],
// time-major, so each step is a contiguous B*C slice. Sequential in T: eager
// frameworks run it as a loop of T small ops, where a custom kernel runs the
// whole scan in one call.
#pragma once

#include "worthit/harness/candidate.h"
#include "worthit/harness/workload.h"

namespace worthit::kernels {

// Input buffer order: a, x.
enum RecurrenceInput { kRecA = 0, kRecX };

class LinearRecurrenceWorkload final : public Workload {
 public:
  std::string name() const override { return "linear_recurrence"; }
  std::string description() const override;
  std::vector<std::string> size_keys() const override { return {"t", "b", "c"}; }
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

Candidate recurrence_scalar_candidate();  // recurrence_scalar.cpp
Candidate recurrence_simd_candidate();    // recurrence_simd.cpp
#ifdef WORTHIT_HAVE_TORCH
Candidate recurrence_libtorch_candidate();     // recurrence_libtorch.cpp
Candidate recurrence_torchscript_candidate();  // recurrence_torchscript.cpp
#endif

}  // namespace worthit::kernels
