// How many repetitions each candidate gets and in what order: ONE rule for
// C++ and Python candidates alike (the Python package calls it through
// worthit._native), docs/measurement.md "Adaptive sampling".
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace worthit {

// One repetition's measurement: the mean time per call over `iterations` calls.
struct Measurement {
  double ns_per_call = 0;
  int64_t iterations = 0;
};

struct SamplingOptions {
  // Always taken; with target_ci == 0 it is the exact count (`-r N`).
  int min_repetitions = 5;
  // Never more, whatever the interval says.
  int max_repetitions = 200;
  // Sampling of a candidate stops once the bootstrap confidence interval of
  // its median has at most this relative half-width (0.02: +-2%).
  double target_ci = 0.02;
  // No new round starts after this many seconds of sampling of one case
  // (workload and size, every candidate), nor one that would end after it at
  // the last round's pace; 0: no budget.
  double max_time_s = 8;
  double confidence = 0.95;
  int bootstrap_resamples = 2000;    // the results' own interval uses the same
  uint64_t bootstrap_seed = 0x5eed;  // so the stop check and stats agree exactly
};

enum class StopReason {
  sampling,         // not stopped yet
  target_ci,        // the median's interval reached the target
  time_budget,      // the case's budget ran out first
  repetitions,      // the fixed count (target_ci 0) was reached
  max_repetitions,  // the cap was reached first
  failed,           // a repetition threw
};
const char* to_string(StopReason r);  // "target-ci", "time-budget", "repetitions", ...

// The rule, pure: does a candidate with these samples stop, `elapsed_s` into
// its case's sampling, and why? The minimum count is always taken; the
// interval is the same percentile bootstrap of the median as the results'.
// The budget also stops a round that would end past it: `next_round_s` is
// how long the next round is expected to take (the last one's length).
StopReason stop_reason(std::span<const double> samples_ns, double elapsed_s,
                       const SamplingOptions& options, double next_round_s = 0);

// The relative half-width of the bootstrap CI of the median of `samples_ns`
// (what stop_reason compares with target_ci).
double median_ci_halfwidth(std::span<const double> samples_ns, const SamplingOptions& options);

// A candidate that can be timed one repetition at a time, in this process
// or in another one (a Python worker). `measure` throws on failure.
struct SampleSource {
  std::string name;
  std::function<Measurement()> measure;
};

struct SampledSeries {
  std::vector<double> samples_ns;
  std::vector<int64_t> iterations;
  std::vector<int> seq;  // each sample's position in the case's schedule
  StopReason stop = StopReason::sampling;
  std::string error;  // why, when stop == failed
};

// Rounds over every source: each round times each source still sampling
// once, starting one place further along the list than the round before
// (rotated), so that slow drift spreads over all candidates instead of
// landing on whichever runs last; a source leaves the rounds when
// stop_reason says so. `on_round(round, sampling)` reports progress; `now_s`
// (seconds, monotonic) is the clock of the time budget, steady_clock when empty.
std::vector<SampledSeries> sample_interleaved(
    const std::vector<SampleSource>& sources, const SamplingOptions& options,
    const std::function<void(int round, int sampling)>& on_round = {},
    const std::function<double()>& now_s = {});

}  // namespace worthit
