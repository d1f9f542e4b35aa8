// Classification of benchmark changes and the readers of both input formats.
#include <gtest/gtest.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "worthit/reports/compare.h"
#include "worthit/reports/compare_writers.h"
#include "worthit/results/file_io.h"

namespace worthit::reports {
namespace {

std::vector<double> around(double median_ns, int n = 10, double spread = 0.01) {
  std::vector<double> s;
  for (int i = 0; i < n; ++i)
    s.push_back(median_ns * (1 + spread * ((i % 5) - 2) / 2.0 + 1e-6 * i));
  return s;
}

TEST(CompareSamples, SameDistributionIsUnchanged) {
  const auto c = compare_samples("x", around(1000), around(1000), {});
  EXPECT_EQ(c.kind, ChangeKind::unchanged);
  EXPECT_FALSE(c.significant);
  EXPECT_NEAR(c.change, 0, 1e-4);
}

TEST(CompareSamples, TenPercentSlowerIsARegressionAndFasterAnImprovement) {
  const auto slow = compare_samples("x", around(1000), around(1100), {});
  EXPECT_EQ(slow.kind, ChangeKind::regressed);
  EXPECT_TRUE(slow.significant);
  EXPECT_NEAR(slow.change, 0.10, 1e-3);
  EXPECT_GT(slow.ci_low, 0.05);
  EXPECT_LT(slow.p_value, 0.001);
  EXPECT_TRUE(slow.exact);
  EXPECT_EQ(compare_samples("x", around(1000), around(900), {}).kind, ChangeKind::improved);
}

TEST(CompareSamples, SignificantButBelowThresholdIsUnchanged) {
  const auto c = compare_samples("x", around(1000, 10, 0.002), around(1020, 10, 0.002), {});
  EXPECT_TRUE(c.significant);
  EXPECT_EQ(c.kind, ChangeKind::unchanged);
  CompareOptions tight;
  tight.threshold = 0.01;
  EXPECT_EQ(compare_samples("x", around(1000, 10, 0.002), around(1020, 10, 0.002), tight).kind,
            ChangeKind::regressed);
}

TEST(CompareSamples, NeverSignificantBelowFourSamplesPerSide) {
  // A 50% slowdown with three samples: no claim, and the note says why.
  const auto c = compare_samples("x", around(1000, 3), around(1500, 3), {});
  EXPECT_EQ(c.kind, ChangeKind::noisy);
  EXPECT_FALSE(c.significant);
  EXPECT_NE(c.note.find("at least 4"), std::string::npos) << c.note;
}

TEST(CompareSamples, FourPerSideCannotReachAlphaOnePercentButFiveCan) {
  // Complete separation: 4 vs 4 gives p = 2/70 = 0.029, 5 vs 5 gives 2/252 = 0.008.
  const auto four = compare_samples("x", around(1000, 4), around(1500, 4), {});
  EXPECT_EQ(four.kind, ChangeKind::noisy);
  EXPECT_NEAR(four.p_value, 2.0 / 70, 1e-9);
  const auto five = compare_samples("x", around(1000, 5), around(1500, 5), {});
  EXPECT_EQ(five.kind, ChangeKind::regressed);
}

TEST(CompareSamples, LargeButInsignificantChangeIsNoisy) {
  const std::vector<double> base{100, 180, 95, 170, 105, 160, 98, 175, 102, 165};
  const std::vector<double> next{110, 190, 100, 185, 112, 170, 99, 188, 108, 178};
  const auto c = compare_samples("x", base, next, {});
  EXPECT_EQ(c.kind, ChangeKind::noisy);
}

BenchmarkSet set(const std::string& path, std::vector<BenchmarkSamples> b,
                 std::map<std::string, std::string> fp = {{"cpu", "A"}}) {
  return {path, "google-benchmark", std::move(fp), std::move(b)};
}

TEST(Compare, MissingNewWarningsAndExitDecision) {
  const auto base = set("base.json", {{"a", around(1000), "ok", "", "", "", {}},
                                      {"b", around(1000), "ok", "", "", "", {}},
                                      {"gone", around(1000), "ok", "", "", "", {}}});
  const auto next = set("new.json",
                        {{"a", around(1000), "ok", "", "", "", {}},
                         {"b", around(1200), "ok", "", "", "", {}},
                         {"added", around(10), "ok", "", "", "", {}}},
                        {{"cpu", "B"}});
  const auto c = compare(base, next, {});
  EXPECT_TRUE(c.regression);
  EXPECT_EQ(c.counts.at("regressed"), 1);
  EXPECT_EQ(c.counts.at("unchanged"), 1);
  EXPECT_EQ(c.counts.at("missing"), 1);
  EXPECT_EQ(c.counts.at("new"), 1);
  ASSERT_FALSE(c.warnings.empty());
  EXPECT_NE(c.warnings.front().find("machine differs"), std::string::npos);
  const auto md = comparison_to_markdown(c);
  EXPECT_NE(md.find("regressed"), std::string::npos);
  EXPECT_NE(md.find("`b`"), std::string::npos);
  const auto j = comparison_to_json(c);
  EXPECT_EQ(j["schema"], "worthit.compare");
  EXPECT_EQ(j["regression"], true);
}

TEST(Compare, WarnsUnderNineSamples) {
  const auto c = compare(set("b", {{"a", around(1000, 6), "ok", "", "", "", {}}}),
                         set("n", {{"a", around(1000, 6), "ok", "", "", "", {}}}), {});
  EXPECT_TRUE(std::any_of(c.warnings.begin(), c.warnings.end(), [](const std::string& w) {
    return w.find("fewer than 9") != std::string::npos;
  }));
}

TEST(Compare, MismatchedFilesAreErrorsNamingTheFile) {
  auto worthit_set = set("a.json", {{"a", around(1000), "ok", "", "", "", {}}});
  worthit_set.format = "worthit";
  try {
    compare(worthit_set, set("b.json", {{"a", around(1000), "ok", "", "", "", {}}}), {});
    FAIL() << "expected FileError";
  } catch (const FileError& e) {
    EXPECT_EQ(e.file(), "b.json");
  }
  EXPECT_THROW(compare(set("a.json", {{"a", around(1000), "ok", "", "", "", {}}}),
                       set("b.json", {{"z", around(1000), "ok", "", "", "", {}}}), {}),
               FileError);
}

TEST(Compare, ReadsGoogleBenchmarkRepetitionsNotAggregates) {
  const auto j = nlohmann::json::parse(R"({
    "context": {"host_name": "h", "num_cpus": 2},
    "benchmarks": [
      {"name": "BM_a/8", "run_name": "BM_a/8", "run_type": "iteration", "repetitions": 2,
       "repetition_index": 0, "iterations": 10, "real_time": 1.5, "cpu_time": 1.5, "time_unit": "us"},
      {"name": "BM_a/8", "run_name": "BM_a/8", "run_type": "iteration", "repetitions": 2,
       "repetition_index": 1, "iterations": 10, "real_time": 2.5, "cpu_time": 2.5, "time_unit": "us"},
      {"name": "BM_a/8_mean", "run_name": "BM_a/8", "run_type": "aggregate", "aggregate_name": "mean",
       "iterations": 2, "real_time": 2.0, "cpu_time": 2.0, "time_unit": "us"},
      {"name": "BM_b_mean", "run_name": "BM_b", "run_type": "aggregate", "aggregate_name": "mean",
       "iterations": 2, "real_time": 2.0, "cpu_time": 2.0, "time_unit": "ms"}
    ]})");
  const auto s = benchmark_set_from_json(j, "gb.json");
  EXPECT_EQ(s.format, "google-benchmark");
  ASSERT_EQ(s.benchmarks.size(), 2u);
  EXPECT_EQ(s.benchmarks[0].name, "BM_a/8");
  EXPECT_EQ(s.benchmarks[0].samples_ns, (std::vector<double>{1500, 2500}));
  EXPECT_EQ(s.benchmarks[1].status, "aggregates-only");
  EXPECT_EQ(s.fingerprint.at("host_name"), "h");
}

TEST(Compare, StructuralErrorsNameTheJsonPath) {
  const auto j = nlohmann::json::parse(R"({"benchmarks": [{"name": "a", "real_time": "fast"}]})");
  try {
    benchmark_set_from_json(j, "gb.json");
    FAIL() << "expected FileError";
  } catch (const FileError& e) {
    EXPECT_NE(std::string(e.what()).find("gb.json: benchmarks[0].real_time"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(benchmark_set_from_json(nlohmann::json::parse("[1, 2]"), "x.json"), FileError);
}

}  // namespace
}  // namespace worthit::reports

namespace worthit::reports {
namespace {

// Three candidates of one group measured in interleaved rounds; `load[r]`
// slows every candidate of round r alike, as other tenants of a machine do.
BenchmarkSet rounds(const std::string& path, const std::vector<double>& load, double slow_b = 1.0) {
  BenchmarkSet s{path, "worthit", {}, {}};
  const double base_ns[] = {1000, 2000, 3000};
  const char* names[] = {"a", "b", "c"};
  for (int k = 0; k < 3; ++k) {
    BenchmarkSamples b;
    b.name = std::string("w/") + names[k] + "/n=1";
    b.group = "w/n=1@cpu";
    b.backend = names[k];
    for (size_t r = 0; r < load.size(); ++r)
      b.samples_ns.push_back(base_ns[k] * load[r] * (k == 1 ? slow_b : 1.0) *
                             (1 + 0.002 * static_cast<double>((r * 7 + k * 3) % 5)));
    s.benchmarks.push_back(std::move(b));
  }
  return s;
}

TEST(CompareDrift, RoundByRoundNormalizationCancelsSharedLoad) {
  const std::vector<double> quiet{1.00, 1.01, 0.99, 1.00, 1.02, 0.98, 1.00, 1.01, 0.99, 1.00};
  std::vector<double> busy;
  for (size_t r = 0; r < quiet.size(); ++r) busy.push_back(quiet[r] * (r % 2 ? 1.25 : 1.12));
  const auto base = rounds("base.json", quiet);
  const auto same_but_busy = rounds("new.json", busy);
  // Raw, the busy machine looks like a regression of every candidate.
  EXPECT_TRUE(compare(base, same_but_busy, {}).regression);
  CompareOptions o;
  o.normalize = true;
  const auto corrected = compare(base, same_but_busy, o);
  EXPECT_FALSE(corrected.regression);
  for (const auto& b : corrected.benchmarks) {
    EXPECT_TRUE(b.normalized);
    EXPECT_NEAR(b.change, 0, 0.01) << b.name;
  }
  // A real 10% slowdown of one candidate still shows, busy machine or not.
  const auto slow = compare(base, rounds("new.json", busy, 1.10), o);
  EXPECT_TRUE(slow.regression);
  EXPECT_EQ(slow.benchmarks[1].kind, ChangeKind::regressed);
  EXPECT_NEAR(slow.benchmarks[1].change, 0.10, 0.01);
  // With a control, only the control is the reference: b against a.
  o.control = "a";
  const auto controlled = compare(base, rounds("new.json", busy, 1.10), o);
  EXPECT_EQ(controlled.benchmarks[1].kind, ChangeKind::regressed);
  EXPECT_EQ(controlled.benchmarks[2].kind, ChangeKind::unchanged);
}

TEST(CompareDrift, NeedsWorthitResults) {
  CompareOptions o;
  o.normalize = true;
  BenchmarkSet gb{"a.json", "google-benchmark", {}, {{"x", {1, 2, 3, 4}, "ok", "", "", "", {}}}};
  EXPECT_THROW(compare(gb, gb, o), FileError);
}

}  // namespace
}  // namespace worthit::reports

namespace worthit::reports {
namespace {

TEST(PoolRuns, ConcatenatesSamplesInFileOrder) {
  BenchmarkSet a{"a.json", "worthit", {{"cpu", "X"}}, {{"w/x/n", {1, 2}, "ok", "", "g", "x", {}}}};
  BenchmarkSet b{"b.json",
                 "worthit",
                 {{"cpu", "Y"}},
                 {{"w/x/n", {3}, "ok", "", "g", "x", {}}, {"w/y/n", {5}, "ok", "", "g", "y", {}}}};
  std::vector<std::string> warnings;
  const auto p = pool_runs({a, b}, warnings);
  EXPECT_EQ(p.path, "a.json,b.json");
  ASSERT_EQ(p.benchmarks.size(), 2u);
  EXPECT_EQ(p.benchmarks[0].samples_ns, (std::vector<double>{1, 2, 3}));
  // Each run is a process of its own, so the interval resamples runs.
  EXPECT_EQ(p.benchmarks[0].process, (std::vector<int>{0, 0, 1}));
  EXPECT_EQ(p.benchmarks[1].process, (std::vector<int>{1}));
  ASSERT_EQ(warnings.size(), 1u);
  b.format = "google-benchmark";
  EXPECT_THROW(pool_runs({a, b}, warnings), FileError);
}

TEST(PoolRuns, RunsOfSeveralProcessesKeepThemApart) {
  BenchmarkSamples x{"w/x/n", {1, 2, 3, 4}, "ok", "", "g", "x", {0, 0, 1, 1}};
  const BenchmarkSet a{"a.json", "worthit", {}, {x}};
  const BenchmarkSet b{"b.json", "worthit", {}, {x}};
  std::vector<std::string> warnings;
  const auto p = pool_runs({a, b}, warnings);
  ASSERT_EQ(p.benchmarks.size(), 1u);
  EXPECT_EQ(p.benchmarks[0].process, (std::vector<int>{0, 0, 1, 1, 2, 2, 3, 3}));
}

// `processes` sides of 9 samples each, every process offset by its own
// layout effect (+-3%), as measured between bench processes (docs/ci.md).
struct Side {
  std::vector<double> samples;
  std::vector<int> process;
};
Side processes_with_offsets(double median_ns, const std::vector<double>& offsets) {
  Side s;
  for (size_t p = 0; p < offsets.size(); ++p)
    for (double x : around(median_ns * (1 + offsets[p]), 9, 0.004)) {
      s.samples.push_back(x);
      s.process.push_back(static_cast<int>(p));
    }
  return s;
}

TEST(CompareSamples, SpreadBetweenProcessesIsNotTakenForAChange) {
  // The same build: the sides differ only by which layouts their processes
  // drew. Pooled as if independent, the samples look like a 4% regression.
  const auto base = processes_with_offsets(1000, {-0.02, -0.01, 0.0, 0.01, 0.02});
  const auto next = processes_with_offsets(1000, {-0.01, 0.02, 0.035, 0.04, 0.06});
  CompareOptions o;
  o.threshold = 0.03;
  const auto naive = compare_samples("x", base.samples, next.samples, o);
  EXPECT_EQ(naive.kind, ChangeKind::regressed);
  const auto aware =
      compare_samples("x", base.samples, next.samples, o, base.process, next.process);
  EXPECT_NE(aware.kind, ChangeKind::regressed);
  EXPECT_LT(aware.ci_low, 0.03);
  EXPECT_EQ(aware.base_processes, 5);
  EXPECT_EQ(aware.new_processes, 5);
  EXPECT_GT(aware.ci_high - aware.ci_low, naive.ci_high - naive.ci_low);
}

TEST(CompareSamples, ShiftOfEveryProcessIsStillARegression) {
  const std::vector<double> offsets{-0.005, 0.004, 0.0, -0.003, 0.005};
  auto slower = offsets;
  for (double& x : slower) x += 0.10;
  const auto base = processes_with_offsets(1000, offsets);
  const auto next = processes_with_offsets(1000, slower);
  const auto c = compare_samples("x", base.samples, next.samples, {}, base.process, next.process);
  EXPECT_EQ(c.kind, ChangeKind::regressed);
  EXPECT_NEAR(c.change, 0.10, 0.01);
}

TEST(Compare, WarnsWhenASideIsASingleProcess) {
  const auto one = compare(set("b", {{"a", around(1000), "ok", "", "", "", {}}}),
                           set("n", {{"a", around(1000), "ok", "", "", "", {}}}), {});
  auto mentions_processes = [](const Comparison& c) {
    return std::any_of(c.warnings.begin(), c.warnings.end(), [](const std::string& w) {
      return w.find("--processes") != std::string::npos;
    });
  };
  EXPECT_TRUE(mentions_processes(one));
  const auto s = processes_with_offsets(1000, {0, 0, 0, 0, 0});
  const BenchmarkSamples b{"a", s.samples, "ok", "", "", "", s.process};
  EXPECT_FALSE(mentions_processes(compare(set("b", {b}), set("n", {b}), {})));
}

}  // namespace
}  // namespace worthit::reports
