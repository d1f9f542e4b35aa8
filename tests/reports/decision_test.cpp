// Verdict logic on constructed result records: one test per verdict kind,
// the Amdahl cap, the cost-dependent bar, and changes across sizes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "worthit/reports/decision.h"
#include "worthit/reports/report_writers.h"
#include "worthit/results/stats.h"

namespace worthit::reports {
namespace {

// Ten samples around `median_ns` with a relative spread of `spread` (a fixed,
// symmetric pattern, so the median is exact and the test deterministic).
std::vector<double> samples(double median_ns, double spread = 0.01, int n = 10) {
  std::vector<double> s;
  for (int i = 0; i < n; ++i) {
    const double k = (i - (n - 1) / 2.0) / ((n - 1) / 2.0);  // -1 .. 1
    s.push_back(median_ns * (1 + spread * k));
  }
  return s;
}

BenchResult record(const std::string& backend, bool framework, double median_ns,
                   double spread = 0.01, const std::string& size = "n=1024", int64_t n = 1024) {
  BenchResult r;
  r.workload = "gelu";
  r.size = size;
  r.params = {{"n", n}};
  r.candidate = "gelu/" + backend;
  r.backend = backend;
  r.framework = framework;
  r.samples_ns = samples(median_ns, spread);
  r.stats = summarize(r.samples_ns);
  return r;
}

BenchResult incorrect(const std::string& backend) {
  BenchResult r;
  r.workload = "gelu";
  r.size = "n=1024";
  r.params = {{"n", 1024}};
  r.candidate = "gelu/" + backend;
  r.backend = backend;
  r.framework = false;
  r.status = ResultStatus::incorrect;
  r.reason = "max relative error 3e-2 above tolerance 1e-5";
  return r;
}

DecisionInputs with_share(std::optional<double> share) {
  DecisionInputs in;
  in.share = share;
  in.source_root = WORTHIT_TEST_FIXTURES;
  return in;
}

bool mentions(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

TEST(Decision, FrameworkIsEnoughWhenCustomGainIsSmall) {
  // 1.05x faster, cost unknown (no sources): the policy asks 1.5x.
  const auto d = decide_group({record("libtorch", true, 1000), record("cpp-simd", false, 952)},
                              with_share(0.5), default_policy());
  EXPECT_EQ(d.verdict, Verdict::framework_is_enough) << d.reasons;
  ASSERT_TRUE(d.custom_speedup);
  EXPECT_NEAR(d.custom_speedup->value, 1000.0 / 952, 1e-9);
  EXPECT_DOUBLE_EQ(d.required_speedup, 1.5);
  EXPECT_TRUE(mentions(d.reasons, "1.05x")) << d.reasons;
  EXPECT_TRUE(mentions(d.reasons, "1.50x")) << d.reasons;
}

TEST(Decision, UseFrameworkJitWhenTheJitBeatsEagerAndCustomDoesNotPay) {
  const auto d = decide_group({record("libtorch", true, 1000), record("torch.compile", true, 700),
                               record("cpp-simd", false, 650)},
                              with_share(0.5), default_policy());
  EXPECT_EQ(d.verdict, Verdict::use_framework_jit) << d.reasons;
  ASSERT_TRUE(d.best_framework && d.eager && d.jit_speedup);
  EXPECT_EQ(d.best_framework->backend, "torch.compile");
  EXPECT_EQ(d.eager->backend, "libtorch");
  EXPECT_NEAR(d.jit_speedup->value, 1000.0 / 700, 1e-9);
  EXPECT_TRUE(mentions(d.reasons, "torch.compile")) << d.reasons;
}

TEST(Decision, CustomWorthItWhenFastEnoughForItsCostAndTheStep) {
  // scalar.cpp is low cost (bar 1.2x); 3.3x at 50% of the step is 1.54x end to end.
  auto custom = record("cpp-scalar", false, 300);
  custom.sources = {"src/scalar.cpp"};
  const auto d =
      decide_group({record("libtorch", true, 1000), custom}, with_share(0.5), default_policy());
  EXPECT_EQ(d.verdict, Verdict::custom_worth_it) << d.reasons;
  ASSERT_TRUE(d.maintenance && d.end_to_end && d.amdahl_limit);
  EXPECT_EQ(d.maintenance->cost, CostLevel::low);
  EXPECT_DOUBLE_EQ(d.required_speedup, 1.2);
  EXPECT_NEAR(d.end_to_end->value, amdahl(0.5, 1000.0 / 300), 1e-9);
  EXPECT_NEAR(*d.amdahl_limit, 2.0, 1e-12);
  EXPECT_TRUE(mentions(d.reasons, "3.33x")) << d.reasons;
  EXPECT_TRUE(mentions(d.reasons, "50.0%")) << d.reasons;
}

TEST(Decision, AmdahlCapsATenfoldSpeedupOfATwoPercentOp) {
  auto custom = record("cpp-scalar", false, 100);
  custom.sources = {"src/scalar.cpp"};
  const auto d =
      decide_group({record("libtorch", true, 1000), custom}, with_share(0.02), default_policy());
  EXPECT_EQ(d.verdict, Verdict::framework_is_enough) << d.reasons;
  ASSERT_TRUE(d.end_to_end);
  EXPECT_NEAR(d.custom_speedup->value, 10.0, 1e-9);
  EXPECT_LT(d.end_to_end->ci_high, 1.05);  // 1/(0.98 + 0.002) = 1.018
  EXPECT_TRUE(mentions(d.reasons, "2.0%")) << d.reasons;
  EXPECT_TRUE(mentions(d.reasons, "1.02x")) << d.reasons;
  // The same kernel without a known share is judged on the op alone.
  const auto alone = decide_group({record("libtorch", true, 1000), custom},
                                  with_share(std::nullopt), default_policy());
  EXPECT_EQ(alone.verdict, Verdict::custom_worth_it) << alone.reasons;
  EXPECT_TRUE(mentions(alone.reasons, "unknown")) << alone.reasons;
}

TEST(Decision, MaintenanceCostRaisesTheBar) {
  // 1.8x clears the low-cost bar (1.2x) but not the CUDA one (high: 2x).
  auto cheap = record("cpp-scalar", false, 1000 / 1.8);
  cheap.sources = {"src/scalar.cpp"};
  auto cuda = cheap;
  cuda.backend = "cuda";
  cuda.candidate = "gelu/cuda";
  cuda.sources = {"src/kernel.cu"};
  EXPECT_EQ(decide_group({record("libtorch", true, 1000), cheap}, with_share(1.0), default_policy())
                .verdict,
            Verdict::custom_worth_it);
  const auto d =
      decide_group({record("libtorch", true, 1000), cuda}, with_share(1.0), default_policy());
  EXPECT_EQ(d.verdict, Verdict::framework_is_enough) << d.reasons;
  EXPECT_DOUBLE_EQ(d.required_speedup, 2.0);
  EXPECT_TRUE(mentions(d.reasons, "nvcc")) << d.reasons;
}

TEST(Decision, InconclusiveWhenTooNoisy) {
  const auto d = decide_group({record("libtorch", true, 1000), record("cpp-simd", false, 300, 0.4)},
                              with_share(0.5), default_policy());
  EXPECT_EQ(d.verdict, Verdict::inconclusive) << d.reasons;
  EXPECT_TRUE(mentions(d.reasons, "CV")) << d.reasons;
}

TEST(Decision, InconclusiveWhenTheIntervalStraddlesTheBar) {
  // About 1.5x (the bar for unknown cost) with a spread that makes the interval cross it.
  const auto d =
      decide_group({record("libtorch", true, 1000, 0.09), record("cpp-simd", false, 667, 0.09)},
                   with_share(std::nullopt), default_policy());
  ASSERT_TRUE(d.custom_speedup);
  EXPECT_LT(d.custom_speedup->ci_low, 1.5);
  EXPECT_GT(d.custom_speedup->ci_high, 1.5);
  EXPECT_EQ(d.verdict, Verdict::inconclusive) << d.reasons;
  EXPECT_TRUE(mentions(d.reasons, "straddles")) << d.reasons;
}

TEST(Decision, InconclusiveWithTooFewRepetitions) {
  auto custom = record("cpp-simd", false, 300);
  custom.samples_ns.resize(3);
  const auto d =
      decide_group({record("libtorch", true, 1000), custom}, with_share(0.5), default_policy());
  EXPECT_EQ(d.verdict, Verdict::inconclusive) << d.reasons;
  EXPECT_TRUE(mentions(d.reasons, "3 repetitions")) << d.reasons;
}

TEST(Decision, CustomIncorrectWhenNoHandwrittenCandidatePassesTheGate) {
  const auto d = decide_group({record("libtorch", true, 1000), incorrect("cpp-simd")},
                              with_share(0.5), default_policy());
  EXPECT_EQ(d.verdict, Verdict::custom_incorrect) << d.reasons;
  ASSERT_EQ(d.incorrect_custom.size(), 1u);
  EXPECT_TRUE(mentions(d.reasons, "gelu/cpp-simd")) << d.reasons;
  EXPECT_FALSE(d.best_custom);
}

TEST(Decision, AnIncorrectCandidateIsNeverRankedButTheCorrectOneIs) {
  auto fast_but_wrong = incorrect("cpp-simd");
  auto correct = record("cpp-scalar", false, 900);
  const auto d = decide_group({record("libtorch", true, 1000), fast_but_wrong, correct},
                              with_share(0.5), default_policy());
  ASSERT_TRUE(d.best_custom);
  EXPECT_EQ(d.best_custom->backend, "cpp-scalar");
  EXPECT_EQ(d.verdict, Verdict::framework_is_enough);
  EXPECT_TRUE(mentions(d.reasons, "correctness gate")) << d.reasons;
}

TEST(Decision, NoFrameworkBaselineIsInconclusive) {
  const auto d = decide_group({record("cpp-simd", false, 300)}, with_share(0.5), default_policy());
  EXPECT_EQ(d.verdict, Verdict::inconclusive);
}

TEST(Decision, VerdictChangesAcrossSizes) {
  ResultsFile f;
  // Custom wins at the small size only; sizes listed largest first on purpose.
  auto big_fw = record("libtorch", true, 1e6, 0.01, "n=1M", 1 << 20);
  auto big_custom = record("cpp-scalar", false, 0.95e6, 0.01, "n=1M", 1 << 20);
  auto small_fw = record("libtorch", true, 1000, 0.01, "n=1k", 1024);
  auto small_custom = record("cpp-scalar", false, 250, 0.01, "n=1k", 1024);
  big_custom.sources = small_custom.sources = {"src/scalar.cpp"};
  f.results = {big_fw, big_custom, small_fw, small_custom};
  const auto report = decide(f, with_share(0.5), default_policy());
  ASSERT_EQ(report.decisions.size(), 2u);
  EXPECT_EQ(report.decisions[0].size, "n=1k");
  EXPECT_EQ(report.decisions[0].verdict, Verdict::custom_worth_it);
  EXPECT_EQ(report.decisions[1].verdict, Verdict::framework_is_enough);
  ASSERT_EQ(report.workloads.size(), 1u);
  ASSERT_EQ(report.workloads[0].changes.size(), 1u);
  EXPECT_EQ(report.workloads[0].changes[0].from_size, "n=1k");
  EXPECT_EQ(report.workloads[0].changes[0].to_size, "n=1M");
  EXPECT_TRUE(mentions(report.workloads[0].summary, "custom-worth-it at n=1k"));
}

TEST(ReportWriters, JsonAndMarkdownCarryTheVerdictsAndReasons) {
  ResultsFile f;
  auto custom = record("cpp-scalar", false, 300);
  custom.sources = {"src/scalar.cpp"};
  f.results = {record("libtorch", true, 1000), custom, incorrect("cpp-simd")};
  Report report = decide(f, with_share(0.5), default_policy());
  report.results_path = "results.json";
  const auto j = report_to_json(report);
  EXPECT_EQ(j["schema"], "worthit.report");
  EXPECT_EQ(j["schema_version"], 1);
  ASSERT_EQ(j["decisions"].size(), 1u);
  const auto& d = j["decisions"][0];
  EXPECT_EQ(d["verdict"], "custom-worth-it");
  EXPECT_EQ(d["q3"]["maintenance"]["code_lines"], 11);
  EXPECT_EQ(d["q3"]["maintenance"]["cost"], "low");
  EXPECT_EQ(d["q3"]["incorrect_custom"][0], "gelu/cpp-simd");
  EXPECT_EQ(d["q1"]["share_source"], "--share");
  EXPECT_EQ(d["candidates"].size(), 3u);
  EXPECT_EQ(d["candidates"][2]["status"], "incorrect");
  const std::string md = report_to_markdown(report);
  EXPECT_NE(md.find("# worthit report"), std::string::npos);
  EXPECT_NE(md.find("`custom-worth-it`"), std::string::npos);
  EXPECT_NE(md.find(report.decisions[0].reasons), std::string::npos);
}

TEST(Decision, GroupsWithNothingMeasuredBecomeAWarning) {
  ResultsFile f;
  auto cuda = record("cuda", false, 100);
  cuda.device = "cuda";
  cuda.status = ResultStatus::unavailable;
  cuda.reason = "no CUDA device";
  cuda.samples_ns.clear();
  f.results = {record("libtorch", true, 1000), record("cpp-simd", false, 900), cuda};
  const auto report = decide(f, with_share(0.5), default_policy());
  ASSERT_EQ(report.decisions.size(), 1u);
  EXPECT_EQ(report.decisions[0].device, "cpu");
  ASSERT_EQ(report.warnings.size(), 1u);
  EXPECT_TRUE(mentions(report.warnings[0], "no CUDA device")) << report.warnings[0];
}

TEST(Decision, VerdictNamesRoundTrip) {
  for (auto v : {Verdict::framework_is_enough, Verdict::use_framework_jit, Verdict::custom_worth_it,
                 Verdict::inconclusive, Verdict::custom_incorrect})
    EXPECT_EQ(verdict_from_string(to_string(v)), v);
}

}  // namespace
}  // namespace worthit::reports
