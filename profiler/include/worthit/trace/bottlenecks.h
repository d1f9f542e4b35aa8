// The profile's findings in plain words, ranked by the time at stake: hot
// PyTorch ops by what a kernel could save at most (their headroom bound,
// hot_ops.h) and fusion hints, the heaviest other ranges by self time, the
// busiest kernels, GPU idle gaps and what the CPU did meanwhile, and an
// input-bound / launch-bound diagnosis. The viewer's Bottlenecks panel shows
// them; plain C++ over the trace library's slices.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "worthit/trace/hot_ops.h"
#include "worthit/trace/slices.h"

namespace worthit::trace {

struct Finding {
  std::string kind;    // "hot-op", "fusion", "self-time", "kernel", "gpu-idle", "launch-bound",
                       // "input-bound", "balanced", "compute-bound"
  std::string title;   // one line
  std::string detail;  // a sentence or two citing the numbers
  int64_t at_stake_ns = 0;  // hot ops: the most a kernel at the hardware limit could save
  int64_t start_ns = 0;     // where it is on the timeline
  int64_t end_ns = 0;
  SliceRef slice;                // the slice to select, when there is one
  std::vector<SliceRef> slices;  // hot ops: every call; fusion: the first run
  // Hot ops and fusion hints (negative when not known):
  double share = -1;        // of the step time
  double pct_ceiling = -1;  // achieved, of the calibrated ceiling
  double headroom = -1;     // the headroom bound
  double step_bound = -1;
};

struct BottleneckOptions {
  std::vector<Ceiling> ceilings;  // for hot ops' headroom (worthit calibrate)
  HeadroomBar bar;
  size_t hot_ops = 8;  // at most this many hot-op findings
};

// Biggest time at stake first.
std::vector<Finding> find_bottlenecks(const SliceIndex& index,
                                      const BottleneckOptions& options = {});

}  // namespace worthit::trace
