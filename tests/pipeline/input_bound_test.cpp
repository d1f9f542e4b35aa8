#include <gtest/gtest.h>

#include <string>

#include "worthit/trace/input_bound.h"

namespace worthit::trace {
namespace {

constexpr int64_t kMs = 1'000'000;

Event slice(const std::string& name, int64_t ts_ms, int64_t dur_ms, int64_t tid = 1) {
  Event e;
  e.name = name;
  e.category = "scope";
  e.phase = 'X';
  e.pid = 100;
  e.tid = tid;
  e.ts_ns = ts_ms * kMs;
  e.dur_ns = dur_ms * kMs;
  return e;
}

// torch.profiler's shape: the loader's __next__ nested inside each step.
Trace torch_profiler_trace(int steps, int64_t step_ms, int64_t wait_ms) {
  Trace t;
  for (int i = 0; i < steps; ++i) {
    const int64_t s = i * (step_ms + 1);
    t.events.push_back(slice("ProfilerStep#" + std::to_string(i + 2), s, step_ms));
    t.events.push_back(
        slice("enumerate(DataLoader)#_SingleProcessDataLoaderIter.__next__", s, wait_ms));
    t.events.push_back(slice("aten::linear", s + wait_ms, step_ms - wait_ms - 1));
  }
  sort_events(t);
  return t;
}

TEST(InputBound, InputBoundWhenAThirdOfTheStepWaitsForData) {
  const auto d = diagnose_input_bound(torch_profiler_trace(6, 100, 35));
  EXPECT_EQ(d.verdict, InputVerdict::input_bound) << d.summary;
  EXPECT_EQ(d.steps_found, 6);
  EXPECT_EQ(d.steps, 5);  // the first step is left out
  EXPECT_NEAR(d.wait_share, 0.35, 1e-9);
  EXPECT_NEAR(d.median_step_share, 0.35, 1e-9);
  EXPECT_NEAR(d.max_speedup, 1 / 0.65, 1e-9);
  EXPECT_EQ(d.step_names, "ProfilerStep#*");
  EXPECT_EQ(d.data_names, "enumerate(DataLoader)#*");
  EXPECT_NE(d.summary.find("35.0%"), std::string::npos) << d.summary;
}

TEST(InputBound, ComputeBoundWhenWaitsAreSmall) {
  const auto d = diagnose_input_bound(torch_profiler_trace(6, 100, 2));
  EXPECT_EQ(d.verdict, InputVerdict::compute_bound) << d.summary;
  EXPECT_NEAR(d.wait_share, 0.02, 1e-9);
}

TEST(InputBound, BalancedInBetween) {
  const auto d = diagnose_input_bound(torch_profiler_trace(6, 100, 10));
  EXPECT_EQ(d.verdict, InputVerdict::balanced) << d.summary;
}

TEST(InputBound, ThresholdsAreInclusiveAtTwentyPercentAndConfigurable) {
  EXPECT_EQ(diagnose_input_bound(torch_profiler_trace(4, 100, 20)).verdict,
            InputVerdict::input_bound);
  EXPECT_EQ(diagnose_input_bound(torch_profiler_trace(4, 100, 19)).verdict, InputVerdict::balanced);
  EXPECT_EQ(diagnose_input_bound(torch_profiler_trace(4, 100, 5)).verdict, InputVerdict::balanced);
  InputBoundRules strict;
  strict.input_bound_share = 0.10;
  EXPECT_EQ(diagnose_input_bound(torch_profiler_trace(4, 100, 12), strict).verdict,
            InputVerdict::input_bound);
}

// worthit scopes with the fetch before the step: `with scope("data"): ...`
// then `with scope("step"): ...`. The wait belongs to the following step.
TEST(InputBound, DataScopesBetweenStepsCountForTheNextStep) {
  Trace t;
  for (int i = 0; i < 5; ++i) {
    const int64_t s = i * 100;
    t.events.push_back(slice("data", s, 60));
    t.events.push_back(slice("step", s + 60, 40));
  }
  const auto d = diagnose_input_bound(t);
  EXPECT_EQ(d.verdict, InputVerdict::input_bound) << d.summary;
  EXPECT_NEAR(d.wait_share, 0.6, 1e-9);
  ASSERT_EQ(d.per_step.size(), 5u);
  EXPECT_EQ(d.per_step[1].iteration_ns, 100 * kMs);
  EXPECT_EQ(d.per_step[1].wait_ns, 60 * kMs);
}

// Begin/end pairs (NVTX push/pop) count like complete slices; a "step"
// nested in ProfilerStep counts once; overlapping data ranges are merged.
TEST(InputBound, BeginEndPairsNestedStepsAndOverlaps) {
  Trace t;
  for (int i = 0; i < 4; ++i) {
    const int64_t s = i * 100;
    Event b = slice("step", s, 0), e = b;
    b.phase = 'B';
    e.phase = 'E';
    e.ts_ns = (s + 100) * kMs;
    t.events.push_back(b);
    t.events.push_back(slice("ProfilerStep#" + std::to_string(i), s, 100));  // same span
    t.events.push_back(slice("data", s + 10, 20));
    t.events.push_back(slice("next_batch", s + 20, 20));  // overlaps: 10..40 in all
    t.events.push_back(e);
  }
  sort_events(t);
  const auto d = diagnose_input_bound(t);
  EXPECT_EQ(d.steps_found, 4);
  EXPECT_NEAR(d.wait_share, 0.30, 1e-9) << d.summary;
  EXPECT_EQ(d.verdict, InputVerdict::input_bound);
}

TEST(InputBound, DataOnAnotherThreadDoesNotCount) {
  Trace t = torch_profiler_trace(4, 100, 0);
  for (int i = 0; i < 4; ++i) t.events.push_back(slice("data", i * 101, 90, /*tid=*/2));
  const auto d = diagnose_input_bound(t);
  EXPECT_EQ(d.verdict, InputVerdict::compute_bound) << d.summary;
}

TEST(InputBound, UnknownWithoutStepsOrWithoutDataRanges) {
  Trace none;
  none.events.push_back(slice("aten::mm", 0, 5));
  const auto a = diagnose_input_bound(none);
  EXPECT_EQ(a.verdict, InputVerdict::unknown);
  EXPECT_NE(a.summary.find("no step ranges"), std::string::npos);

  Trace steps_only;
  for (int i = 0; i < 3; ++i) steps_only.events.push_back(slice("step", i * 10, 10));
  const auto b = diagnose_input_bound(steps_only);
  EXPECT_EQ(b.verdict, InputVerdict::unknown);
  EXPECT_NE(b.summary.find("no data-loading ranges"), std::string::npos);
}

// An unmodified PyTorch program: no step ranges, but torch.optim records each
// optimizer step and the DataLoader records each batch fetch.
TEST(InputBound, UnmodifiedProgramStepsAreItsOptimizerSteps) {
  Trace t;
  for (int i = 0; i < 5; ++i) {
    const int64_t s = i * 100;
    t.events.push_back(slice("enumerate(DataLoader)#_SingleProcessDataLoaderIter.__next__", s, 40));
    t.events.push_back(slice("aten::addmm", s + 40, 30));
    t.events.push_back(slice("Optimizer.step#SGD.step", s + 70, 30));
  }
  sort_events(t);
  const auto d = diagnose_input_bound(t);
  // Five optimizer steps: four iterations between them, the first left out.
  EXPECT_EQ(d.steps_found, 4);
  EXPECT_EQ(d.steps, 3);
  EXPECT_NEAR(d.wait_share, 0.40, 1e-9);
  EXPECT_EQ(d.verdict, InputVerdict::input_bound) << d.summary;
  EXPECT_NE(d.step_names.find("Optimizer.step#*"), std::string::npos) << d.step_names;
}

TEST(InputBound, GpuWorkIsIgnored) {
  Trace t = torch_profiler_trace(4, 100, 30);
  Event k = slice("data", 0, 400);  // a kernel that happens to be called "data"
  k.category = "kernel";
  k.tid = 7;  // GPU work has lanes of its own (a stream)
  t.events.push_back(k);
  EXPECT_NEAR(diagnose_input_bound(t).wait_share, 0.30, 1e-9);
}

}  // namespace
}  // namespace worthit::trace
