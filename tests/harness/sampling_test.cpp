// The sampling rule (sampling.h) and the cross-process schedule (schedule.h)
// on synthetic candidates: noise of a known size, a fake clock for the time
// budget, and participants that stand in for another process.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <random>
#include <stdexcept>

#include "worthit/harness/sampling.h"
#include "worthit/harness/schedule.h"

using namespace worthit;

namespace {

// A candidate whose every repetition takes `median` times a lognormal factor
// with a relative spread of `cv`, seeded: deterministic.
SampleSource noisy(const std::string& name, double median, double cv, uint64_t seed) {
  auto rng = std::make_shared<std::mt19937_64>(seed);
  return {name, [rng, median, cv] {
            std::normal_distribution<double> z(0, cv);
            return Measurement{median * std::exp(z(*rng)), 100};
          }};
}

// A clock the test moves: each repetition "takes" `step` seconds.
struct FakeClock {
  double t = 0;
  std::function<double()> fn() {
    return [this] { return t; };
  }
};

SampleSource ticking(SampleSource s, FakeClock& clock, double step) {
  auto inner = s.measure;
  s.measure = [inner, &clock, step] {
    clock.t += step;
    return inner();
  };
  return s;
}

}  // namespace

TEST(StopReason, Table) {
  SamplingOptions o;  // min 5, target 2%, cap 200
  o.max_time_s = 10;  // the table's times are against 10 s, whatever the default
  const std::vector<double> tight{100, 100.5, 99.5, 100.2, 99.8, 100.1};
  const std::vector<double> wide{100, 150, 70, 130, 90, 160};
  EXPECT_EQ(stop_reason(std::vector<double>(tight.begin(), tight.begin() + 4), 99, o),
            StopReason::sampling)
      << "the minimum is always taken, budget or not";
  EXPECT_EQ(stop_reason(tight, 0, o), StopReason::target_ci);
  EXPECT_EQ(stop_reason(wide, 1, o), StopReason::sampling);
  EXPECT_EQ(stop_reason(wide, 10, o), StopReason::time_budget);
  EXPECT_EQ(stop_reason(wide, 8, o, 1.5), StopReason::sampling) << "the next round fits";
  EXPECT_EQ(stop_reason(wide, 8, o, 2.5), StopReason::time_budget) << "it would end at 10.5 s";
  o.max_repetitions = 6;
  EXPECT_EQ(stop_reason(wide, 1, o), StopReason::max_repetitions);
  o.target_ci = 0;  // -r N: a fixed count
  EXPECT_EQ(stop_reason(std::vector<double>(wide.begin(), wide.begin() + 5), 0, o),
            StopReason::repetitions);
  EXPECT_EQ(stop_reason(std::vector<double>(wide.begin(), wide.begin() + 4), 0, o),
            StopReason::sampling);
}

TEST(StopReason, AnOutlierDoesNotKeepAStableCandidateSampling) {
  // Nine samples within 0.3% and one at 40x (a preemption): the median's
  // interval is tight, so sampling stops although the CV is huge.
  std::vector<double> s{100, 100.1, 99.9, 100.2, 99.8, 4000, 100.05, 99.95, 100.15, 99.85};
  EXPECT_EQ(stop_reason(s, 0, SamplingOptions{}), StopReason::target_ci);
  EXPECT_LT(median_ci_halfwidth(s, SamplingOptions{}), 0.01);
}

TEST(SampleInterleaved, ANoisyCandidateStopsAtTheTarget) {
  SamplingOptions o;
  o.max_time_s = 0;  // no budget: the interval alone decides
  const auto series = sample_interleaved({noisy("a", 1000, 0.05, 1)}, o);
  ASSERT_EQ(series.size(), 1u);
  const auto& s = series[0];
  EXPECT_EQ(s.stop, StopReason::target_ci);
  EXPECT_GT(s.samples_ns.size(), 5u) << "5% noise needs more than the minimum for +-2%";
  EXPECT_LT(s.samples_ns.size(), 200u);
  EXPECT_LE(median_ci_halfwidth(s.samples_ns, o), o.target_ci);
  // One fewer sample had not reached it: it stopped as soon as it could.
  std::vector<double> before(s.samples_ns.begin(), s.samples_ns.end() - 1);
  EXPECT_GT(median_ci_halfwidth(before, o), o.target_ci);
}

TEST(SampleInterleaved, AVeryNoisyCandidateStopsAtTheBudget) {
  FakeClock clock;
  SamplingOptions o;
  o.max_time_s = 10;
  const auto series =
      sample_interleaved({ticking(noisy("a", 1000, 0.8, 2), clock, 0.5)}, o, {}, clock.fn());
  EXPECT_EQ(series[0].stop, StopReason::time_budget);
  EXPECT_EQ(series[0].samples_ns.size(), 20u);  // 20 repetitions of 0.5 s fill 10 s
}

TEST(SampleInterleaved, ARoundThatWouldEndPastTheBudgetDoesNotStart) {
  FakeClock clock;
  SamplingOptions o;
  o.max_time_s = 10;
  o.min_repetitions = 1;
  // Rounds of 3 s: a fourth would end at 12 s, so sampling stops at 9 s.
  const auto series =
      sample_interleaved({ticking(noisy("a", 1000, 0.8, 2), clock, 3)}, o, {}, clock.fn());
  EXPECT_EQ(series[0].stop, StopReason::time_budget);
  EXPECT_EQ(series[0].samples_ns.size(), 3u);
  EXPECT_DOUBLE_EQ(clock.t, 9);
}

