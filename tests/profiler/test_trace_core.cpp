// The trace library's one pairing rule (slices.h) and one step vocabulary
// (steps.h), on constructed traces with hand-checked expectations.
#include <gtest/gtest.h>

#include "worthit/trace/slices.h"
#include "worthit/trace/steps.h"
#include "worthit/trace/time_math.h"

namespace worthit::trace {
namespace {

Event ev(const std::string& name, char phase, int64_t tid, int64_t ts, int64_t dur = 0,
         const std::string& cat = "scope") {
  Event e;
  e.name = name;
  e.category = cat;
  e.phase = phase;
  e.pid = 1;
  e.tid = tid;
  e.ts_ns = ts;
  e.dur_ns = dur;
  return e;
}

const Slice* find(const SliceIndex& index, const std::string& name, SliceRef* ref = nullptr) {
  for (int t = 0; t < int(index.tracks().size()); ++t)
    for (int32_t i = 0; i < int32_t(index.tracks()[size_t(t)].slices.size()); ++i)
      if (index.name(index.tracks()[size_t(t)].slices[size_t(i)].name) == name) {
        if (ref) *ref = {t, i};
        return &index.tracks()[size_t(t)].slices[size_t(i)];
      }
  return nullptr;
}

TEST(Slices, PairsBeginEndAndNestsWithCompleteEvents) {
  Trace t;
  t.events = {ev("outer", 'B', 1, 0),
              ev("x", 'X', 1, 10, 20),
              ev("inner", 'B', 1, 40),
              ev("", 'E', 1, 60),
              ev("", 'E', 1, 100),
              ev("stray end", 'E', 1, 120),
              ev("never closed", 'B', 1, 130),
              ev("late", 'E', 2, 5),
              ev("backwards", 'B', 2, 50),
              ev("", 'E', 2, 40),
              ev("negative", 'X', 2, 70, -5)};
  const SliceIndex index(t);
  ASSERT_EQ(index.tracks().size(), 2u);
  EXPECT_EQ(index.slice_count(), 5u);  // outer, x, inner, backwards, negative; stray/never dropped
  const Slice* outer = find(index, "outer");
  const Slice* x = find(index, "x");
  const Slice* inner = find(index, "inner");
  ASSERT_TRUE(outer && x && inner);
  EXPECT_EQ(outer->end_ns, 100);
  EXPECT_EQ(outer->self_ns, 100 - 20 - 20);
  EXPECT_EQ(x->depth, 1);
  EXPECT_EQ(inner->depth, 1);
  EXPECT_EQ(index.tracks()[0].slices[size_t(x->parent)].name, outer->name);
  EXPECT_EQ(find(index, "never closed"), nullptr);
  EXPECT_EQ(find(index, "backwards")->end_ns, 50);  // an end before its begin: zero length
  EXPECT_EQ(find(index, "negative")->end_ns, 70);   // a negative duration counts as zero
}

TEST(Slices, CpuTracksFirstThenGpuAndTimesSaturate) {
  Trace t;
  t.events = {ev("kernel", 'X', 9, 0, 10, "kernel"), ev("cpu b", 'X', 5, 0, 10),
              ev("cpu a", 'X', 3, kMaxTimeNs - 5, 100)};
  t.thread_names[{1, 3}] = "main";
  const SliceIndex index(t);
  ASSERT_EQ(index.tracks().size(), 3u);
  EXPECT_EQ(index.tracks()[0].tid, 3);
  EXPECT_EQ(index.tracks()[0].name, "pid 1 / main");
  EXPECT_EQ(index.tracks()[1].tid, 5);
  EXPECT_EQ(index.tracks()[2].kind, TrackKind::gpu);
  EXPECT_EQ(index.tracks()[0].slices[0].end_ns, kMaxTimeNs);
  EXPECT_EQ(index.end_ns(), kMaxTimeNs);
}

TEST(Slices, AggregateClipsToTheRangeAndKeepsSelfTime) {
  Trace t;
  t.events = {ev("parent", 'X', 1, 0, 100), ev("child", 'X', 1, 20, 30),
              ev("child", 'X', 1, 80, 40)};
  const SliceIndex index(t);
  std::map<std::string, RangeRow> rows;
  for (const auto& r : aggregate_ranges(index, 50, 100)) rows[r.name] = r;
  EXPECT_EQ(rows["parent"].total_ns, 50);
  EXPECT_EQ(rows["parent"].self_ns, 50 - 20);  // the second child's part inside the range
  EXPECT_EQ(rows["child"].count, 1);
  EXPECT_EQ(rows["child"].total_ns, 20);
  EXPECT_DOUBLE_EQ(rows["child"].share, 0.4);
}

TEST(Steps, OutermostStepRangesAndTheirFamily) {
  Trace t;
  t.events = {ev("ProfilerStep#3", 'X', 1, 0, 100), ev("step", 'X', 1, 10, 50),
              ev("ProfilerStep#4", 'X', 1, 100, 100),
              ev("Optimizer.step#SGD.step", 'X', 1, 150, 10)};
  const SliceIndex index(t);
  const Steps steps = find_steps(index);
  ASSERT_EQ(steps.spans.size(), 2u);
  EXPECT_FALSE(steps.from_optimizer);
  EXPECT_EQ(steps.source, "ProfilerStep#*");
  EXPECT_EQ(steps_union_ns(steps), 200);
  // The policy's own patterns replace the built-in names.
  const Steps custom = find_steps(index, [](std::string_view n) { return n == "step"; });
  ASSERT_EQ(custom.spans.size(), 1u);
  EXPECT_EQ(custom.spans[0].end_ns, 60);
}

TEST(Steps, WithoutStepRangesIterationsRunBetweenOptimizerSteps) {
  Trace t;
  for (int i = 0; i < 4; ++i) {
    t.events.push_back(ev("aten::mm", 'X', 1, i * 100, 60, "cpu_op"));
    t.events.push_back(
        ev("Optimizer.step#AdamW.step", 'X', 1, i * 100 + 70, 20, "user_annotation"));
  }
  t.events.push_back(ev("Optimizer.step#AdamW.step", 'X', 2, 0, 5, "user_annotation"));
  const SliceIndex index(t);
  const Steps steps = find_steps(index);
  EXPECT_TRUE(steps.from_optimizer);
  ASSERT_EQ(steps.spans.size(), 3u);  // a thread with one optimizer step has no iteration
  EXPECT_EQ(steps.spans[0].start_ns, 90);
  EXPECT_EQ(steps.spans[0].end_ns, 190);
  EXPECT_EQ(steps_union_ns(steps), 300);
  EXPECT_TRUE(find_steps(SliceIndex(Trace{})).spans.empty());
}

TEST(Steps, Vocabulary) {
  EXPECT_TRUE(is_step_range("ProfilerStep#12"));
  EXPECT_TRUE(is_step_range("train_step"));
  EXPECT_FALSE(is_step_range("step_size"));
  EXPECT_TRUE(is_data_range("enumerate(DataLoader)#_MultiProcessingDataLoaderIter.__next__"));
  EXPECT_TRUE(is_data_range("IteratorGetNext"));
  EXPECT_FALSE(is_data_range("aten::mm"));
  EXPECT_TRUE(is_input_work("decode_jpeg"));
  EXPECT_TRUE(is_input_work("data"));
  EXPECT_FALSE(is_input_work("aten::gelu"));
  EXPECT_EQ(range_family("ProfilerStep#7"), "ProfilerStep#*");
  EXPECT_EQ(range_family("aten::mm"), "aten::mm");
}

}  // namespace
}  // namespace worthit::trace
