#include "worthit/reports/rank_test.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

#include "worthit/results/stats.h"

namespace worthit::reports {

double mann_whitney_exact_cdf(int m, int n, double u) {
  if (m <= 0 || n <= 0) return 1.0;
  if (u < 0) return 0.0;
  const int max_u = m * n;
  if (u >= max_u) return 1.0;
  // f[j][k] = P(U = k) for sizes (i, j) under the null, built by the largest
  // value's origin: from the first sample (prob i/(i+j)) it beats all j values.
  std::vector<std::vector<double>> f(static_cast<size_t>(n) + 1,
                                     std::vector<double>(static_cast<size_t>(max_u) + 1, 0.0));
  for (int j = 0; j <= n; ++j) f[j][0] = 1.0;  // i = 0: U is always 0
  for (int i = 1; i <= m; ++i) {
    // f[0] stays "U = 0 with certainty"; rows j >= 1 update in increasing j so
    // f[j - 1] already holds size (i, j - 1) while f[j] still holds (i - 1, j).
    for (int j = 1; j <= n; ++j) {
      const double pa = static_cast<double>(i) / (i + j);
      const double pb = 1.0 - pa;
      const int top = i * j;
      std::vector<double> next(static_cast<size_t>(max_u) + 1, 0.0);
      for (int k = 0; k <= top; ++k) {
        const double from_a = k >= j ? f[j][k - j] : 0.0;
        next[k] = pa * from_a + pb * f[j - 1][k];
      }
      f[j] = std::move(next);
    }
  }
  const int upto = static_cast<int>(std::floor(u + 1e-9));
  double cdf = 0;
  for (int k = 0; k <= upto; ++k) cdf += f[n][k];
  return std::min(1.0, cdf);
}

MannWhitneyResult mann_whitney_u(std::span<const double> a, std::span<const double> b,
                                 int exact_limit) {
  MannWhitneyResult r;
  // NaN has no rank (and would break the sort's ordering): it is left out.
  std::vector<std::pair<double, int>> pooled;
  pooled.reserve(a.size() + b.size());
  size_t m = 0, n = 0;
  for (double x : a)
    if (!std::isnan(x)) pooled.emplace_back(x, 0), ++m;
  for (double x : b)
    if (!std::isnan(x)) pooled.emplace_back(x, 1), ++n;
  if (m == 0 || n == 0) return r;
  const size_t total = m + n;
  std::sort(pooled.begin(), pooled.end());
  double rank_sum_a = 0, tie_term = 0;
  for (size_t i = 0; i < total;) {
    // Sorted, so "not smaller" means tied; j always passes i.
    size_t j = i + 1;
    while (j < total && !(pooled[i].first < pooled[j].first)) ++j;
    const double t = static_cast<double>(j - i);
    const double midrank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2.0;
    for (size_t k = i; k < j; ++k)
      if (pooled[k].second == 0) rank_sum_a += midrank;
    if (t > 1) {
      r.ties = true;
      tie_term += t * t * t - t;
    }
    i = j;
  }
  const double md = static_cast<double>(m), nd = static_cast<double>(n);
  r.u = rank_sum_a - md * (md + 1) / 2.0;
  const double mean_u = md * nd / 2.0;
  if (!r.ties && static_cast<int>(m) <= exact_limit && static_cast<int>(n) <= exact_limit) {
    r.exact = true;
    const double lower = mann_whitney_exact_cdf(static_cast<int>(m), static_cast<int>(n), r.u);
    const double upper =
        mann_whitney_exact_cdf(static_cast<int>(m), static_cast<int>(n), md * nd - r.u);
    r.p_value = std::min(1.0, 2.0 * std::min(lower, upper));
    return r;
  }
  const double nn = md + nd;
  const double variance = md * nd / 12.0 * ((nn + 1) - tie_term / (nn * (nn - 1)));
  if (variance <= 0) {
    r.p_value = 1.0;  // every value tied: no evidence either way
    return r;
  }
  const double z = std::max(0.0, std::abs(r.u - mean_u) - 0.5) / std::sqrt(variance);
  r.p_value = std::min(1.0, std::erfc(z / std::sqrt(2.0)));
  return r;
}

RatioEstimate ratio_of_medians(std::span<const double> numerator,
                               std::span<const double> denominator, double confidence,
                               int resamples, uint64_t seed, std::span<const int> numerator_groups,
                               std::span<const int> denominator_groups) {
  RatioEstimate e;
  if (numerator.empty() || denominator.empty()) return e;
  const double den = median(denominator);
  e.ratio = den > 0 ? median(numerator) / den : 0.0;
  e.ci_low = e.ci_high = e.ratio;
  if (resamples <= 0 || (numerator.size() < 2 && denominator.size() < 2)) return e;
  std::mt19937_64 rng(seed);
  std::vector<double> ratios;
  ratios.reserve(static_cast<size_t>(resamples));
  const SampleResampler draw_n(numerator, numerator_groups);
  const SampleResampler draw_d(denominator, denominator_groups);
  std::vector<double> rn, rd;
  for (int i = 0; i < resamples; ++i) {
    draw_n.draw(rng, rn);
    draw_d.draw(rng, rd);
    const double d = median(rd);
    if (d > 0) ratios.push_back(median(rn) / d);
  }
  if (ratios.empty()) return e;
  const double tail = (1.0 - confidence) / 2.0;
  e.ci_low = quantile(ratios, tail);
  e.ci_high = quantile(ratios, 1.0 - tail);
  return e;
}

}  // namespace worthit::reports
