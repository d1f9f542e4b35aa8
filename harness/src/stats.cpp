#include "worthit/results/stats.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

namespace worthit {

double quantile(std::span<const double> xs, double q) {
  if (xs.empty()) return 0;
  std::vector<double> v(xs.begin(), xs.end());
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<size_t>(std::floor(pos));
  const auto hi = std::min(lo + 1, v.size() - 1);
  const double frac = pos - static_cast<double>(lo);
  return v[lo] + (v[hi] - v[lo]) * frac;
}

double median(std::span<const double> xs) { return quantile(xs, 0.5); }

SampleResampler::SampleResampler(std::span<const double> xs, std::span<const int> groups) {
  if (groups.size() != xs.size() || xs.empty()) {
    groups_.emplace_back(xs.begin(), xs.end());
    return;
  }
  std::map<int, size_t> index;
  for (size_t i = 0; i < xs.size(); ++i) {
    auto [it, added] = index.emplace(groups[i], groups_.size());
    if (added) groups_.emplace_back();
    groups_[it->second].push_back(xs[i]);
  }
}

void SampleResampler::draw(std::mt19937_64& rng, std::vector<double>& out) const {
  out.clear();
  auto draw_from = [&](const std::vector<double>& g) {
    std::uniform_int_distribution<size_t> pick(0, g.size() - 1);
    for (size_t i = 0; i < g.size(); ++i) out.push_back(g[pick(rng)]);
  };
  if (groups_.size() == 1) {
    draw_from(groups_.front());
    return;
  }
  std::uniform_int_distribution<size_t> pick_group(0, groups_.size() - 1);
  for (size_t k = 0; k < groups_.size(); ++k) draw_from(groups_[pick_group(rng)]);
}

std::pair<double, double> bootstrap_median_ci(std::span<const double> xs, double confidence,
                                              int resamples, uint64_t seed,
                                              std::span<const int> groups) {
  if (xs.empty()) return {0, 0};
  if (xs.size() == 1 || resamples <= 0) {
    const double m = median(xs);
    return {m, m};
  }
  const SampleResampler resampler(xs, groups);
  std::mt19937_64 rng(seed);
  std::vector<double> medians(static_cast<size_t>(resamples));
  std::vector<double> resample;
  for (auto& m : medians) {
    resampler.draw(rng, resample);
    m = median(resample);
  }
  const double tail = (1.0 - confidence) / 2.0;
  return {quantile(medians, tail), quantile(medians, 1.0 - tail)};
}

SampleStats summarize(std::span<const double> samples, const StatsOptions& options,
                      std::span<const int> groups) {
  SampleStats s;
  s.n = static_cast<int>(samples.size());
  if (samples.empty()) {
    s.unstable = true;
    s.unstable_reason = "no samples";
    return s;
  }
  s.median = median(samples);
  s.q1 = quantile(samples, 0.25);
  s.q3 = quantile(samples, 0.75);
  s.iqr = s.q3 - s.q1;
  auto [lo, hi] = std::minmax_element(samples.begin(), samples.end());
  s.min = *lo;
  s.max = *hi;
  s.mean = std::accumulate(samples.begin(), samples.end(), 0.0) / s.n;
  double ss = 0;
  for (double x : samples) ss += (x - s.mean) * (x - s.mean);
  s.stddev = s.n > 1 ? std::sqrt(ss / (s.n - 1)) : 0.0;
  s.cv = s.mean > 0 ? s.stddev / s.mean : 0.0;
  std::tie(s.ci_low, s.ci_high) = bootstrap_median_ci(samples, 0.95, options.bootstrap_resamples,
                                                      options.bootstrap_seed, groups);
  if (s.n < options.min_samples) {
    s.unstable = true;
    s.unstable_reason = "only " + std::to_string(s.n) + " repetitions (need " +
                        std::to_string(options.min_samples) + ")";
  } else if (s.cv >= options.unstable_cv) {
    s.unstable = true;
    char buf[64];
    std::snprintf(buf, sizeof buf, "CV %.1f%% >= %.0f%%", s.cv * 100, options.unstable_cv * 100);
    s.unstable_reason = buf;
  }
  return s;
}

}  // namespace worthit
