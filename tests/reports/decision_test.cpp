// Verdict logic on constructed result records: one test per verdict kind,
// the Amdahl cap, the cost-dependent bar, and changes across sizes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "worthit/reports/decision.h"
#include "worthit/reports/report_writers.h"
#include "worthit/results/stats.h"
#include "worthit/results/unavailable.h"

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

// ---- The pure decision, as a table ----------------------------------------

struct Row {
  const char* name;
  bool have_framework, have_custom, custom_incorrect, enough_samples;
  std::optional<Speedup> jit, custom, end_to_end;
  double required;
  Verdict verdict;
  DecisionWhy why;
  bool jit_wins;
};

Speedup sp(double lo, double v, double hi) { return {v, lo, hi}; }

TEST(DecideNumbers, Table) {
  const auto none = std::optional<Speedup>();
  const Speedup jit_clear = sp(1.3, 1.4, 1.5), jit_unclear = sp(0.95, 1.2, 1.45);
  const double share = 0.02;  // Amdahl caps a 2% op at 1/0.98 = 1.0204x
  const Speedup huge = sp(2868, 3000, 3451);
  const Speedup huge_e2e =
      sp(amdahl(share, huge.ci_low), amdahl(share, huge.value), amdahl(share, huge.ci_high));
  const std::vector<Row> rows = {
      // A 3000x kernel with a CV of 27%: the interval settles it.
      {"huge speedup, high CV", true, true, false, true, none, huge, none, 1.5,
       Verdict::custom_worth_it, DecisionWhy::custom_pays, false},
      // The same at --share 2%: Amdahl's limit is below the step bar.
      {"huge speedup, 2% share", true, true, false, true, none, huge, huge_e2e, 1.5,
       Verdict::framework_is_enough, DecisionWhy::step_below_bar, false},
      {"csv 10.6x, high cost", true, true, false, true, none, sp(9.8, 10.6, 11.8), none, 2.0,
       Verdict::custom_worth_it, DecisionWhy::custom_pays, false},
      // A custom kernel plainly slower, noisy: decisively not worth it.
      {"slower custom, high CV", true, true, false, true, none, sp(0.42, 0.49, 0.59), none, 1.5,
       Verdict::framework_is_enough, DecisionWhy::op_below_bar, false},
      {"slower custom, JIT wins", true, true, false, true, jit_clear, sp(0.42, 0.49, 0.59), none,
       1.5, Verdict::use_framework_jit, DecisionWhy::op_below_bar, true},
      {"JIT not clearly above 1x", true, true, false, true, jit_unclear, sp(0.42, 0.49, 0.59), none,
       1.5, Verdict::framework_is_enough, DecisionWhy::op_below_bar, false},
      {"just below the bar, narrow", true, true, false, true, none, sp(0.95, 1.0, 1.05), none, 1.2,
       Verdict::framework_is_enough, DecisionWhy::op_below_bar, false},
      {"straddles the op bar", true, true, false, true, none, sp(1.3, 1.5, 1.7), none, 1.5,
       Verdict::inconclusive, DecisionWhy::straddles_op_bar, false},
      {"low end exactly at the bar", true, true, false, true, none, sp(1.5, 1.6, 1.7), none, 1.5,
       Verdict::custom_worth_it, DecisionWhy::custom_pays, false},
      {"op clears, step straddles", true, true, false, true, none, sp(3, 3.5, 4),
       sp(1.03, 1.05, 1.07), 1.5, Verdict::inconclusive, DecisionWhy::straddles_step_bar, false},
      {"op clears, step clears", true, true, false, true, none, sp(3, 3.5, 4), sp(1.5, 1.6, 1.7),
       1.5, Verdict::custom_worth_it, DecisionWhy::custom_pays, false},
      {"op fails while step straddles", true, true, false, true, none, sp(1.0, 1.1, 1.2),
       sp(1.0, 1.05, 1.1), 1.5, Verdict::framework_is_enough, DecisionWhy::op_below_bar, false},
      {"no framework", false, true, false, true, none, none, none, 1.5, Verdict::inconclusive,
       DecisionWhy::no_framework, false},
      {"no framework, custom incorrect", false, false, true, true, none, none, none, 1.5,
       Verdict::custom_incorrect, DecisionWhy::all_custom_incorrect, false},
      {"no custom ran", true, false, false, true, none, none, none, 1.5,
       Verdict::framework_is_enough, DecisionWhy::no_custom, false},
      {"no custom ran, JIT wins", true, false, false, true, jit_clear, none, none, 1.5,
       Verdict::use_framework_jit, DecisionWhy::no_custom, true},
      {"every custom incorrect", true, false, true, true, none, none, none, 1.5,
       Verdict::custom_incorrect, DecisionWhy::all_custom_incorrect, false},
      {"too few samples", true, true, false, false, none, sp(3, 3.5, 4), none, 1.5,
       Verdict::inconclusive, DecisionWhy::too_few_samples, false},
  };
  for (const Row& r : rows) {
    DecisionNumbers n;
    n.have_framework = r.have_framework;
    n.have_custom = r.have_custom;
    n.custom_incorrect = r.custom_incorrect;
    n.enough_samples = r.enough_samples;
    n.jit = r.jit;
    n.custom = r.custom;
    n.end_to_end = r.end_to_end;
    n.required_speedup = r.required;
    const DecisionOutcome o = decide_numbers(n);
    EXPECT_EQ(o.verdict, r.verdict) << r.name << ": got " << to_string(o.verdict);
    EXPECT_EQ(o.why, r.why) << r.name << ": got " << to_string(o.why);
    EXPECT_EQ(o.jit_wins, r.jit_wins) << r.name;
  }
}

