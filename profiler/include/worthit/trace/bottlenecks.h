// The profile's findings in plain words, ranked by the time at stake: the
// heaviest ranges by self time, the busiest kernels, GPU idle gaps and what the
// CPU did meanwhile, and an input-bound / launch-bound diagnosis. The viewer's
// Bottlenecks panel shows them; plain C++ over the trace library's slices.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "worthit/trace/slices.h"

namespace worthit::trace {

struct Finding {
  std::string kind;    // "self-time", "kernel", "gpu-idle", "launch-bound", "input-bound"
  std::string title;   // one line
  std::string detail;  // a sentence or two citing the numbers
  int64_t at_stake_ns = 0;
  int64_t start_ns = 0;  // where it is on the timeline
  int64_t end_ns = 0;
  SliceRef slice;  // the slice to select, when there is one
};

// Biggest time at stake first.
std::vector<Finding> find_bottlenecks(const SliceIndex& index);

}  // namespace worthit::trace
