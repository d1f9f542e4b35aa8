// Rows that could not run here, folded into one line per reason: bench's
// progress, the console table, `worthit report` and the viewer all say
// "CUDA candidates unavailable: no CUDA device (68 rows)" the same way.
#pragma once

#include <string>
#include <vector>

#include "worthit/results/record.h"

namespace worthit {

struct UnavailableGroup {
  std::string reason;
  std::vector<std::string> backends;  // first-seen order
  bool all_cuda = false;              // every row is on a CUDA device
  int rows = 0;
};

// Unavailable rows grouped by reason, in first-seen order.
std::vector<UnavailableGroup> summarize_unavailable(const std::vector<BenchResult>& results);

// "CUDA candidates unavailable: no CUDA device (68 rows)",
// "tensorflow, tensorflow-xla unavailable: Python module 'tensorflow' is not installed (12 rows)".
std::string describe(const UnavailableGroup& group);

}  // namespace worthit
