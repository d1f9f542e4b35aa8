#include "worthit/trace/hot_ops_text.h"

#include <algorithm>

#include "worthit/trace/format.h"

namespace worthit::trace {

std::string headroom_sentence(const HotOp& op, const HeadroomBar& bar) {
  const std::string bound = format_ratio(std::max(op.headroom, 1.0));
  const std::string step = format_ratio(op.step_bound);
  switch (op.verdict) {
    case Headroom::room:
      return "at " + format_percent(std::max(op.pct_bandwidth, op.pct_flops)) +
             " of the ceiling: a kernel at the hardware limit could make it up to " + bound +
             " faster and the step up to " + step +
             " faster; worth a benchmark (worthit bench --from-trace).";
    case Headroom::framework_enough: {
      std::string why;
      if (op.headroom < 1)
        why = "it already ran faster than the calibrated " +
              std::string(op.memory_bound ? "memory bandwidth (its data stayed in cache)"
                                          : "peak FLOP/s") +
              ", so no kernel is promised anything";
      else
        why = "a kernel at the hardware limit could make it at most " + bound +
              " faster and the step at most " + step + " faster";
      return why + ", below the policy's bar (" + format_ratio(bar.min_op_speedup) +
             " for the op, " + format_percent(bar.min_step_gain) +
             " for the step): the framework is enough by physics.";
    }
    case Headroom::no_cost_model:
      return "no cost model (" + op.no_model + "): its headroom is not known, and not guessed.";
    case Headroom::no_work:
      return "moves no data (a view or an allocation): its time is framework overhead, which "
             "fewer, larger ops or torch.compile reduce.";
    case Headroom::delegated:
      return "a wrapper: its work is done in " + op.delegated_to + ", listed on its own.";
    case Headroom::no_ceiling:
      return "no calibrated ceiling for " + op.device +
             ": run `worthit calibrate` to bound its headroom.";
  }
  return "";
}

std::string fusion_sentence(const FusionHint& h) {
  std::string chain;
  for (size_t i = 0; i < h.ops.size(); ++i) chain += (i ? " -> " : "") + h.ops[i];
  std::string s = std::to_string(h.ops.size()) + " elementwise ops in a row on " + h.signature +
                  " (" + chain + "), " + std::to_string(h.occurrences) + " time(s), " +
                  format_percent(h.share) + " of the step: a fused kernel would move " +
                  format_bytes(h.bytes_fused) + " instead of " + format_bytes(h.bytes_unfused) +
                  " per run (saving " + format_bytes(h.bytes_unfused - h.bytes_fused) + ")";
  if (h.headroom > 0)
    s += ", up to " + format_ratio(std::max(h.headroom, 1.0)) + " faster for the run and " +
         format_ratio(h.step_bound) + " for the step";
  return s + "; torch.compile fuses such chains without a handwritten kernel.";
}

}  // namespace worthit::trace
