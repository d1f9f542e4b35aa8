// The runner's device-timing path (PreparedRun::timed_run, Google Benchmark
// manual time) and the hot/cold grouping of speedups, on the CPU: the timed
// runs here are fakes that report a chosen "device" time.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>

#include "test_workload.h"
#include "worthit/harness/runner.h"

using namespace worthit;
using namespace worthit::testing;

namespace {

// An affine candidate that reports `seconds` of device time per timed run of
// `calls` calls (and really computes y = 2x + 1 in `run`, for the gate).
Candidate device_timed(const std::string& backend, double seconds, int64_t calls,
                       std::shared_ptr<std::atomic<int64_t>> invocations, bool fails = false) {
  Candidate c = affine_candidate(backend, Fault::none);
  c.device = "cuda";
  auto host = c.prepare;
  c.prepare = [=](const Buffers& in, Buffers& out, const RunContext& ctx) {
    PreparedRun p = host(in, out, ctx);
    p.calls_per_timed_run = calls;
    p.timed_run = [=] {
      ++*invocations;
      if (fails)
        throw std::runtime_error(
            "launching affine: cudaErrorIllegalAddress: an illegal memory access");
      return seconds;
    };
    return p;
  };
  return c;
}

}  // namespace

TEST(DeviceTiming, ManualTimeIsPerCallAndWarmsUp) {
  std::atomic<int64_t> invocations = 0;
  auto timed = [&] {
    ++invocations;
    return 1e-4;  // 100 us for a batch of 4 calls
  };
  const Measurement m = measure_device_once("fake/device", timed, 4, 0.01);
  EXPECT_NEAR(m.ns_per_call, 25'000.0, 1e-6);  // summed by Google Benchmark: rounding only
  ASSERT_GT(m.iterations, 0);
  EXPECT_EQ(m.iterations % 4, 0) << "iterations count calls, 4 per invocation";
  // Two untimed warm-up invocations, then Google Benchmark's own.
  EXPECT_GE(invocations.load(), 2 + m.iterations / 4);
  // min_time is device time: 0.01 s at 100 us per invocation is ~100 of them.
  EXPECT_GE(m.iterations / 4, 90);
  EXPECT_LE(m.iterations / 4, 2000);

  // A fixed count (later repetitions) runs exactly that, with no warm-up.
  invocations = 0;
  const Measurement fixed = measure_device_once("fake/device", timed, 4, 0.01, 7);
  EXPECT_EQ(fixed.iterations, 28);
  EXPECT_EQ(invocations.load(), 7);
}

TEST(DeviceTiming, RejectsANonPositiveCallCount) {
  EXPECT_THROW(measure_device_once(
                   "fake/device", [] { return 1e-6; }, 0, 0.001),
               std::invalid_argument);
}

TEST(DeviceTiming, RunnerUsesTimedRunAndGatesWithRun) {
  Registry registry;
  registry.add_workload(std::make_shared<AffineWorkload>());
  auto hot_calls = std::make_shared<std::atomic<int64_t>>(0);
  auto broken_calls = std::make_shared<std::atomic<int64_t>>(0);
  registry.add_candidate(device_timed("dev", 2e-6, 2, hot_calls));
  registry.add_candidate(device_timed("dev-broken", 2e-6, 1, broken_calls, /*fails=*/true));
  registry.add_candidate(affine_candidate("host", Fault::none));
  BenchOptions o;
  o.quick = true;
  o.repetitions = 3;
  o.min_time_s = 0.001;
  o.threads = 1;
  auto results = run_benchmarks(registry, select(registry, o), o, {});
  ASSERT_EQ(results.size(), 3u);
  const BenchResult* dev = nullptr;
  const BenchResult* broken = nullptr;
  const BenchResult* host = nullptr;
  for (const auto& r : results) {
    if (r.backend == "dev") dev = &r;
    if (r.backend == "dev-broken") broken = &r;
    if (r.backend == "host") host = &r;
  }
  ASSERT_TRUE(dev && broken && host);

  EXPECT_EQ(dev->status, ResultStatus::ok) << dev->reason;
  EXPECT_TRUE(dev->correctness.passed) << "the gate ran `run`";
  ASSERT_EQ(dev->samples_ns.size(), 3u);
  for (double ns : dev->samples_ns) EXPECT_NEAR(ns, 1000.0, 1e-6) << "2 us per 2 calls";
  EXPECT_EQ(dev->device, "cuda");
  // Every repetition after the first reuses the first one's invocation count.
  ASSERT_EQ(dev->iterations.size(), 3u);
  EXPECT_EQ(dev->iterations[1], dev->iterations[0]);
  EXPECT_EQ(dev->iterations[2], dev->iterations[0]);
  EXPECT_EQ(dev->iterations[0] % 2, 0);

  EXPECT_EQ(broken->status, ResultStatus::error);
  EXPECT_NE(broken->reason.find("cudaErrorIllegalAddress"), std::string::npos) << broken->reason;

  EXPECT_EQ(host->status, ResultStatus::ok);
  EXPECT_GT(host->stats.median, 0);
}

TEST(DeviceTiming, PlantedSlowdownScalesDeviceTime) {
  ::setenv("WORTHIT_PLANT_SLOWDOWN", "fake/slow=50", 1);
  const Measurement m = measure_device_once(
      "fake/slow", [] { return 1e-5; }, 1, 0.001, 3);
  ::unsetenv("WORTHIT_PLANT_SLOWDOWN");
  EXPECT_NEAR(m.ns_per_call, 15'000.0, 1e-6);
}

TEST(DeviceTiming, ColdResultsCompareWithColdFrameworkResults) {
  auto row = [](const std::string& backend, bool framework, double median_ns) {
    BenchResult r;
    r.workload = "gelu";
    r.size = "n=1";
    r.backend = backend;
    r.candidate = "gelu/" + backend;
    r.device = "cuda";
    r.framework = framework;
    r.bytes = 8;
    r.stats.median = median_ns;
    return r;
  };
  std::vector<BenchResult> rs = {row("libtorch-cuda", true, 100),
                                 row("libtorch-cuda-cold", true, 300), row("cuda", false, 50),
                                 row("cuda-cold", false, 200)};
  annotate_results(rs, {});
  ASSERT_TRUE(rs[2].speedup_vs_best_framework && rs[3].speedup_vs_best_framework);
  EXPECT_DOUBLE_EQ(*rs[2].speedup_vs_best_framework, 2.0);  // 100 / 50, hot with hot
  EXPECT_DOUBLE_EQ(*rs[3].speedup_vs_best_framework, 1.5);  // 300 / 200, cold with cold
}
