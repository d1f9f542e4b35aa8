// Python-side candidates for `worthit bench`: run in worker subprocesses, one
// per framework, merged into the same results (docs/python.md).
//
// The work is done by `python -m worthit.workers` (python/worthit/workers.py),
// which starts the workers, applies timeouts and turns crashes into rows; this
// file only hands it the options and reads the rows back. The interpreter is
// $WORTHIT_PYTHON, else the one configured (CMake WORTHIT_PYTHON); the package
// is the build tree's python/ folder ($WORTHIT_PYTHON_PACKAGE_DIR overrides).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "worthit/harness/runner.h"
#include "worthit/results/record.h"

namespace worthit::cli {

// The interpreter and package folder the Python side runs with, and why it
// cannot run ("" when it can). `worthit fleet run` uses the same.
struct PythonSide {
  std::string python;
  std::string package_dir;
  std::string unavailable_reason;
};
PythonSide resolve_python_side();

// Python backends known to this build, for `worthit list` (name, availability reason).
struct PythonBackendInfo {
  std::string workload;
  std::string backend;
  bool framework = false;
  std::string unavailable_reason;  // empty when available
};
// Includes the candidates the given plugin files add. Never throws: when the
// Python side cannot run at all, each built-in Python backend is listed with
// the reason.
std::vector<PythonBackendInfo> list_python_backends(const std::vector<std::string>& plugins = {});

// Runs the Python workers for the selected workloads and backends; never
// throws for a worker failure (those become error/unavailable rows).
std::vector<BenchResult> run_python_workers(const BenchOptions& options,
                                            const ProgressFn& progress);

// Versions of the Python libraries the last run_python_workers used (numpy,
// torch, tensorflow, Cython), for the machine fingerprint.
std::map<std::string, std::string> python_library_versions();

}  // namespace worthit::cli
