// Two-sample statistics over raw timing samples: the Mann-Whitney U test and a
// seeded bootstrap interval for the ratio of two medians. Free functions, used
// by `worthit compare` and the decision engine.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace worthit::reports {

struct MannWhitneyResult {
  double u = 0;        // U statistic of the first sample: pairs (a, b) with a > b, ties count 1/2
  double p_value = 1;  // two-sided
  bool exact = false;  // exact null distribution (true) or normal approximation (false)
  bool ties = false;   // the pooled samples contain ties
};

// Exact p-value (the permutation distribution of U) when there are no ties and
// both samples have at most `exact_limit` values; otherwise the normal
// approximation with tie correction and continuity correction. NaN values are
// left out; either sample empty (after that) gives p = 1.
MannWhitneyResult mann_whitney_u(std::span<const double> a, std::span<const double> b,
                                 int exact_limit = 50);

// P(U <= u) under the null hypothesis for sample sizes m and n, no ties.
double mann_whitney_exact_cdf(int m, int n, double u);

struct RatioEstimate {
  double ratio = 0;   // median(numerator) / median(denominator)
  double ci_low = 0;  // percentile bootstrap interval, each sample resampled on its own
  double ci_high = 0;
};

// The bootstrap is seeded: the same samples always give the same interval.
// With groups (one index per sample: the bench process that took it; see
// SampleResampler in worthit/results/stats.h) whole processes are resampled
// first, so the spread between processes widens the interval.
RatioEstimate ratio_of_medians(std::span<const double> numerator,
                               std::span<const double> denominator, double confidence = 0.95,
                               int resamples = 2000, uint64_t seed = 0x5eed,
                               std::span<const int> numerator_groups = {},
                               std::span<const int> denominator_groups = {});

}  // namespace worthit::reports
