// `worthit bench`'s engine: selects candidates, gates them, times them with
// Google Benchmark (candidates interleaved across repetitions), and produces
// result records.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "worthit/harness/registry.h"
#include "worthit/harness/sampling.h"
#include "worthit/harness/schedule.h"
#include "worthit/results/record.h"

namespace worthit {

struct BenchOptions {
  std::vector<std::string> workload_globs{"*"};
  std::vector<std::string> backend_globs{"*"};
  std::vector<std::string> sizes;  // "k=v,k=v" specs; empty: the workload's defaults
  int threads = 0;                 // 0: physical cores
  // Adaptive sampling (sampling.h): at least `repetitions`, then until the
  // median's interval reaches `target_ci` or the case's `max_time_s` runs
  // out. With target_ci 0, exactly `repetitions` (`-r N`).
  int repetitions = 5;
  double target_ci = 0.02;
  double max_time_s = 8;
  double warmup_s = 0.01;    // untimed calls before each repetition (measure_repetition)
  double min_time_s = 0.05;  // per repetition and candidate
  uint64_t seed = 42;
  bool quick = false;
  std::vector<std::string> plugins;  // Python files adding candidates or workloads (--plugin)
  bool verbose = false;              // tracebacks and the workers' own output on stderr
  std::string trace_ops;  // workload specs from a trace (bench --from-trace), a JSON file

  SamplingOptions sampling() const;
};

// Times `run` for one repetition through Google Benchmark (at least
// min_time_s, after Google Benchmark's own iteration-count estimation). Every
// candidate, C++ or Python, is sampled by this function.
Measurement measure_once(const std::string& name, const std::function<void()>& run,
                         double min_time_s);
// The same with the iteration count fixed (> 0) after a first repetition
// found it, so that every sample of a candidate averages the same calls.
//
// Before the timed calls, `run` is called untimed for at least warmup_s (one
// call at least; 0: none), except in a repetition of a single call. In a
// schedule of rounds every repetition follows another candidate's turn, and
// two things slow its first milliseconds: a core that was idle runs its first
// call about 1.5x slower, and the previous candidate's idle threads
// (libgomp's team, TensorFlow's pools, in this process or a worker) spin for
// about 10 ms before they sleep, taking the cores a multi-threaded candidate
// needs (docs/measurement.md, "Warm-up").
Measurement measure_repetition(const std::string& name, const std::function<void()>& run,
                               double min_time_s, int64_t fixed_iterations, double warmup_s);

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

// This process's C++ candidates of `selection` as a schedule participant
// (schedule.h). Sets every library's thread count to options.threads.
std::unique_ptr<Participant> make_local_participant(const Registry& registry,
                                                    const Selection& selection,
                                                    const BenchOptions& options);

// The C++ candidates alone: run_schedule over the local participant.
std::vector<BenchResult> run_benchmarks(const Registry& registry, const Selection& selection,
                                        const BenchOptions& options, const ProgressFn& progress);

// Fills in throughput, % of the calibrated ceilings (each result against the
// calibration measured on its device, when there is one) and the speedup
// against the best framework-native candidate of each workload and size. Run
// again after merging results from other processes.
void annotate_results(std::vector<BenchResult>& results,
                      const std::vector<Calibration>& calibrations);

}  // namespace worthit
