// Q1 from a profile: the share of step time an op takes, from trace slices.
// Works on plain slices so that it needs no trace reader: trace_share.h turns
// a trace into them, with the steps the trace library found (steps.h) marked.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "worthit/reports/policy.h"

namespace worthit::reports {

struct Slice {
  std::string name;
  int64_t start_ns = 0;
  int64_t dur_ns = 0;
  bool step = false;  // a step (of worthit::trace::find_steps), not an op
};

struct OpShare {
  std::string workload;
  double share = 0;                   // op time / step time, 0..1
  int64_t op_ns = 0;                  // union of matching slices inside the steps
  int64_t step_ns = 0;                // union of step slices, or the trace span
  int64_t op_slices = 0;              // slices that matched the op patterns
  int64_t steps = 0;                  // step slices found (0: the whole span was used)
  std::vector<std::string> patterns;  // the op patterns used
  std::string step_source;            // what the steps are, or "whole trace span"
};

// The share of `workload` in `slices` under the policy's op patterns, of the
// time in the step slices (the whole span when there are none). Without op
// patterns for the workload, the workload name itself and "*<workload>*" are
// used. nullopt when no slice matches the op.
std::optional<OpShare> op_share(const std::vector<Slice>& slices, const std::string& workload,
                                const Policy& policy);

// Amdahl: the end-to-end speedup when a part taking `share` of the time gets
// `speedup` times faster.
double amdahl(double share, double speedup);

}  // namespace worthit::reports
