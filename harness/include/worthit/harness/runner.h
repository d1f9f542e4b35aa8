// `worthit bench`'s engine: selects candidates, gates them, times them with
// Google Benchmark (candidates interleaved across repetitions), and produces
// result records.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "worthit/harness/registry.h"
#include "worthit/results/record.h"

namespace worthit {

struct BenchOptions {
  std::vector<std::string> workload_globs{"*"};
  std::vector<std::string> backend_globs{"*"};
  std::vector<std::string> sizes;  // "k=v,k=v" specs; empty: the workload's defaults
  int threads = 0;                 // 0: physical cores
  int repetitions = 9;
  double min_time_s = 0.05;  // per repetition and candidate
  uint64_t seed = 42;
  bool quick = false;
  std::vector<std::string> plugins;  // Python files adding candidates or workloads (--plugin)
  std::string trace_ops;  // workload specs from a trace (bench --from-trace), a JSON file
};

// One repetition's measurement: the mean time per call over `iterations` calls.
struct Measurement {
  double ns_per_call = 0;
  int64_t iterations = 0;
};

// Times `run` for one repetition through Google Benchmark (at least
// min_time_s, after Google Benchmark's own iteration-count estimation). Every
// candidate, C++ or Python, is sampled by this function.
Measurement measure_once(const std::string& name, const std::function<void()>& run,
                         double min_time_s);

// Times a device-timed run (PreparedRun::timed_run) for one repetition with
// Google Benchmark's manual time: each iteration's time is what timed_run
// reports. The first call (fixed_invocations == 0) warms up with two untimed
// invocations and lets Google Benchmark find an invocation count that fills
// min_time_s of device time; later calls pass that count back. The result is
// per call: ns_per_call divides by calls_per_timed_run, and `iterations`
// counts calls, not invocations.
Measurement measure_device_once(const std::string& name, const std::function<double()>& timed_run,
                                int64_t calls_per_timed_run, double min_time_s,
                                int64_t fixed_invocations = 0);

// A planted slowdown for testing `worthit compare` (docs/measurement.md, "Planted slowdowns"): with
// WORTHIT_PLANT_SLOWDOWN="GLOB=PCT[,GLOB=PCT]" every call of a candidate whose
// name matches GLOB is made PCT percent slower by spinning after it. Returns 0
// when no rule matches.
double planted_slowdown_for(const std::string& candidate_name);

// Progress lines for stderr ("[3/40] gelu n=1048576 ...").
using ProgressFn = std::function<void(const std::string& line)>;

// Shell-style glob with * and ?.
bool glob_match(std::string_view pattern, std::string_view text);

// Resolves globs against the registry; throws std::invalid_argument (one line)
// when a glob matches nothing or a size spec is malformed.
struct Selection {
  struct Item {
    const Workload* workload;
    std::vector<Size> sizes;
    std::vector<const Candidate*> candidates;
  };
  std::vector<Item> items;
};
Selection select(const Registry& registry, const BenchOptions& options);

std::vector<BenchResult> run_benchmarks(const Registry& registry, const Selection& selection,
                                        const BenchOptions& options, const ProgressFn& progress);

// Fills in throughput, % of the calibrated ceilings (each result against the
// calibration measured on its device, when there is one) and the speedup
// against the best framework-native candidate of each workload and size. Run
// again after merging results from other processes.
void annotate_results(std::vector<BenchResult>& results,
                      const std::vector<Calibration>& calibrations);

}  // namespace worthit
