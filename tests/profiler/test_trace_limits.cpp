// Issue 16 in the trace library: numbers out of range are refused where the
// file is read (with the event's JSON path and byte offset), the writer
// handles every int64, and the analyses do not overflow on extreme times.
#include <gtest/gtest.h>

#include <climits>
#include <string>

#include "worthit/results/file_io.h"
#include "worthit/trace/analysis.h"
#include "worthit/trace/input_bound.h"
#include "worthit/trace/time_math.h"
#include "worthit/trace/trace.h"

namespace wt = worthit::trace;
using worthit::FileError;

namespace {

struct Rejection {
  std::string message;
  int64_t offset = -2;  // -2: accepted
};

Rejection reject(const std::string& json) {
  try {
    wt::parse_trace(json, "t.json");
  } catch (const FileError& e) {
    return {e.what(), e.byte_offset()};
  }
  return {};
}

std::string event(const std::string& fields) {
  return R"({"traceEvents": [{"ph": "X", "name": "a", "pid": 1, "tid": 1, "ts": 1, "dur": 2}, {)" +
         fields + "}]}";
}

}  // namespace

TEST(TraceLimits, OutOfRangeTimesAreErrorsWithPathAndOffset) {
  struct Row {
    std::string fields;
    std::string value;  // its offset is the expected one
    std::string expected;
  };
  const std::vector<Row> rows = {
      {R"("ph": "X", "ts": 9300000000000000)", "9300000000000000",
       "t.json:byte @: traceEvents[1].ts: 9300000000000000 us is out of range"},
      {R"("ph": "X", "ts": 1e17)", "1e17", "traceEvents[1].ts: 1e17 us is out of range"},
      {R"("ph": "X", "ts": 1, "dur": -1e999)", "-1e999",
       "traceEvents[1].dur: -1e999 us is out of range"},
      {R"("ph": "X", "ts": 99999999999999999999999)", "99999999999999999999999",
       "traceEvents[1].ts: 99999999999999999999999 us is out of range"},
      {R"("ph": "X", "ts": "soon")", "\"soon\"", "traceEvents[1].ts: bad number"},
      {R"("ph": "X", "name": 5)", "5", "traceEvents[1].name: has the wrong type"},
      {R"("ph": "X", "pid": 1e300)", "1e300",
       "traceEvents[1].pid: 1e300 is not an integral 64-bit id"},
      {R"("ph": "X", "tid": 2.5)", "2.5", "traceEvents[1].tid: 2.5 is not an integral 64-bit id"},
      {R"("ph": "X", "pid": 9223372036854775808)", "9223372036854775808",
       "traceEvents[1].pid: 9223372036854775808 does not fit a 64-bit id"},
      {R"("ph": "s", "id": -5.5)", "-5.5", "traceEvents[1].id: -5.5 is not an integral flow id"},
      {R"("ph": "XY")", "\"XY\"", "traceEvents[1].ph: bad phase 'XY'"},
  };
  for (const auto& row : rows) {
    const std::string json = event(row.fields);
    const auto r = reject(json);
    std::string expected = row.expected;
    const size_t at = json.find(row.value, json.find("}, {"));
    if (auto p = expected.find('@'); p != std::string::npos)
      expected.replace(p, 1, std::to_string(at));
    EXPECT_NE(r.message.find(expected), std::string::npos) << row.fields << " -> " << r.message;
    EXPECT_EQ(r.offset, int64_t(at)) << row.fields << " -> " << r.message;
  }
}

TEST(TraceLimits, ShapeErrorsNameTheirPlace) {
  EXPECT_NE(reject(R"({"worthit": 5, "traceEvents": []})")
                .message.find("t.json:byte 12: worthit: expected an object"),
            std::string::npos)
      << reject(R"({"worthit": 5, "traceEvents": []})").message;
  const auto not_event = reject(R"({"traceEvents": [{"ph": "i", "name": "a", "ts": 0}, 7]})");
  EXPECT_NE(not_event.message.find("traceEvents[1]: expected an event object"), std::string::npos)
      << not_event.message;
  EXPECT_EQ(not_event.offset, 52);  // the 7
  EXPECT_NE(reject(R"({"traceEvents": {"a": 1}})").message.find("traceEvents: expected an array"),
            std::string::npos);
  EXPECT_NE(reject(R"([{"ph": "i", "name": "a", "ts": 0}, "x"])")
                .message.find("[1]: expected an event object"),
            std::string::npos);
  // Syntax errors keep their byte offset.
  EXPECT_EQ(reject(R"({"traceEvents": [{"ph": "i",, "ts": 0}]})").offset, 28);
}

