#include <gtest/gtest.h>

#include <vector>

#include "worthit/harness/host_probe.h"
#include "worthit/results/host_steadiness.h"

using namespace worthit;

TEST(HostSteadiness, RatiosAreToTheFastestReading) {
  // Ten readings: the fastest 2 ms, one in ten at 3.8 ms.
  const std::vector<double> ms = {2.0, 2.02, 2.1, 2.0, 2.04, 2.06, 2.0, 2.08, 2.02, 3.8};
  std::vector<double> ns;
  for (double m : ms) ns.push_back(m * 1e6);
  const HostSteadiness h = summarize_host_probes(ns);
  EXPECT_EQ(h.probe_ns, ns);
  EXPECT_DOUBLE_EQ(h.fastest_ns, 2.0e6);
  EXPECT_NEAR(h.median_ratio, 1.015, 1e-9);
  EXPECT_NEAR(h.max_ratio, 1.9, 1e-9);
  // Type-7 quantile: 0.9 of the way is between 2.1 ms and 3.8 ms.
  EXPECT_NEAR(h.p90_ratio, (2.1 + 0.1 * (3.8 - 2.1)) / 2.0, 1e-9);
}

TEST(HostSteadiness, NoisyWhenOneProbeInTenRunsOverTenPercentSlower) {
  struct Row {
    std::vector<double> probes;
    bool noisy;
  };
  const std::vector<Row> table = {
      {{}, false},     // no rounds: nothing to say
      {{100}, false},  // one reading is its own fastest
      {{100, 101, 103, 102, 104, 100, 102, 101, 103, 140}, false},  // one outlier in ten
      {{100, 100, 100, 100, 100, 100, 100, 100, 100, 109}, false},
      {{100, 140, 190, 100, 140, 190, 100, 140, 190, 100}, true},  // the VM's three levels
      {{100, 100, 100, 100, 100, 100, 100, 100, 115, 115}, true},
  };
  for (const Row& row : table) {
    const HostSteadiness h = summarize_host_probes(row.probes);
    EXPECT_EQ(host_was_noisy(h), row.noisy) << "p90 " << h.p90_ratio;
    if (row.probes.empty()) continue;
    const std::string line = describe(h);
    EXPECT_EQ(line.rfind(row.noisy ? "host noisy: " : "host steady: ", 0), 0u) << line;
    EXPECT_NE(line.find(std::to_string(row.probes.size()) + " sampling rounds"), std::string::npos)
        << line;
  }
}

TEST(HostSteadiness, SlowWhenEvenTheFastestProbeIsWellOverTheCalibratedOne) {
  struct Row {
    std::vector<double> probes;
    double reference;
    bool slow, noisy;
    const char* starts;
  };
  // The VM's two states: the probe's fastest time, or about twice it (in
  // units of 10 us, so a reference of 100 is 1 ms).
  const std::vector<Row> table = {
      {{200, 202, 201, 204, 200, 203}, 100, true, false, "host slow: "},     // slow throughout
      {{200, 202, 201, 204, 200, 203}, 0, false, false, "host steady: "},    // no reference
      {{110, 112, 111, 114, 110, 113}, 100, false, false, "host steady: "},  // within 1.25x
      {{100, 200, 100, 200, 200, 100}, 100, false, true, "host noisy: "},    // both states
      {{200, 400, 200, 400, 400, 200}, 100, true, true, "host noisy: "},     // slow and noisy
      {{90, 91, 92, 90}, 100, false, false, "host steady: "},  // faster than at calibration
      {{}, 100, false, false, nullptr},                        // no rounds: nothing to say
  };
  for (const Row& row : table) {
    std::vector<double> ns;
    for (double p : row.probes) ns.push_back(p * 1e4);
    const HostSteadiness h = summarize_host_probes(ns, row.reference * 1e4);
    EXPECT_EQ(host_ran_slow(h), row.slow) << "floor " << host_floor_ratio(h);
    EXPECT_EQ(host_was_noisy(h), row.noisy) << "p90 " << h.p90_ratio;
    EXPECT_EQ(host_needs_a_warning(h), row.slow || row.noisy);
    if (!row.starts) continue;
    const std::string line = describe(h);
    EXPECT_EQ(line.rfind(row.starts, 0), 0u) << line;
    EXPECT_EQ(line.find("its fastest was 2.00x the 1.0 ms") != std::string::npos, row.slow) << line;
  }
}

TEST(HostProbe, TimesTheSameWorkEveryCall) {
  // Not a benchmark: the probe returns a positive time, and its fastest of a
  // few readings is within a small factor of its slowest on any machine
  // that runs this test (a probe that did no work, or varying work, fails).
  std::vector<double> ns;
  for (int i = 0; i < 5; ++i) ns.push_back(probe_host_ns());
  for (double t : ns) EXPECT_GT(t, 1e4) << "the loop was optimised away";
  const HostSteadiness h = summarize_host_probes(ns);
  EXPECT_LT(h.max_ratio, 20.0);
}
