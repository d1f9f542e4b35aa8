// The in-process runtime: scopes, nesting, durations, threads, markers.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <map>
#include <thread>
#include <vector>

#include "worthit/profiler/c_api.h"
#include "worthit/profiler/profiler.h"
#include "worthit/trace/analysis.h"
#include "worthit/trace/trace.h"

namespace wp = worthit::profiler;
namespace wt = worthit::trace;

namespace {

class Runtime : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() /
            ("worthit_runtime_" + std::to_string(::getpid()) + ".json");
    wp::enable(path_);
    wp::reset();
  }
  void TearDown() override {
    wp::reset();  // nothing left for the exit-time flush to write
    std::filesystem::remove(path_);
  }
  std::filesystem::path path_;
};

void spin(std::chrono::microseconds d) {
  const auto end = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < end) {
  }
}

std::vector<wt::Event> named(const wt::Trace& t, const std::string& name) {
  std::vector<wt::Event> out;
  for (const auto& e : t.events)
    if (e.name == name) out.push_back(e);
  return out;
}

}  // namespace

TEST_F(Runtime, ScopesNestWithTheirDurations) {
  {
    WORTHIT_SCOPE("outer");
    spin(std::chrono::microseconds(300));
    {
      WORTHIT_SCOPE("inner");
      spin(std::chrono::microseconds(1000));
    }
    spin(std::chrono::microseconds(300));
  }
  const wt::Trace t = wp::snapshot();
  const auto outer = named(t, "outer");
  const auto inner = named(t, "inner");
  ASSERT_EQ(outer.size(), 1u);
  ASSERT_EQ(inner.size(), 1u);
  EXPECT_EQ(outer[0].phase, 'X');
  EXPECT_EQ(outer[0].category, wt::category::kScope);
  EXPECT_EQ(outer[0].tid, inner[0].tid);
  EXPECT_GE(inner[0].dur_ns, 1'000'000);
  EXPECT_GE(outer[0].dur_ns, 1'600'000);
  EXPECT_LE(outer[0].ts_ns, inner[0].ts_ns);
  EXPECT_GE(outer[0].ts_ns + outer[0].dur_ns, inner[0].ts_ns + inner[0].dur_ns);
  EXPECT_TRUE(wt::validate_trace(t).empty());
  const auto stats = wt::range_stats(t);
  ASSERT_EQ(stats.size(), 2u);
  EXPECT_EQ(stats[0].name, "outer");
  EXPECT_EQ(stats[0].self_ns, outer[0].dur_ns - inner[0].dur_ns);
}

TEST_F(Runtime, DisabledRecordsNothing) {
  wp::disable();
  { WORTHIT_SCOPE("not recorded"); }
  WORTHIT_MARK("not recorded either");
  EXPECT_TRUE(named(wp::snapshot(), "not recorded").empty());
  wp::enable(path_);
}

TEST_F(Runtime, MarksCountersThreadNamesAndCApi) {
  WORTHIT_THREAD_NAME("test main");
  WORTHIT_MARK("here");
  WORTHIT_COUNTER("queue depth", 42);
  const char* name = worthit_profiler_intern("c api slice");
  EXPECT_EQ(name, worthit_profiler_intern("c api slice"));
  worthit_profiler_begin(name);
  worthit_profiler_begin(worthit_profiler_intern("c api child"));
  worthit_profiler_end();
  worthit_profiler_end();
  worthit_profiler_end();  // unbalanced: ignored
  const wt::Trace t = wp::snapshot();
  ASSERT_EQ(named(t, "here").size(), 1u);
  EXPECT_EQ(named(t, "here")[0].phase, 'i');
  const auto c = named(t, "queue depth");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].phase, 'C');
  EXPECT_EQ(c[0].args["queue depth"].get<double>(), 42.0);
  ASSERT_EQ(named(t, "c api slice").size(), 1u);
  ASSERT_EQ(named(t, "c api child").size(), 1u);
  bool named_thread = false;
  for (const auto& [key, n] : t.thread_names) named_thread |= n == "test main";
  EXPECT_TRUE(named_thread);
  EXPECT_TRUE(wt::validate_trace(t).empty());
}

TEST_F(Runtime, FlushWritesAValidTraceWithMetadata) {
  { WORTHIT_SCOPE("flushed"); }
  ASSERT_EQ(wp::flush(), path_);
  const wt::Trace t = wt::read_trace(path_);
  EXPECT_EQ(t.metadata["schema"], wt::kSchemaName);
  EXPECT_EQ(t.metadata["version"], wt::kSchemaVersion);
  EXPECT_EQ(t.metadata["clock"], "CLOCK_MONOTONIC");
  EXPECT_TRUE(t.metadata["machine"].contains("cpu_model"));
  EXPECT_EQ(t.metadata["dropped"]["cpu_records"], 0);
  EXPECT_EQ(named(t, "flushed").size(), 1u);
  EXPECT_TRUE(wt::validate_trace(t).empty());
}

// 8 threads x 1M scopes (WORTHIT_STRESS_SCOPES overrides the count, e.g. for
// slow sanitizer builds): every event arrives, on its own thread, intact.
TEST_F(Runtime, ManyThreadsLoseNothing) {
  constexpr int kThreads = 8;
  long per_thread = 1'000'000;
  if (const char* n = std::getenv("WORTHIT_STRESS_SCOPES")) per_thread = std::atol(n);
  static const char* const kNames[kThreads] = {"t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7"};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i)
    threads.emplace_back([&, i] {
      while (!go.load()) {
      }
      for (long k = 0; k < per_thread; ++k) {
        WORTHIT_SCOPE(kNames[i]);
      }
    });
  // Snapshots taken while the threads write must not disturb them.
  go.store(true);
  for (int s = 0; s < 3; ++s) (void)wp::snapshot();
  for (auto& t : threads) t.join();
  const wt::Trace t = wp::snapshot();
  std::map<std::string, std::pair<long, int64_t>> per_name;  // count, tid
  std::map<int64_t, int64_t> last_end;
  for (const auto& e : t.events) {
    ASSERT_EQ(e.phase, 'X');
    ASSERT_GE(e.dur_ns, 0);
    auto& [count, tid] = per_name[e.name];
    if (count == 0) tid = e.tid;
    ASSERT_EQ(tid, e.tid) << e.name << " moved threads";
    ++count;
    // Records are appended when a scope closes: ends never go backwards.
    ASSERT_GE(e.ts_ns + e.dur_ns, last_end[e.tid]);
    last_end[e.tid] = e.ts_ns + e.dur_ns;
  }
  ASSERT_EQ(per_name.size(), size_t(kThreads));
  for (int i = 0; i < kThreads; ++i) EXPECT_EQ(per_name[kNames[i]].first, per_thread) << kNames[i];
  EXPECT_EQ(wp::dropped_records(), 0u);
  EXPECT_TRUE(wt::validate_trace(t).empty());
}
