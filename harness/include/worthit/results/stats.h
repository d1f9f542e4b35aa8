// Statistics over timing samples: free functions, shared by the harness, the
// Python worker (through the binding) and `worthit compare`.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "worthit/results/record.h"

namespace worthit {

struct StatsOptions {
  double unstable_cv = 0.10;  // CV at or above this flags the result unstable
  int min_samples = 5;        // fewer repetitions than this cannot say anything
  int bootstrap_resamples = 2000;
  uint64_t bootstrap_seed = 0x5eed;  // fixed: the same samples give the same interval
};

double median(std::span<const double> xs);
// Quantile with linear interpolation between order statistics (type 7).
double quantile(std::span<const double> xs, double q);
// Percentile bootstrap confidence interval of the median.
std::pair<double, double> bootstrap_median_ci(std::span<const double> xs, double confidence,
                                              int resamples, uint64_t seed);
SampleStats summarize(std::span<const double> samples, const StatsOptions& options = {});

}  // namespace worthit