// Noise never makes a decision by itself: only an interval across the bar does.
TEST(DecideNumbers, InconclusiveOnlyWhenAnIntervalStraddlesItsBar) {
  for (double lo : {0.5, 1.0, 1.4, 1.5, 1.6, 3.0})
    for (double width : {0.01, 0.5, 2.0, 50.0}) {
      DecisionNumbers n;
      n.have_framework = n.have_custom = true;
      n.custom = sp(lo, lo + width / 2, lo + width);
      n.required_speedup = 1.5;
      const auto o = decide_numbers(n);
      const bool straddles = lo < 1.5 && lo + width >= 1.5;
      EXPECT_EQ(o.verdict == Verdict::inconclusive, straddles) << lo << " +" << width;
    }
}

// ---- Decisions over records ------------------------------------------------

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

TEST(Decision, NoiseWidensTheIntervalButDoesNotOverrideIt) {
  // CV about 27%: 3.3x with an interval far above the 1.5x bar.
  const auto d =
      decide_group({record("libtorch", true, 1000), record("cpp-simd", false, 300, 0.45)},
                   with_share(std::nullopt), default_policy());
  ASSERT_TRUE(d.best_custom);
  EXPECT_GT(d.best_custom->cv, 0.2);
  EXPECT_EQ(d.verdict, Verdict::custom_worth_it) << d.reasons;
  EXPECT_TRUE(mentions(d.reasons, "CV")) << d.reasons;
  EXPECT_TRUE(mentions(d.reasons, "still settles")) << d.reasons;
  // A plainly slower kernel, just as noisy: framework-is-enough, not inconclusive.
  const auto slow =
      decide_group({record("libtorch", true, 1000), record("cpp-simd", false, 2040, 0.45)},
                   with_share(std::nullopt), default_policy());
  EXPECT_EQ(slow.verdict, Verdict::framework_is_enough) << slow.reasons;
  EXPECT_TRUE(mentions(slow.reasons, "slower")) << slow.reasons;
}

