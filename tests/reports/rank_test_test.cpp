// The Mann-Whitney U test against textbook tables and hand-computed values.
#include <gtest/gtest.h>

#include <vector>

#include "worthit/reports/rank_test.h"

namespace worthit::reports {
namespace {

TEST(MannWhitney, CompleteSeparationThreeByThree) {
  const std::vector<double> a{1, 2, 3}, b{4, 5, 6};
  const auto r = mann_whitney_u(a, b);
  EXPECT_TRUE(r.exact);
  EXPECT_DOUBLE_EQ(r.u, 0);
  // Only 1 of C(6,3) = 20 arrangements is this extreme; two-sided doubles it.
  EXPECT_NEAR(r.p_value, 2.0 / 20, 1e-12);
  // Symmetric: swapping the samples gives U = m n and the same p.
  const auto s = mann_whitney_u(b, a);
  EXPECT_DOUBLE_EQ(s.u, 9);
  EXPECT_NEAR(s.p_value, r.p_value, 1e-12);
}

TEST(MannWhitney, CompleteSeparationFiveByFive) {
  const std::vector<double> a{1, 2, 3, 4, 5}, b{6, 7, 8, 9, 10};
  EXPECT_NEAR(mann_whitney_u(a, b).p_value, 2.0 / 252, 1e-12);  // C(10,5) = 252
}

TEST(MannWhitney, HandComputedFourByFour) {
  // Pairs with a > b: 1.1 beats 0.5; 2.2 beats 0.5; 3.3 beats 0.5, 2.5;
  // 4.4 beats 0.5, 2.5, 3.5: U = 7. The null distribution of U for 4 and 4
  // has frequencies 1 1 2 3 5 5 7 7 8 7 7 5 5 3 2 1 1 (sum 70), so
  // P(U <= 7) = 31/70 and the two-sided p is 62/70.
  const std::vector<double> a{1.1, 2.2, 3.3, 4.4}, b{0.5, 2.5, 3.5, 5.0};
  const auto r = mann_whitney_u(a, b);
  EXPECT_DOUBLE_EQ(r.u, 7);
  EXPECT_NEAR(mann_whitney_exact_cdf(4, 4, 7), 31.0 / 70, 1e-12);
  EXPECT_NEAR(r.p_value, 62.0 / 70, 1e-12);
  const int freq[] = {1, 1, 2, 3, 5, 5, 7, 7, 8, 7, 7, 5, 5, 3, 2, 1, 1};
  int cumulative = 0;
  for (int u = 0; u <= 16; ++u) {
    cumulative += freq[u];
    EXPECT_NEAR(mann_whitney_exact_cdf(4, 4, u), cumulative / 70.0, 1e-12) << "u=" << u;
  }
}

// Critical values of U for a two-sided test at 0.05 (standard tables): the
// largest u with P(U <= u) <= 0.025.
TEST(MannWhitney, MatchesTextbookCriticalValues) {
  struct Row {
    int m, n, critical;
  };
  for (const Row row : {Row{5, 5, 2}, Row{6, 6, 5}, Row{8, 8, 13}, Row{10, 10, 23}, Row{5, 10, 8},
                        Row{20, 20, 127}}) {
    EXPECT_LE(mann_whitney_exact_cdf(row.m, row.n, row.critical), 0.025) << row.m << "x" << row.n;
    EXPECT_GT(mann_whitney_exact_cdf(row.m, row.n, row.critical + 1), 0.025)
        << row.m << "x" << row.n;
  }
}

TEST(MannWhitney, NormalApproximationWithTies) {
  // a = {1, 2, 2, 3}, b = {2, 3, 4, 5}. Midranks: 1 -> 1, the three 2s -> 3,
  // the two 3s -> 5.5, 4 -> 7, 5 -> 8. R_a = 12.5, U = 12.5 - 10 = 2.5.
  // Var = 16/12 * (9 - (24 + 6) / 56) = 11.2857; z = (|2.5 - 8| - 0.5) / 3.3594
  // = 1.48835; p = erfc(z / sqrt 2) = 0.136658.
  const std::vector<double> a{1, 2, 2, 3}, b{2, 3, 4, 5};
  const auto r = mann_whitney_u(a, b);
  EXPECT_FALSE(r.exact);
  EXPECT_TRUE(r.ties);
  EXPECT_DOUBLE_EQ(r.u, 2.5);
  EXPECT_NEAR(r.p_value, 0.136658, 1e-6);
}

TEST(MannWhitney, LargeSamplesUseTheNormalApproximation) {
  std::vector<double> a, b;
  for (int i = 0; i < 60; ++i) {
    a.push_back(i);
    b.push_back(i + 0.5);
  }
  const auto r = mann_whitney_u(a, b);
  EXPECT_FALSE(r.exact);
  EXPECT_GT(r.p_value, 0.5);  // interleaved: no evidence of a shift
  EXPECT_TRUE(mann_whitney_u(a, b, 100).exact);
}

TEST(MannWhitney, AllTiedOrEmptyGivesNoEvidence) {
  const std::vector<double> a{3, 3, 3, 3}, b{3, 3, 3, 3}, none;
  EXPECT_DOUBLE_EQ(mann_whitney_u(a, b).p_value, 1.0);
  EXPECT_DOUBLE_EQ(mann_whitney_u(a, none).p_value, 1.0);
}

TEST(RatioOfMedians, SeededAndBracketsTheEstimate) {
  const std::vector<double> slow{200, 202, 198, 201, 199, 203, 197},
      fast{100, 101, 99, 100.5, 99.5, 102, 98};
  const auto e = ratio_of_medians(slow, fast);
  EXPECT_NEAR(e.ratio, 2.0, 1e-12);
  EXPECT_LE(e.ci_low, e.ratio);
  EXPECT_GE(e.ci_high, e.ratio);
  EXPECT_GT(e.ci_low, 1.9);
  EXPECT_LT(e.ci_high, 2.1);
  const auto again = ratio_of_medians(slow, fast);
  EXPECT_DOUBLE_EQ(again.ci_low, e.ci_low);
  EXPECT_DOUBLE_EQ(again.ci_high, e.ci_high);
}

}  // namespace
}  // namespace worthit::reports
