// Python-side candidates for `worthit bench`: run in worker subprocesses, one
// per framework, merged into the same results (docs/python.md).
#pragma once

#include <vector>

#include "worthit/harness/runner.h"
#include "worthit/results/record.h"

namespace worthit::cli {

// Python backends known to this build, for `worthit list` (name, availability reason).
struct PythonBackendInfo {
  std::string workload;
  std::string backend;
  bool framework = false;
  std::string unavailable_reason;  // empty when available
};
std::vector<PythonBackendInfo> list_python_backends();

// Runs the Python workers for the selected workloads and backends; never
// throws for a worker failure (those become error/unavailable rows).
std::vector<BenchResult> run_python_workers(const BenchOptions& options, const ProgressFn& progress);

}  // namespace worthit::cli
