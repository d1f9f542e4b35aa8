#include <cmath>
#include <random>

#include <gtest/gtest.h>

#include "worthit/results/stats.h"

using namespace worthit;

TEST(Stats, MedianAndQuartilesOfKnownSamples) {
  const std::vector<double> xs{7, 1, 3, 5, 9};
  EXPECT_DOUBLE_EQ(median(xs), 5);
  EXPECT_DOUBLE_EQ(quantile(xs, 0.25), 3);
  EXPECT_DOUBLE_EQ(quantile(xs, 0.75), 7);
  const std::vector<double> even{1, 2, 3, 4};
  EXPECT_DOUBLE_EQ(median(even), 2.5);
}

TEST(Stats, SummaryOfAConstantSampleIsExactAndStable) {
  const std::vector<double> xs(9, 100.0);
  const SampleStats s = summarize(xs);
  EXPECT_EQ(s.n, 9);
  EXPECT_DOUBLE_EQ(s.median, 100);
  EXPECT_DOUBLE_EQ(s.iqr, 0);
  EXPECT_DOUBLE_EQ(s.cv, 0);
  EXPECT_DOUBLE_EQ(s.ci_low, 100);
  EXPECT_DOUBLE_EQ(s.ci_high, 100);
  EXPECT_FALSE(s.unstable);
}

TEST(Stats, NormalSampleMatchesItsDistribution) {
  // 2001 draws from N(1000, 50): median near 1000, IQR near 1.349 sigma,
  // CV near 5%, and the 95% CI of the median covers the true median.
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal(1000, 50);
  std::vector<double> xs(2001);
  for (auto& x : xs) x = normal(rng);
  const SampleStats s = summarize(xs, StatsOptions{.bootstrap_resamples = 500});
  EXPECT_NEAR(s.median, 1000, 5);
  EXPECT_NEAR(s.iqr, 1.349 * 50, 5);
  EXPECT_NEAR(s.cv, 0.05, 0.005);
  EXPECT_LT(s.ci_low, 1000);
  EXPECT_GT(s.ci_high, 1000);
  // The median's standard error is about 1.2533 sigma / sqrt(n), so the 95%
  // interval is about 2 * 1.96 * 1.4 = 5.5 wide.
  EXPECT_NEAR(s.ci_high - s.ci_low, 5.5, 2.0);
  EXPECT_FALSE(s.unstable);
}

TEST(Stats, BootstrapCoverageIsNearNominal) {
  // Over many samples of 15 from an exponential distribution, the percentile
  // bootstrap CI of the median should cover the true median (ln 2) about 95%
  // of the time; small samples undercover a little, so accept 85-99%.
  std::mt19937_64 rng(11);
  std::exponential_distribution<double> expo(1.0);
  int covered = 0;
  const int trials = 400;
  for (int t = 0; t < trials; ++t) {
    std::vector<double> xs(15);
    for (auto& x : xs) x = expo(rng);
    auto [lo, hi] = bootstrap_median_ci(xs, 0.95, 400, static_cast<uint64_t>(t));
    covered += lo <= std::log(2.0) && std::log(2.0) <= hi;
  }
  EXPECT_GT(covered, trials * 0.85);
  EXPECT_LT(covered, trials * 0.99);
}

TEST(Stats, FlagsNoisyAndTooFewSamples) {
  const std::vector<double> noisy{100, 150, 80, 120, 60, 140, 95, 170, 50};
  const SampleStats s = summarize(noisy);
  EXPECT_GE(s.cv, 0.10);
  EXPECT_TRUE(s.unstable);
  EXPECT_NE(s.unstable_reason.find("CV"), std::string::npos);

  const std::vector<double> few{100, 101, 99};
  const SampleStats f = summarize(few);
  EXPECT_TRUE(f.unstable);
  EXPECT_NE(f.unstable_reason.find("repetitions"), std::string::npos);

  EXPECT_TRUE(summarize(std::vector<double>{}).unstable);
}

// Unstable means the median is not pinned down, not that the samples vary:
// many samples with a CV of 20% know their median to about +-3%.
TEST(Stats, ANoisyCandidateMeasuredLongEnoughIsNotUnstable) {
  std::mt19937_64 rng(11);
  std::normal_distribution<double> z(0, 0.2);
  std::vector<double> xs(300);
  for (auto& x : xs) x = 100 * std::exp(z(rng));
  const SampleStats s = summarize(xs);
  EXPECT_GT(s.cv, 0.15);
  EXPECT_LT(s.ci_halfwidth, 0.05);
  EXPECT_FALSE(s.unstable) << s.unstable_reason;
  EXPECT_NEAR(s.ci_halfwidth, (s.ci_high - s.ci_low) / 2 / s.median, 1e-12);
}

TEST(Stats, BootstrapIsDeterministic) {
  const std::vector<double> xs{5, 3, 8, 1, 9, 4, 7, 2, 6};
  EXPECT_EQ(bootstrap_median_ci(xs, 0.95, 1000, 1), bootstrap_median_ci(xs, 0.95, 1000, 1));
}

TEST(Stats, ProcessGroupsWidenTheIntervalByTheirSpread) {
  // Five processes whose samples agree closely within each process but whose
  // levels differ by a few percent: the grouped interval must cover that
  // spread, the ungrouped one only the tight within-process noise.
  std::vector<double> xs;
  std::vector<int> groups;
  const double level[] = {970, 1000, 1010, 985, 1030};
  for (int p = 0; p < 5; ++p)
    for (int i = 0; i < 9; ++i) {
      xs.push_back(level[p] + (i % 3) - 1);
      groups.push_back(p);
    }
  const auto [lo, hi] = bootstrap_median_ci(xs, 0.95, 2000, 7);
  const auto [glo, ghi] = bootstrap_median_ci(xs, 0.95, 2000, 7, groups);
  EXPECT_LT(glo, lo);
  EXPECT_GT(ghi, hi);
  EXPECT_GT(ghi - glo, 25);  // about the spread of the process levels
  // One group behaves exactly like no groups.
  const std::vector<int> one(xs.size(), 3);
  EXPECT_EQ(bootstrap_median_ci(xs, 0.95, 500, 1, one), bootstrap_median_ci(xs, 0.95, 500, 1));
  EXPECT_EQ(summarize(xs, {}, groups).ci_low, glo);
}
