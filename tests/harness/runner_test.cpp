#include <chrono>
#include <cstdlib>
#include <cstring>

#include <gtest/gtest.h>

#include "test_workload.h"
#include "worthit/harness/runner.h"

using namespace worthit;
using namespace worthit::testing;

namespace {

Registry make_registry() {
  Registry r;
  r.add_workload(std::make_shared<AffineWorkload>());
  r.add_candidate(affine_candidate("good", Fault::none));
  r.add_candidate(affine_candidate("framework", Fault::none, /*framework=*/true));
  r.add_candidate(affine_candidate("tail", Fault::unwritten_tail));
  r.add_candidate(affine_candidate("boom", Fault::throws));
  Candidate gone = affine_candidate("gone", Fault::none);
  gone.unavailable = [] { return std::optional<std::string>("needs a unicorn"); };
  r.add_candidate(gone);
  return r;
}

const BenchResult& find(const std::vector<BenchResult>& rs, const std::string& backend) {
  for (const auto& r : rs)
    if (r.backend == backend) return r;
  throw std::runtime_error("no result for " + backend);
}

}  // namespace

TEST(Glob, MatchesLikeAShell) {
  EXPECT_TRUE(glob_match("*", "gelu"));
  EXPECT_TRUE(glob_match("cpp-*", "cpp-simd"));
  EXPECT_TRUE(glob_match("g?lu", "gelu"));
  EXPECT_TRUE(glob_match("*norm*", "bias_residual_layernorm"));
  EXPECT_FALSE(glob_match("cpp-*", "libtorch"));
  EXPECT_FALSE(glob_match("gel", "gelu"));
}

TEST(Runner, GatesTimesAndRecordsEveryCandidate) {
  Registry registry = make_registry();
  BenchOptions o;
  o.quick = true;
  o.repetitions = 5;
  o.target_ci = 0;  // exactly 5
  o.min_time_s = 0.001;
  o.threads = 1;
  const Selection sel = select(registry, o);
  ASSERT_EQ(sel.items.size(), 1u);
  auto results = run_benchmarks(registry, sel, o, {});
  annotate_results(results, {});
  ASSERT_EQ(results.size(), 5u);

  const auto& good = find(results, "good");
  EXPECT_EQ(good.status, ResultStatus::ok);
  EXPECT_EQ(good.samples_ns.size(), 5u);
  EXPECT_EQ(good.stats.n, 5);
  EXPECT_GT(good.stats.median, 0);
  EXPECT_GT(good.gbps, 0);
  ASSERT_TRUE(good.speedup_vs_best_framework.has_value());

  const auto& tail = find(results, "tail");
  EXPECT_EQ(tail.status, ResultStatus::incorrect);
  EXPECT_TRUE(tail.samples_ns.empty()) << "an incorrect candidate must never be timed";
  EXPECT_FALSE(tail.speedup_vs_best_framework.has_value());

  EXPECT_EQ(find(results, "boom").status, ResultStatus::error);
  EXPECT_NE(find(results, "boom").reason.find("planted failure"), std::string::npos);
  EXPECT_EQ(find(results, "gone").status, ResultStatus::unavailable);
  EXPECT_EQ(find(results, "gone").reason, "needs a unicorn");
}

TEST(Runner, SelectsByGlobAndSize) {
  Registry registry = make_registry();
  BenchOptions o;
  o.backend_globs = {"go*"};
  o.sizes = {"n=2K"};
  const Selection sel = select(registry, o);
  ASSERT_EQ(sel.items.size(), 1u);
  ASSERT_EQ(sel.items[0].sizes.size(), 1u);
  EXPECT_EQ(sel.items[0].sizes[0].at("n"), 2048);
  EXPECT_EQ(sel.items[0].candidates.size(), 2u);  // good, gone

  o.sizes = {"m=3"};
  EXPECT_THROW(select(registry, o), std::invalid_argument);
}

// A call that takes at least `d`, recording when it started.
std::function<void()> timed_call(std::vector<std::chrono::steady_clock::time_point>& starts,
                                 std::chrono::microseconds d) {
  return [&starts, d] {
    const auto t0 = std::chrono::steady_clock::now();
    starts.push_back(t0);
    while (std::chrono::steady_clock::now() - t0 < d) {
    }
  };
}

