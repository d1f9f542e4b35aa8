// The CI regression check: two sets of raw timing samples in, one
// classification per benchmark out. Free functions over records; the writers
// (compare_writers.h) print the result.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "worthit/results/record.h"

namespace worthit::reports {

// One benchmark's raw samples (time per call, one per repetition).
struct BenchmarkSamples {
  std::string name;  // worthit: "<candidate>/<size>"; Google Benchmark: run_name
  std::vector<double> samples_ns;
  std::string status = "ok";  // anything else: not measured, `reason` says why
  std::string reason;
  // worthit results only: benchmarks of one group (workload, size, device)
  // were measured in interleaved rounds, samples_ns[r] of each in round r.
  std::string group;
  std::string backend;
  // The process that took each sample (worthit bench --processes; pooled runs
  // count as further processes); empty: all from one process.
  std::vector<int> process;
};

struct BenchmarkSet {
  std::string path;
  std::string format;                              // "worthit" or "google-benchmark"
  std::map<std::string, std::string> fingerprint;  // what must match for a fair comparison
  std::vector<BenchmarkSamples> benchmarks;
};

// Reads worthit results.json or Google Benchmark JSON (per-repetition entries;
// aggregates are ignored). Throws FileError with the file and the byte offset
// (syntax) or JSON path (structure).
BenchmarkSet read_benchmark_set(const std::filesystem::path& path);
BenchmarkSet benchmark_set_from_json(const nlohmann::json& j, const std::string& path);
// The samples of a worthit results file already read.
BenchmarkSet benchmark_set_from_results(const ResultsFile& results, const std::string& path);

// Pools several runs of one side (e.g. three `worthit bench` runs of the same
// build): each benchmark's samples are concatenated in file order, which keeps
// the rounds of a group aligned, and each run's processes get process numbers
// of their own. Runs must be of one format; a fingerprint
// that differs between them is kept from the first and returned in
// `warnings`. Pooling is how run-to-run drift, which no single run can show,
// is averaged out (docs/ci.md).
BenchmarkSet pool_runs(const std::vector<BenchmarkSet>& runs, std::vector<std::string>& warnings);

enum class ChangeKind { regressed, improved, unchanged, noisy, missing, added };
const char* to_string(ChangeKind k);  // "regressed", ..., "missing", "new"

struct CompareOptions {
  double threshold = 0.05;   // changes smaller than this (as a fraction) do not count
  double alpha = 0.01;       // significance level of the Mann-Whitney U test
  double confidence = 0.95;  // of the change's bootstrap interval
  int resamples = 2000;
  uint64_t seed = 0x5eed;
  int min_samples = 4;   // fewer per side: never significant
  int warn_samples = 9;  // fewer per side: a warning
  // Drift correction (worthit results only): divide each sample by the
  // geometric mean of the same round's samples of the reference benchmarks of
  // its group -- those whose backend matches `control` when given, else all
  // the others -- so that load that slows a whole round cancels out. A change
  // that slows every reference by the same factor cancels too: see docs/ci.md.
  bool normalize = false;
  std::string control;  // backend glob; empty: the rest of the group
};

struct BenchmarkComparison {
  std::string name;
  ChangeKind kind = ChangeKind::unchanged;
  int base_n = 0;
  int new_n = 0;
  int base_processes = 0;  // bench processes the samples came from
  int new_processes = 0;
  double base_median_ns = 0;
  double new_median_ns = 0;
  double change = 0;  // median(new) / median(base) - 1; > 0 is slower
  double ci_low = 0;  // interval of `change`
  double ci_high = 0;
  double p_value = 1;  // two-sided Mann-Whitney U
  bool exact = false;
  bool normalized = false;   // the test ran on drift-corrected samples
  bool significant = false;  // p < alpha and the interval excludes 0
  std::string note;          // why noisy, missing, new, or why no significance was claimed
};

struct Comparison {
  static constexpr const char* kSchema = "worthit.compare";
  static constexpr int kSchemaVersion = 1;
  std::string base_path;
  std::string new_path;
  std::string format;
  CompareOptions options;
  std::vector<BenchmarkComparison> benchmarks;  // base order, then new benchmarks
  std::vector<std::string> warnings;            // fingerprint differences, small samples
  std::map<std::string, int> counts;            // per kind name
  bool regression = false;                      // anything regressed: exit 1
};

// Throws FileError (naming the new file) when the two sets cannot be compared:
// different formats, or no benchmark in common.
Comparison compare(const BenchmarkSet& base, const BenchmarkSet& next,
                   const CompareOptions& options = {});

// Classifies one benchmark from its raw samples (used by compare()). The
// process vectors are empty or hold each sample's process: with several
// processes on a side the interval resamples whole processes first, so
// differences between processes are not taken for a change.
BenchmarkComparison compare_samples(const std::string& name, const std::vector<double>& base,
                                    const std::vector<double>& next, const CompareOptions& options,
                                    const std::vector<int>& base_process = {},
                                    const std::vector<int>& new_process = {});

}  // namespace worthit::reports
