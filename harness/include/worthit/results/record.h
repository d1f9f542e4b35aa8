// Result records: what `worthit bench` measures and every later stage reads.
// Plain data, no behaviour beyond JSON conversion (results_json.h).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "worthit/results/host_steadiness.h"

namespace worthit {

// Where a number came from, so files from different machines compare honestly.
struct MachineFingerprint {
  std::string cpu_model;
  int logical_cpus = 0;
  int physical_cores = 0;
  std::string governor;       // "performance", "powersave", or "unknown"
  std::string turbo;          // "on", "off", or "unknown"
  std::string os;             // kernel name and release
  std::string compiler;       // compiler that built worthit
  std::string torch_version;  // empty when built without libtorch
  bool cuda_available = false;
  std::string gpu;                               // device name, empty without a GPU
  std::string gpu_driver;                        // driver version, empty without a GPU
  std::string commit;                            // project commit worthit was built from
  std::map<std::string, std::string> libraries;  // extra versions (numpy, tensorflow, ...)
  // Which machine of a fleet this is (docs/fleet.md): $WORTHIT_HOST, else the
  // host name; and the class it was put in by hand ($WORTHIT_MACHINE_CLASS),
  // empty when the class follows from the fingerprint. Both "" in older files.
  std::string host;
  std::string machine_class;
};

// This machine's ceilings, measured by `worthit calibrate`.
struct Calibration {
  double memory_bandwidth_gbs = 0;  // multi-threaded triad, out of cache
  double copy_bandwidth_gbs = 0;    // multi-threaded copy, out of cache
  double peak_gflops = 0;           // large fp32 GEMM through libtorch (or our own GEMM)
  std::string peak_source;          // what measured peak_gflops
  int threads = 0;
  std::string device = "cpu";
  std::string created;  // ISO 8601 UTC
  // The host probe's fastest reading (worthit/harness/host_probe.h) on this
  // machine; 0: not measured (GPU calibrations, files from before it).
  double host_probe_ns = 0;
};

// The summary of one candidate's repetitions (all times in nanoseconds per call).
struct SampleStats {
  int n = 0;
  double median = 0;
  double mean = 0;
  double stddev = 0;
  double min = 0;
  double max = 0;
  double q1 = 0;
  double q3 = 0;
  double iqr = 0;
  double ci_low = 0;  // bootstrap 95% confidence interval of the median
  double ci_high = 0;
  double ci_halfwidth = 0;  // (ci_high - ci_low) / 2 / median: how well the median is known
  double cv = 0;            // coefficient of variation: stddev / mean
  bool unstable = false;
  std::string unstable_reason;
};

enum class ResultStatus {
  ok,           // correct and timed
  incorrect,    // failed the correctness gate: never timed, never ranked
  unavailable,  // missing library, hardware or framework; reason says which
  error,        // threw, crashed or timed out; reason says how
  skipped,      // deliberately not run at this size (too slow, too large)
};

const char* to_string(ResultStatus s);
std::optional<ResultStatus> result_status_from_string(const std::string& s);

struct Correctness {
  bool checked = false;
  bool passed = false;
  double max_abs_error = 0;
  double max_rel_error = 0;
  int64_t nonfinite = 0;   // NaN/Inf outputs where the reference is finite
  int64_t mismatches = 0;  // elements outside tolerance
  std::string detail;      // first failure, in words
};

// The largest bench process index a results file may hold: far more
// processes than anyone pools, small enough that offsets added while pooling
// files never overflow.
inline constexpr int kMaxProcessIndex = 1'000'000;

// One source file's maintenance metrics (docs/reports.md, "Maintenance
// metrics"), measured when the candidate was built (built-in candidates) or
// benched (plugin candidates), so that a report needs no source checkout.
struct SourceMetrics {
  std::string path;      // repository-relative, or a plugin's file (":function" for one function)
  std::string language;  // "c++", "cuda", "cython", "python", or "other" (lines only)
  int code_lines = 0;    // non-blank lines that are not only comments
  int comment_lines = 0;
  int blank_lines = 0;
  int decision_points = 0;              // if, loops, case, catch/except, &&, ||, ?:, and/or
  std::vector<std::string> toolchains;  // extra toolchains this file needs
  std::vector<std::string> isa;         // instruction sets it is tied to (avx2, avx512f, neon, ...)
  bool cuda = false;                    // needs a CUDA device
  std::string hash;                     // "fnv1a64:" + 16 hex digits of the bytes measured
};

// What a candidate's code costs to keep, as recorded in results.json.
struct RecordedCost {
  std::string origin;  // "build" (measured when worthit was built) or "bench" (plugins)
  std::vector<SourceMetrics> files;
  std::vector<std::string> missing;          // sources that could not be measured
  std::vector<std::string> missing_reasons;  // why, one per `missing` entry
};

// One candidate at one size of one workload.
struct BenchResult {
  std::string workload;
  std::string size;                       // label, e.g. "n=1048576"
  std::map<std::string, int64_t> params;  // the size's dimensions
  std::string candidate;                  // unique name, "<workload>/<backend>"
  std::string backend;                    // "cpp-scalar", "cpp-simd", "libtorch", ...
  bool framework = false;                 // framework-native (true) or handwritten (false)
  std::string family;    // framework family ("pytorch", "tensorflow", "numpy", ...); "" unknown
  std::string language;  // "c++", "python", "cython", "cuda", ...
  std::string device = "cpu";
  int threads = 0;
  ResultStatus status = ResultStatus::ok;
  std::string reason;  // why not ok, one line
  std::string detail;  // more about a failure: a traceback, the candidate's own stderr
  Correctness correctness;
  double bytes = 0;                 // bytes moved per call (workload model)
  double flops = 0;                 // floating-point operations per call
  std::vector<double> samples_ns;   // per-repetition mean time per call
  std::vector<int64_t> iterations;  // calls per repetition
  // The bench process that took each sample (0-based), when `worthit bench
  // --processes N` pooled several; empty for a single process. Samples of one
  // process share its memory layout, so they vary less than samples of two.
  std::vector<int> sample_process;  // each in 0..kMaxProcessIndex
  // Each sample's position in its case's schedule (0-based, counted over
  // every candidate of the workload and size, C++ and Python alike): shows
  // that candidates were interleaved. Empty when not recorded.
  std::vector<int> sample_seq;
  std::string stop_reason;  // why sampling stopped: "target-ci", "time-budget", "repetitions", ...
  SampleStats stats;
  double gbps = 0;
  double gflops = 0;
  double pct_bandwidth = 0;  // of the calibrated ceiling, 0 when uncalibrated
  double pct_peak_flops = 0;
  std::optional<double> speedup_vs_best_framework;
  std::vector<std::string> sources;     // files that implement the candidate
  std::vector<std::string> toolchains;  // extra toolchains it needs (nvcc, cython, ...)
  std::optional<RecordedCost> cost;     // maintenance metrics of `sources`, when recorded
  std::map<std::string, double> extra;  // e.g. "compile_time_s" for torch.compile
};

struct RunSettings {
  int threads = 0;
  int repetitions = 0;  // per process: the fixed count, or the minimum when adaptive
  int processes = 1;    // fresh bench processes whose samples were pooled
  double min_time_s = 0;
  double warmup_s = 0;  // untimed calls before each repetition
  uint64_t seed = 0;
  bool quick = false;
  std::vector<std::string> workload_globs;
  std::vector<std::string> backend_globs;
  bool adaptive = false;  // sampling continued until target_ci or max_time_s
  double target_ci = 0;   // relative half-width of the median's CI that stops sampling
  double max_time_s = 0;  // sampling budget per workload and size
};

struct ResultsFile {
  static constexpr const char* kSchema = "worthit.results";
  static constexpr int kSchemaVersion = 1;
  std::string created;  // ISO 8601 UTC
  std::string tool_version;
  MachineFingerprint machine;
  RunSettings settings;
  std::optional<Calibration> calibration;      // usually the CPU's (calibration.json)
  std::optional<Calibration> gpu_calibration;  // the GPU's (calibration-cuda.json), when measured
  std::optional<HostSteadiness> host;          // the host probe's readings (bench); absent before
  std::vector<BenchResult> results;

  // The ceilings for results on `device`: whichever of the two calibrations
  // was measured on it; nullptr when neither was.
  const Calibration* calibration_for(const std::string& device) const;
};

}  // namespace worthit
