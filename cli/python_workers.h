// Python-side candidates for `worthit bench`: one worker process per group
// (native, torch, tensorflow, plugin), each a participant of the bench's one
// schedule (worthit/harness/schedule.h), so Python and C++ candidates are
// sampled in the same rounds (docs/python.md).
//
// The workers (python -m worthit.worker --serve, python/worthit/worker.py)
// stay alive and idle between their turns; this file starts them, speaks
// their line protocol over two pipes, keeps each candidate's own output,
// turns a crash or a hang into that candidate's row and carries on in a
// fresh worker. A worker dies with its bench: it gets SIGKILL when the bench
// process goes (PR_SET_PDEATHSIG), and it ends on end of input; nothing is
// written to temporary folders. The interpreter is $WORTHIT_PYTHON, else the
// one configured (CMake WORTHIT_PYTHON); the package is the build tree's
// python/ folder ($WORTHIT_PYTHON_PACKAGE_DIR overrides).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "worthit/harness/runner.h"
#include "worthit/harness/schedule.h"
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

// A Python candidate known to this build, for `worthit list` and the globs.
struct PythonBackendInfo {
  std::string workload;
  std::string backend;
  bool framework = false;
  std::string group;               // the worker it runs in
  std::string unavailable_reason;  // empty when available
};

struct PluginError {
  std::string plugin;
  std::string error;   // one line: "my_ops.py:12: NameError: name 'np' is not defined"
  std::string detail;  // the traceback
};

struct PythonListing {
  std::vector<PythonBackendInfo> backends;
  std::vector<PluginError> plugin_errors;
  std::string unavailable;  // why the Python side cannot run at all, or ""
};

// Includes the candidates the given plugin files add. Never throws: when the
// Python side cannot run at all, each built-in Python backend is listed with
// the reason. `verbose` passes plugin tracebacks through to stderr;
// `trace_ops` (bench --from-trace) adds the trace's hot ops as workloads.
PythonListing list_python_backends(const std::vector<std::string>& plugins = {},
                                   bool verbose = false, const std::string& trace_ops = "");

class WorkerGroup;

// The worker groups of one bench run.
class PythonWorkers {
 public:
  // Starts one worker per group that has a selected candidate (they load
  // their frameworks at the same time, before any timing starts).
  PythonWorkers(const BenchOptions& options, const PythonListing& listing,
                const ProgressFn& progress);
  ~PythonWorkers();
  PythonWorkers(const PythonWorkers&) = delete;
  PythonWorkers& operator=(const PythonWorkers&) = delete;

  std::vector<Participant*> participants();
  // Rows that belong to no case: a plugin that failed to load, a worker that
  // could not start, the Python side missing altogether.
  std::vector<BenchResult> rows_without_case() const;
  // Ends the workers and returns the library versions they used (numpy,
  // torch, tensorflow, Cython, pandas) for the machine fingerprint.
  std::map<std::string, std::string> finish();

 private:
  std::vector<std::unique_ptr<WorkerGroup>> groups_;
  std::vector<BenchResult> rows_;
};

}  // namespace worthit::cli
