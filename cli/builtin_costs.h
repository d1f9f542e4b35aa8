// The maintenance metrics of every source file a built-in candidate names,
// measured when this binary was built (reports/tools/source_metrics_main.cpp),
// so that `worthit bench` records costs in results.json without a checkout.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "worthit/results/record.h"

namespace worthit::cli {

// The metrics of one repository-relative source, when it was measured.
std::optional<SourceMetrics> builtin_source_metrics(const std::string& path);

// Gives each row that names sources and carries no cost yet (C++ and the
// built-in Python candidates; plugins' come from their worker) its recorded
// cost, origin "build"; sources not in the table go to `missing`.
void record_builtin_costs(std::vector<BenchResult>& results);

}  // namespace worthit::cli
