// How the host's speed moves over a few seconds: the measurement behind
// bench's host probe (docs/measurement.md, "On a shared host"). Alternates
// the probe (throughput-bound vector multiply-adds in L1) with a
// latency-bound scalar chain of about the same length, and prints, for each,
// the spread of the readings over the fastest one, then the probe's readings
// as 100 ms window medians, so that states that last longer than one reading
// show as runs of similar numbers.
//
//   build/<dir>/harness/bench/host_states [seconds, default 3]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "worthit/harness/host_probe.h"
#include "worthit/results/host_steadiness.h"
#include "worthit/results/stats.h"

namespace {

volatile double chain_sink = 0;

// Each multiply-add waits for the one before: the vector units sit idle.
[[gnu::noinline]] double scalar_chain_ns(long steps) {
  const auto t0 = std::chrono::steady_clock::now();
  double x = 1.0;
  for (long i = 0; i < steps; ++i) x = x * 1.0000001 + 1e-9;
  chain_sink = x;
  return std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
}

void print_spread(const char* what, const std::vector<double>& ns) {
  const worthit::HostSteadiness h = worthit::summarize_host_probes(ns);
  std::printf(
      "%-14s %5zu readings, fastest %.2f ms; over it: median %.2fx, p90 %.2fx, max %.2fx; CV "
      "%.1f%%\n",
      what, ns.size(), h.fastest_ns / 1e6, h.median_ratio, h.p90_ratio, h.max_ratio,
      100 * worthit::summarize(ns, {.bootstrap_resamples = 0}).cv);
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 3.0;
  if (!(seconds > 0)) {
    std::fprintf(stderr, "usage: host_states [seconds > 0]\n");
    return 2;
  }
  // Size the chain to the probe's length on this machine.
  const double probe_ns = worthit::probe_host_ns();
  long steps = 1000000;
  steps = static_cast<long>(static_cast<double>(steps) * probe_ns / scalar_chain_ns(steps));
  std::vector<double> probe, chain, at_s;
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    const double t =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (t >= seconds) break;
    at_s.push_back(t);
    probe.push_back(worthit::probe_host_ns());
    chain.push_back(scalar_chain_ns(steps));
  }
  print_spread("vector probe", probe);
  print_spread("scalar chain", chain);
  const double fastest = *std::min_element(probe.begin(), probe.end());
  std::printf("vector probe over its fastest, median of each 100 ms:\n");
  size_t i = 0;
  int printed = 0;
  while (i < probe.size()) {
    std::vector<double> window;
    const double until = at_s[i] + 0.1;
    for (; i < probe.size() && at_s[i] < until; ++i) window.push_back(probe[i] / fastest);
    std::printf(" %.2f%s", worthit::median(window), ++printed % 15 == 0 ? "\n" : "");
  }
  std::printf("\n");
  return 0;
}