TEST(SampleInterleaved, RoundsAreRotatedAndEveryRoundHasEachCandidate) {
  SamplingOptions o;
  o.target_ci = 0;
  o.min_repetitions = 4;
  std::vector<std::string> order;
  std::vector<SampleSource> sources;
  for (const char* n : {"a", "b", "c"})
    sources.push_back({n, [&order, n] {
                         order.push_back(n);
                         return Measurement{1, 1};
                       }});
  const auto series = sample_interleaved(sources, o);
  EXPECT_EQ(order,
            (std::vector<std::string>{"a", "b", "c", "b", "c", "a", "c", "a", "b", "a", "b", "c"}));
  for (const auto& s : series) {
    EXPECT_EQ(s.stop, StopReason::repetitions);
    ASSERT_EQ(s.seq.size(), 4u);
    for (int r = 0; r < 4; ++r) EXPECT_EQ(s.seq[size_t(r)] / 3, r) << "sample " << r;
  }
}

TEST(SampleInterleaved, AFailingCandidateLeavesTheOthersSampling) {
  SamplingOptions o;
  o.target_ci = 0;
  int calls = 0;
  const auto series = sample_interleaved({{"ok",
                                           [] {
                                             return Measurement{1, 1};
                                           }},
                                          {"bad",
                                           [&calls] {
                                             if (++calls == 2) throw std::runtime_error("planted");
                                             return Measurement{1, 1};
                                           }}},
                                         o);
  EXPECT_EQ(series[0].stop, StopReason::repetitions);
  EXPECT_EQ(series[0].samples_ns.size(), 5u);
  EXPECT_EQ(series[1].stop, StopReason::failed);
  EXPECT_EQ(series[1].error, "planted");
  EXPECT_EQ(series[1].samples_ns.size(), 1u);
}

namespace {

// A participant standing in for a process: candidates with fixed times,
// and a log of which process timed which sample.
class FakeProcess final : public Participant {
 public:
  FakeProcess(std::string name, std::vector<std::string> candidates, std::vector<std::string>& log)
      : name_(std::move(name)), candidates_(std::move(candidates)), log_(log) {}
  std::string name() const override { return name_; }
  std::vector<CaseKey> cases() override { return {{"w", "n=1", {{"n", 1}}}}; }
  void begin_prepare(const CaseKey&) override { events.push_back("begin " + name_); }
  PreparedCase prepare(const CaseKey& c, const std::function<void(const std::string&)>&) override {
    events.push_back("prepare " + name_);
    PreparedCase p;
    for (const auto& cand : candidates_) {
      BenchResult r;
      r.workload = c.workload;
      r.size = c.size;
      r.candidate = c.workload + "/" + cand;
      r.backend = cand;
      p.source_row.push_back(int(p.rows.size()));
      p.rows.push_back(r);
      p.sources.push_back({r.candidate, [this] {
                             log_.push_back(name_);
                             return Measurement{1000, 1};
                           }});
    }
    ++prepared;
    return p;
  }
  void release(const CaseKey&) override { ++released; }
  int prepared = 0, released = 0;
  static inline std::vector<std::string> events;

 private:
  std::string name_;
  std::vector<std::string> candidates_;
  std::vector<std::string>& log_;
};

}  // namespace

TEST(Schedule, CandidatesOfEveryProcessShareTheRounds) {
  std::vector<std::string> log;
  FakeProcess cpp("C++", {"cpp-simd", "libtorch"}, log), py("python:torch", {"torch"}, log);
  SamplingOptions o;
  o.target_ci = 0;
  o.min_repetitions = 3;
  const auto rows = run_schedule({&cpp, &py}, o, {});
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(cpp.prepared, 1);
  EXPECT_EQ(py.released, 1);
  // Each round times all three, whichever process they live in.
  ASSERT_EQ(log.size(), 9u);
  for (int round = 0; round < 3; ++round) {
    int python = 0;
    for (int k = 0; k < 3; ++k) python += log[size_t(round * 3 + k)] == "python:torch";
    EXPECT_EQ(python, 1) << "round " << round;
  }
  for (const auto& r : rows) {
    EXPECT_EQ(r.stop_reason, "repetitions");
    EXPECT_EQ(r.samples_ns.size(), 3u);
    ASSERT_EQ(r.sample_seq.size(), 3u);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(r.sample_seq[size_t(i)] / 3, i) << r.candidate;
    EXPECT_GT(r.stats.median, 0);
  }
}

TEST(Schedule, EveryParticipantBeginsPreparingBeforeAnyPrepares) {
  // So that workers prepare a case in their processes while the C++
  // candidates are prepared here.
  std::vector<std::string> log;
  FakeProcess cpp("C++", {"cpp-simd"}, log), py("python:torch", {"torch"}, log),
      tf("python:tensorflow", {"tensorflow"}, log);
  FakeProcess::events.clear();
  SamplingOptions o;
  o.target_ci = 0;
  o.min_repetitions = 1;
  run_schedule({&cpp, &py, &tf}, o, {});
  EXPECT_EQ(FakeProcess::events,
            (std::vector<std::string>{"begin C++", "begin python:torch", "begin python:tensorflow",
                                      "prepare C++", "prepare python:torch",
                                      "prepare python:tensorflow"}));
}

TEST(Schedule, BeforeRoundRunsBeforeEveryRoundWhileNoCandidateRuns) {
  // bench times its host probe there: once per round, never inside one.
  std::vector<std::string> log;
  FakeProcess cpp("C++", {"cpp-simd", "libtorch"}, log), py("python:torch", {"torch"}, log);
  SamplingOptions o;
  o.target_ci = 0;
  o.min_repetitions = 4;
  run_schedule({&cpp, &py}, o, {}, [&] { log.push_back("probe"); });
  ASSERT_EQ(log.size(), 4u * 4u);
  for (size_t i = 0; i < log.size(); ++i)
    EXPECT_EQ(log[i] == "probe", i % 4 == 0) << "position " << i << ": " << log[i];
}
