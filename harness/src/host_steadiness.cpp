#include "worthit/results/host_steadiness.h"

#include <algorithm>
#include <cstdio>

#include "worthit/results/stats.h"

namespace worthit {

HostSteadiness summarize_host_probes(std::span<const double> probe_ns, double reference_ns) {
  HostSteadiness h;
  h.reference_ns = reference_ns > 0 ? reference_ns : 0;
  h.probe_ns.assign(probe_ns.begin(), probe_ns.end());
  if (probe_ns.empty()) return h;
  h.fastest_ns = *std::min_element(probe_ns.begin(), probe_ns.end());
  if (h.fastest_ns <= 0) return h;
  h.median_ratio = median(probe_ns) / h.fastest_ns;
  h.p90_ratio = quantile(probe_ns, 0.9) / h.fastest_ns;
  h.max_ratio = *std::max_element(probe_ns.begin(), probe_ns.end()) / h.fastest_ns;
  return h;
}

bool host_was_noisy(const HostSteadiness& h) {
  return !h.probe_ns.empty() && h.p90_ratio > kNoisyHostP90Ratio;
}

double host_floor_ratio(const HostSteadiness& h) {
  return h.reference_ns > 0 && h.fastest_ns > 0 ? h.fastest_ns / h.reference_ns : 1.0;
}

bool host_ran_slow(const HostSteadiness& h) {
  return !h.probe_ns.empty() && host_floor_ratio(h) > kSlowHostFloorRatio;
}

bool host_needs_a_warning(const HostSteadiness& h) { return host_was_noisy(h) || host_ran_slow(h); }

std::string describe(const HostSteadiness& h) {
  char buf[320];
  const int rounds = static_cast<int>(h.probe_ns.size());
  if (host_was_noisy(h))
    std::snprintf(buf, sizeof buf,
                  "host noisy: a fixed %.1f ms probe, timed before each of %d sampling rounds, "
                  "ran up to %.2fx its fastest time (%.2fx or less in 9 of 10); unstable rows "
                  "reflect the machine as well as the candidates",
                  h.fastest_ns / 1e6, rounds, h.max_ratio, h.p90_ratio);
  else
    std::snprintf(buf, sizeof buf,
                  "host %s: a fixed %.1f ms probe, timed before each of %d sampling rounds, "
                  "ran within %.2fx of its fastest time in 9 of 10 (up to %.2fx)",
                  host_ran_slow(h) ? "slow" : "steady", h.fastest_ns / 1e6, rounds, h.p90_ratio,
                  h.max_ratio);
  std::string line = buf;
  if (host_ran_slow(h)) {
    std::snprintf(buf, sizeof buf,
                  "; its fastest was %.2fx the %.1f ms the probe takes on this machine at its "
                  "best (worthit calibrate), so every timing is from a slow state of the host",
                  host_floor_ratio(h), h.reference_ns / 1e6);
    line += buf;
  }
  return line;
}

}  // namespace worthit
