// The console table `worthit bench` prints at the end: one block per workload
// and size.
#pragma once

#include <ostream>

#include "worthit/results/record.h"

namespace worthit {

void print_results_table(std::ostream& out, const ResultsFile& file);
// "1.23 ms", "456 ns", ...
std::string format_duration_ns(double ns);

}  // namespace worthit