// Reasons say "slower" for a factor below 1, never "0.01x faster".
TEST(Decision, FactorsBelowOneReadAsSlower) {
  auto custom = record("cpp-scalar", false, 100000);  // 100x slower than the framework
  custom.sources = {"src/scalar.cpp"};
  const auto d =
      decide_group({record("libtorch", true, 1000), custom}, with_share(0.5), default_policy());
  EXPECT_EQ(d.verdict, Verdict::framework_is_enough) << d.reasons;
  ASSERT_TRUE(d.end_to_end);
  EXPECT_LT(d.end_to_end->value, 1);
  EXPECT_TRUE(mentions(d.reasons, "100x slower than")) << d.reasons;
  // The step: 1 / (0.5 + 0.5 * 100) = 1/50.5.
  EXPECT_TRUE(mentions(d.reasons, "makes the whole step 50.5x slower")) << d.reasons;
  EXPECT_FALSE(mentions(d.reasons, "0.01x faster")) << d.reasons;
  EXPECT_FALSE(mentions(d.reasons, "0.02x faster")) << d.reasons;
}

BenchResult in_workload(BenchResult r, const std::string& workload) {
  r.workload = workload;
  r.candidate = workload + "/" + r.backend;
  return r;
}

// A PyTorch user is never sent to XLA, a TensorFlow user never to torch.compile.
TEST(Decision, OneDecisionPerFamilyWithItsOwnBestVariant) {
  ResultsFile f;
  auto custom = record("cpp-simd", false, 650);
  custom.sources = {"src/scalar.cpp"};
  f.results = {record("torch", true, 1000),
               record("torch.compile", true, 700),
               record("torch.jit", true, 800),
               record("tensorflow", true, 900),
               record("tensorflow-xla", true, 400),
               record("numpy", true, 1200),
               custom};
  const Report report = decide(f, with_share(0.5), default_policy());
  ASSERT_EQ(report.decisions.size(), 3u);
  std::map<std::string, const Decision*> by;
  for (const auto& d : report.decisions) by[d.family] = &d;
  ASSERT_TRUE(by.count("pytorch") && by.count("tensorflow") && by.count("numpy"));
  for (const auto& d : report.decisions) {
    ASSERT_TRUE(d.best_framework) << d.family;
    EXPECT_EQ(d.best_framework->family, d.family);
    for (const auto& c : d.candidates) {
      if (c.framework) {
        EXPECT_EQ(c.family, d.family) << c.candidate;
      }
    }
  }
  const Decision& pt = *by["pytorch"];
  EXPECT_EQ(pt.best_framework->backend, "torch.compile");
  EXPECT_EQ(pt.eager->backend, "torch");
  EXPECT_EQ(pt.verdict, Verdict::use_framework_jit) << pt.reasons;  // 650 vs 700: below 1.2x
  EXPECT_FALSE(mentions(pt.reasons, "tensorflow")) << pt.reasons;
  EXPECT_TRUE(mentions(pt.reasons, "for a PyTorch user")) << pt.reasons;
  const Decision& tf = *by["tensorflow"];
  EXPECT_EQ(tf.best_framework->backend, "tensorflow-xla");
  EXPECT_EQ(tf.verdict, Verdict::use_framework_jit) << tf.reasons;
  EXPECT_FALSE(mentions(tf.reasons, "torch")) << tf.reasons;
  const Decision& np = *by["numpy"];
  EXPECT_EQ(np.best_framework->backend, "numpy");
  EXPECT_EQ(np.verdict, Verdict::custom_worth_it) << np.reasons;  // 1.85x at low cost
  // Handwritten candidates compete in every family.
  for (const auto& d : report.decisions) {
    ASSERT_TRUE(d.best_custom);
    EXPECT_EQ(d.best_custom->backend, "cpp-simd");
  }
  // One summary per family, and --framework restricts to one.
  EXPECT_EQ(report.workloads.size(), 3u);
  auto only = with_share(0.5);
  only.framework = "tensorflow";
  const Report tf_only = decide(f, only, default_policy());
  ASSERT_EQ(tf_only.decisions.size(), 1u);
  EXPECT_EQ(tf_only.decisions[0].family, "tensorflow");
}