TEST(TraceLimits, TheLargestTimesReadAndRoundTrip) {
  const std::string json =
      R"({"traceEvents": [{"ph": "X", "name": "a", "pid": 1, "tid": 1, "ts": -4611686018427387.904, "dur": 4611686018427387.904}, {"ph": "X", "name": "b", "pid": 1, "tid": 1, "ts": 4.6e15, "dur": 0}]})";
  const wt::Trace t = wt::parse_trace(json, "t.json");
  ASSERT_EQ(t.events.size(), 2u);
  EXPECT_EQ(t.events[0].ts_ns, -wt::kMaxFileTimeNs);
  EXPECT_EQ(t.events[0].dur_ns, wt::kMaxFileTimeNs);
  EXPECT_EQ(t.events[1].ts_ns, 4'600'000'000'000'000'000);
  const wt::Trace back = wt::parse_trace(wt::trace_to_json(t), "back.json");
  ASSERT_EQ(back.events.size(), 2u);
  EXPECT_EQ(back.events[0].ts_ns, t.events[0].ts_ns);
  EXPECT_EQ(back.events[0].dur_ns, t.events[0].dur_ns);
  EXPECT_EQ(back.events[1].ts_ns, t.events[1].ts_ns);
  // One past the limit is refused.
  EXPECT_NE(reject(R"({"traceEvents": [{"ph": "i", "name": "a", "ts": 4611686018427387.905}]})")
                .message.find("out of range"),
            std::string::npos);
}

TEST(TraceLimits, TheWriterNeverWritesADoubleMinus) {
  wt::Trace t;
  wt::Event e;
  e.name = "min";
  e.ts_ns = INT64_MIN;
  e.dur_ns = INT64_MIN;
  t.events.push_back(e);
  e.ts_ns = INT64_MAX;
  e.dur_ns = -1;
  t.events.push_back(e);
  const std::string json = wt::trace_to_json(t);
  EXPECT_EQ(json.find("--"), std::string::npos) << json;
  EXPECT_NE(json.find("\"ts\":-9223372036854775.808"), std::string::npos) << json;
  EXPECT_NE(json.find("\"ts\":9223372036854775.807"), std::string::npos) << json;
  EXPECT_NE(json.find("\"dur\":-0.001"), std::string::npos) << json;
}

// Extreme but readable times: whatever the analyses report must be sane
// (no negative totals or shares from an overflow). Under the asan preset's
// UBSan, any signed overflow on the way fails the test too.
TEST(TraceLimits, AnalysesStaySaneAtTheEndsOfTime) {
  const int64_t big = wt::kMaxFileTimeNs;
  wt::Trace t;
  auto add = [&](const char* name, const char* cat, int64_t tid, int64_t ts, int64_t dur) {
    wt::Event e;
    e.name = name;
    e.category = cat;
    e.pid = 1;
    e.tid = tid;
    e.ts_ns = ts;
    e.dur_ns = dur;
    t.events.push_back(e);
  };
  for (int i = 0; i < 3; ++i) {
    add("step", "scope", 1, -big, big);
    add("data", "scope", 1, -big, big);
    add("step", "scope", 1, big, big);
    add("k", wt::category::kKernel, 2, -big, big);
    add("k", wt::category::kKernel, 2, big, big);
    add("cudaLaunchKernel", wt::category::kCudaRuntime, 1, big, big);
    add("sync", wt::category::kCudaSync, 1, -big, big);
  }
  add("edge", "scope", 3, INT64_MAX - 5, 100);  // built in memory: ends past INT64_MAX
  for (const auto& r : wt::range_stats(t)) {
    EXPECT_GE(r.total_ns, 0) << r.name;
    EXPECT_GE(r.self_ns, 0) << r.name;
    EXPECT_GE(r.max_ns, 0) << r.name;
    EXPECT_LE(r.self_ns, r.total_ns) << r.name;
  }
  for (const auto& b : wt::thread_busy(t)) {
    EXPECT_GE(b.busy_ns, 0);
    EXPECT_GE(b.share, 0.0);
    EXPECT_LE(b.share, 1.0);
  }
  const auto g = wt::gpu_summary(t);
  EXPECT_GE(g.span_ns, 0);
  EXPECT_GE(g.busy_ns, 0);
  EXPECT_GE(g.sync_ns, 0);
  EXPECT_GE(g.launch_api_ns, 0);
  for (const auto& k : g.kernels) EXPECT_GE(k.total_ns, 0);
  for (const auto& gap : g.largest_gaps) EXPECT_GE(gap.dur_ns, 0);
  const auto d = wt::diagnose_input_bound(t);
  EXPECT_GE(d.iteration_ns, 0);
  EXPECT_GE(d.wait_ns, 0);
  EXPECT_GE(d.wait_share, 0.0);
  (void)wt::validate_trace(t);
}
