#include "worthit/harness/sampling.h"

#include <algorithm>
#include <chrono>
#include <exception>

#include "worthit/results/stats.h"

namespace worthit {

const char* to_string(StopReason r) {
  switch (r) {
    case StopReason::sampling:
      return "sampling";
    case StopReason::target_ci:
      return "target-ci";
    case StopReason::time_budget:
      return "time-budget";
    case StopReason::repetitions:
      return "repetitions";
    case StopReason::max_repetitions:
      return "max-repetitions";
    case StopReason::failed:
      return "failed";
  }
  return "sampling";
}

double median_ci_halfwidth(std::span<const double> samples_ns, const SamplingOptions& o) {
  if (samples_ns.size() < 2) return 1e300;
  const auto [lo, hi] =
      bootstrap_median_ci(samples_ns, o.confidence, o.bootstrap_resamples, o.bootstrap_seed);
  return relative_halfwidth(median(samples_ns), lo, hi);
}

StopReason stop_reason(std::span<const double> samples_ns, double elapsed_s,
                       const SamplingOptions& o, double next_round_s) {
  const int n = static_cast<int>(samples_ns.size());
  if (n < std::max(1, o.min_repetitions)) return StopReason::sampling;
  if (o.target_ci <= 0) return StopReason::repetitions;
  if (median_ci_halfwidth(samples_ns, o) <= o.target_ci) return StopReason::target_ci;
  if (o.max_repetitions > 0 && n >= o.max_repetitions) return StopReason::max_repetitions;
  if (o.max_time_s > 0 &&
      (elapsed_s >= o.max_time_s || elapsed_s + std::max(0.0, next_round_s) > o.max_time_s))
    return StopReason::time_budget;
  return StopReason::sampling;
}

std::vector<SampledSeries> sample_interleaved(const std::vector<SampleSource>& sources,
                                              const SamplingOptions& options,
                                              const std::function<void(int, int)>& on_round,
                                              const std::function<double()>& now_s) {
  const auto clock = [&]() -> double {
    if (now_s) return now_s();
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  };
  std::vector<SampledSeries> series(sources.size());
  std::vector<size_t> active;
  for (size_t i = 0; i < sources.size(); ++i) active.push_back(i);
  const double start = clock();
  int seq = 0;
  for (int round = 0; !active.empty(); ++round) {
    if (on_round) on_round(round, static_cast<int>(active.size()));
    const double round_start = clock();
    for (size_t k = 0; k < active.size(); ++k) {
      const size_t i = active[(k + static_cast<size_t>(round)) % active.size()];
      SampledSeries& s = series[i];
      try {
        const Measurement m = sources[i].measure();
        s.samples_ns.push_back(m.ns_per_call);
        s.iterations.push_back(m.iterations);
        s.seq.push_back(seq++);
      } catch (const std::exception& e) {
        s.stop = StopReason::failed;
        s.error = e.what();
      }
    }
    // Decided after the whole round, so that every source still sampling got
    // the same time slice of the machine in this round.
    const double now = clock();
    const double elapsed = now - start;
    const double round_s = now - round_start;
    std::vector<size_t> still;
    for (size_t i : active) {
      SampledSeries& s = series[i];
      if (s.stop == StopReason::sampling)
        s.stop = stop_reason(s.samples_ns, elapsed, options, round_s);
      if (s.stop == StopReason::sampling) still.push_back(i);
    }
    active = std::move(still);
  }
  return series;
}

}  // namespace worthit