TEST(Decision, TorchJitIsAJit) {
  const auto d = decide_group(
      {record("torch", true, 1000), record("torch.jit", true, 600), record("cpp-simd", false, 580)},
      with_share(0.5), default_policy(), "pytorch");
  ASSERT_TRUE(d.best_framework);
  EXPECT_TRUE(d.best_framework->jit);
  EXPECT_EQ(d.verdict, Verdict::use_framework_jit) << d.reasons;
  EXPECT_TRUE(mentions(d.reasons, "Use torch.jit rather than eager")) << d.reasons;
}

// The standard library is every Python user's: python-csv joins the NumPy
// stack's decision instead of getting one of its own.
TEST(Decision, SharedFamilyCompetesInEveryFamily) {
  auto cpp = in_workload(record("cpp-fast-float", false, 100), "csv_parse");
  cpp.sources = {"src/scalar.cpp"};
  const std::vector<BenchResult> group = {in_workload(record("python-csv", true, 900), "csv_parse"),
                                          in_workload(record("pandas-c", true, 600), "csv_parse"),
                                          cpp};
  EXPECT_EQ(families_of(group, default_policy()), std::vector<std::string>{"numpy"});
  const auto d = decide_group(group, with_share(0.5), default_policy(), "numpy");
  EXPECT_EQ(d.best_framework->backend, "pandas-c");
  EXPECT_EQ(d.candidates.size(), 3u);
  // Alone, the shared family is decided for itself.
  EXPECT_EQ(families_of({group[0], cpp}, default_policy()), std::vector<std::string>{"python"});
}

// A plugin candidate's declared family wins over its backend name.
TEST(Decision, DeclaredFamilyWins) {
  auto mine = record("my-fast-gelu", true, 700);
  mine.family = "tensorflow";
  EXPECT_EQ(families_of({record("torch", true, 1000), mine}, default_policy()),
            (std::vector<std::string>{"pytorch", "tensorflow"}));
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
  EXPECT_EQ(d.why, DecisionWhy::too_few_samples);
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
  EXPECT_EQ(report.warnings[0], "CUDA candidates unavailable: no CUDA device (1 row)");
}

TEST(Decision, ANoisyHostIsAWarningAndASteadyOneIsNot) {
  ResultsFile f;
  f.results = {record("libtorch", true, 1000), record("cpp-simd", false, 900)};
  f.host = summarize_host_probes(std::vector<double>{100, 140, 190, 100, 140, 190, 100, 140});
  const auto noisy = decide(f, with_share(0.5), default_policy());
  ASSERT_EQ(noisy.warnings.size(), 1u);
  EXPECT_EQ(noisy.warnings[0], describe(*f.host));
  EXPECT_EQ(noisy.warnings[0].rfind("host noisy: ", 0), 0u);
  f.host = summarize_host_probes(std::vector<double>{100, 101, 102, 100});
  EXPECT_TRUE(decide(f, with_share(0.5), default_policy()).warnings.empty());
  // Steady, but in the slow state throughout: worth the same warning.
  f.host = summarize_host_probes(std::vector<double>{200, 201, 202, 200}, 100);
  const auto slow = decide(f, with_share(0.5), default_policy());
  ASSERT_EQ(slow.warnings.size(), 1u);
  EXPECT_EQ(slow.warnings[0].rfind("host slow: ", 0), 0u) << slow.warnings[0];
  f.host.reset();  // results written before bench probed the host
  EXPECT_TRUE(decide(f, with_share(0.5), default_policy()).warnings.empty());
}

TEST(Decision, VerdictNamesRoundTrip) {
  for (auto v : {Verdict::framework_is_enough, Verdict::use_framework_jit, Verdict::custom_worth_it,
                 Verdict::inconclusive, Verdict::custom_incorrect})
    EXPECT_EQ(verdict_from_string(to_string(v)), v);
}

}  // namespace
}  // namespace worthit::reports
