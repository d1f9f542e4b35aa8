// Statistics over timing samples: free functions, shared by the harness, the
// Python worker (through the binding) and `worthit compare`.
#pragma once

#include <cstdint>
#include <random>
#include <span>
#include <vector>

#include "worthit/results/record.h"

namespace worthit {

struct StatsOptions {
  // A result is unstable when its median is not pinned down: the bootstrap
  // CI's relative half-width is above this (the CV is recorded beside it as
  // a diagnostic; a noisy candidate measured long enough is not unstable).
  double unstable_ci = 0.05;
  int min_samples = 5;  // fewer repetitions than this cannot say anything
  int bootstrap_resamples = 2000;
  uint64_t bootstrap_seed = 0x5eed;  // fixed: the same samples give the same interval
};

double median(std::span<const double> xs);
// Quantile with linear interpolation between order statistics (type 7).
double quantile(std::span<const double> xs, double q);
// Bootstrap resamples of timing samples that may come in groups, one group
// per bench process (BenchResult::sample_process). Samples of one process
// share its memory layout and vary less than samples of two, so resampling
// them as if independent would understate the spread. With two or more
// groups, a resample draws whole groups with replacement, then samples within
// each drawn group (the two-stage bootstrap: somewhat conservative); with one
// group or none, it draws samples with replacement.
class SampleResampler {
 public:
  // `groups` is empty or holds one group index per sample.
  SampleResampler(std::span<const double> xs, std::span<const int> groups);
  void draw(std::mt19937_64& rng, std::vector<double>& out) const;
  size_t group_count() const { return groups_.size(); }

 private:
  std::vector<std::vector<double>> groups_;
};

// Percentile bootstrap confidence interval of the median (groups as above).
std::pair<double, double> bootstrap_median_ci(std::span<const double> xs, double confidence,
                                              int resamples, uint64_t seed,
                                              std::span<const int> groups = {});
SampleStats summarize(std::span<const double> samples, const StatsOptions& options = {},
                      std::span<const int> groups = {});
// (hi - lo) / 2 / median: the relative half-width of an interval around a median.
double relative_halfwidth(double median, double lo, double hi);

}  // namespace worthit
