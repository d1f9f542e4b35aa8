// Bytes moved and floating-point operations of one PyTorch op call, from its
// recorded shapes, dtypes and scalar arguments: the least traffic and work
// any kernel computing that op must do (each input read once, each output
// written once). Pure functions, tested against hand-computed tables
// (docs/hot-ops.md lists every family and formula).
#pragma once

#include <optional>
#include <string>

#include "worthit/trace/op_calls.h"

namespace worthit::trace {

struct OpCost {
  std::string family;  // "gemm", "convolution", "elementwise", "reduction", "softmax",
                       // "layer_norm", "embedding", "copy", "index", "view"
  double bytes = 0;
  double flops = 0;
  // A view or an allocation: no data moved, its time is framework overhead.
  bool zero_work() const { return bytes == 0 && flops == 0; }
};

// nullopt when the op has no cost model, or its recorded arguments do not
// determine one; `why_not` then says which. Never guessed.
std::optional<OpCost> op_cost(const OpCall& call, std::string* why_not = nullptr);

// The result of an elementwise op: the broadcast of its tensor operands (an
// `out=` tensor excluded) and the result dtype; nullopt for other ops.
struct TensorSpec {
  std::vector<int64_t> shape;
  std::string dtype;
};
std::optional<TensorSpec> elementwise_result(const OpCall& call);

}  // namespace worthit::trace