TEST(Runner, EachRepetitionWarmsUpUntimedBeforeTheTimedCalls) {
  std::vector<std::chrono::steady_clock::time_point> starts;
  const auto run = timed_call(starts, std::chrono::microseconds(1000));
  // With a fixed count of 3, every call before the last 3 is warm-up.
  const Measurement m = measure_repetition("warm", run, 0.001, 3, 0.02);
  EXPECT_EQ(m.iterations, 3);
  ASSERT_GE(starts.size(), 4u);
  const size_t first_timed = starts.size() - 3;
  EXPECT_GE(std::chrono::duration<double>(starts[first_timed] - starts[0]).count(), 0.02);
  // The warm-up is not in the measurement: 1 ms calls, not 20 ms spread over 3.
  EXPECT_LT(m.ns_per_call, 5e6);

  starts.clear();
  measure_repetition("cold", run, 0.001, 3, 0);
  EXPECT_EQ(starts.size(), 3u) << "warmup 0 calls nothing untimed";

  // A call longer than the warm-up: exactly one untimed call.
  std::vector<std::chrono::steady_clock::time_point> slow_starts;
  measure_repetition("slow", timed_call(slow_starts, std::chrono::microseconds(5000)), 0.001, 2,
                     0.001);
  EXPECT_EQ(slow_starts.size(), 3u);
  // A call that fills min_time by itself is not warmed up after the first
  // repetition: an untimed call would double the repetition.
  slow_starts.clear();
  measure_repetition("slow", timed_call(slow_starts, std::chrono::microseconds(5000)), 0.001, 1,
                     0.02);
  EXPECT_EQ(slow_starts.size(), 1u);
}

TEST(Runner, PlantedSlowdownIsParsedPerCandidate) {
  ::setenv("WORTHIT_PLANT_SLOWDOWN", "affine/good=10%,*/frame*=5", 1);
  EXPECT_DOUBLE_EQ(planted_slowdown_for("affine/good"), 0.10);
  EXPECT_DOUBLE_EQ(planted_slowdown_for("affine/framework"), 0.05);
  EXPECT_DOUBLE_EQ(planted_slowdown_for("affine/tail"), 0.0);
  ::unsetenv("WORTHIT_PLANT_SLOWDOWN");
  EXPECT_DOUBLE_EQ(planted_slowdown_for("affine/good"), 0.0);
}

TEST(Runner, InputsAreIdenticalForASeedAndDifferForAnother) {
  AffineWorkload w;
  const Size s = w.make_size({{"n", 1000}});
  const Buffers a = w.make_inputs(s, 42), b = w.make_inputs(s, 42), c = w.make_inputs(s, 43);
  EXPECT_EQ(std::memcmp(a[0].data(), b[0].data(), a[0].bytes()), 0);
  EXPECT_NE(std::memcmp(a[0].data(), c[0].data(), a[0].bytes()), 0);
}

TEST(Runner, EachResultUsesItsOwnDevicesCeilings) {
  auto result = [](const std::string& device) {
    BenchResult r;
    r.workload = "w";
    r.size = "n=1";
    r.candidate = "w/x";
    r.device = device;
    r.bytes = 1000;
    r.flops = 100;
    r.stats.median = 100;  // ns: 10 GB/s, 1 GFLOP/s
    return r;
  };
  std::vector<BenchResult> results = {result("cpu"), result("cuda"), result("xpu")};
  Calibration cpu;
  cpu.device = "cpu";
  cpu.memory_bandwidth_gbs = 20;
  cpu.peak_gflops = 4;
  Calibration gpu = cpu;
  gpu.device = "cuda";
  gpu.memory_bandwidth_gbs = 1000;
  gpu.peak_gflops = 100;
  annotate_results(results, {cpu, gpu});
  EXPECT_DOUBLE_EQ(results[0].pct_bandwidth, 50);
  EXPECT_DOUBLE_EQ(results[0].pct_peak_flops, 25);
  EXPECT_DOUBLE_EQ(results[1].pct_bandwidth, 1);
  EXPECT_DOUBLE_EQ(results[1].pct_peak_flops, 1);
  EXPECT_DOUBLE_EQ(results[2].pct_bandwidth, 0) << "no calibration for this device";

  ResultsFile file;
  file.calibration = cpu;
  file.gpu_calibration = gpu;
  EXPECT_EQ(file.calibration_for("cuda"), &*file.gpu_calibration);
  EXPECT_EQ(file.calibration_for("cpu"), &*file.calibration);
  EXPECT_EQ(file.calibration_for("xpu"), nullptr);
}
