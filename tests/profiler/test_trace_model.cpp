// The trace model: reading, writing, analysis and validation.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "worthit/results/file_io.h"
#include "worthit/trace/analysis.h"
#include "worthit/trace/trace.h"

namespace wt = worthit::trace;

namespace {

wt::Event slice(std::string name, int64_t tid, int64_t ts, int64_t dur, std::string cat = "scope") {
  wt::Event e;
  e.name = std::move(name);
  e.category = std::move(cat);
  e.phase = 'X';
  e.pid = 1;
  e.tid = tid;
  e.ts_ns = ts;
  e.dur_ns = dur;
  return e;
}

std::filesystem::path temp_path(const std::string& name) {
  return std::filesystem::temp_directory_path() /
         ("worthit_test_" + std::to_string(::getpid()) + "_" + name);
}

}  // namespace

TEST(TraceModel, WritesMicrosecondsWithNanosecondDigits) {
  wt::Trace t;
  t.events.push_back(slice("a", 7, 123456789, 1001));
  const std::string json = wt::trace_to_json(t);
  EXPECT_NE(json.find("\"ts\":123456.789"), std::string::npos) << json;
  EXPECT_NE(json.find("\"dur\":1.001"), std::string::npos) << json;
}

TEST(TraceModel, RoundTripKeepsEverything) {
  wt::Trace t;
  t.process_names[1] = "proc \"one\"";
  t.thread_names[{1, 7}] = "main\tthread";
  t.events.push_back(slice("outer", 7, 1000, 5000));
  t.events.push_back(slice("inner \xc3\xa9", 7, 1500, 1000));
  wt::Event c;
  c.name = "queue";
  c.phase = 'C';
  c.pid = 1;
  c.tid = 7;
  c.ts_ns = 2001;
  c.args = {{"queue", 3.5}};
  t.events.push_back(c);
  wt::Event s = slice("launch", 7, 1600, 0, "ac2g");
  s.phase = 's';
  s.id = (uint64_t(1) << 40) + 5;
  t.events.push_back(s);
  s.phase = 'f';
  s.tid = 9;
  s.ts_ns = 9999999999999;  // large: must survive exactly
  t.events.push_back(s);
  t.metadata = {{"schema", wt::kSchemaName}, {"version", wt::kSchemaVersion}};

  const auto path = temp_path("roundtrip.json");
  wt::write_trace(path, t);
  const wt::Trace r = wt::read_trace(path);
  std::filesystem::remove(path);

  ASSERT_EQ(r.events.size(), t.events.size());
  for (size_t i = 0; i < t.events.size(); ++i) {
    EXPECT_EQ(r.events[i].name, t.events[i].name);
    EXPECT_EQ(r.events[i].category, t.events[i].category);
    EXPECT_EQ(r.events[i].phase, t.events[i].phase);
    EXPECT_EQ(r.events[i].tid, t.events[i].tid);
    EXPECT_EQ(r.events[i].ts_ns, t.events[i].ts_ns);
    EXPECT_EQ(r.events[i].dur_ns, t.events[i].dur_ns);
    EXPECT_EQ(r.events[i].id, t.events[i].id);
  }
  EXPECT_EQ(r.events[2].args["queue"].get<double>(), 3.5);
  EXPECT_EQ(r.process_names.at(1), "proc \"one\"");
  EXPECT_EQ(r.thread_names.at({1, 7}), "main\tthread");
  EXPECT_EQ(r.metadata["schema"], wt::kSchemaName);
  EXPECT_TRUE(wt::validate_trace(r).empty());
}

TEST(TraceModel, ParsesNanosecondsFromDigitsAndRounds) {
  const auto t = wt::parse_trace(
      R"({"traceEvents":[{"ph":"X","name":"a","pid":1,"tid":2,"ts":1790857026000000.1234,"dur":2.0005},
                         {"ph":"i","name":"b","pid":1,"tid":2,"ts":5,"s":"t"},
                         {"ph":"X","name":"c","pid":"Spans","tid":"stream 7","ts":1e3,"dur":1}]})");
  ASSERT_EQ(t.events.size(), 3u);
  EXPECT_EQ(t.events[0].ts_ns, 1790857026000000123);
  EXPECT_EQ(t.events[0].dur_ns, 2001);  // 2.0005 us rounds half up
  EXPECT_EQ(t.events[1].ts_ns, 5000);
  EXPECT_EQ(t.events[2].ts_ns, 1000000);
  EXPECT_EQ(t.process_names.at(t.events[2].pid), "Spans");
  EXPECT_EQ(t.thread_names.at({t.events[2].pid, t.events[2].tid}), "stream 7");
}

TEST(TraceModel, SyntaxErrorNamesFileAndByteOffset) {
  const auto path = temp_path("bad.json");
  {
    std::ofstream out(path);
    out << R"({"traceEvents":[{"ph":"X","name":"a",}]})";
  }
  try {
    wt::read_trace(path);
    FAIL() << "expected FileError";
  } catch (const worthit::FileError& e) {
    EXPECT_EQ(e.byte_offset(), 37) << e.what();
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos);
  }
  std::filesystem::remove(path);
  EXPECT_THROW(wt::parse_trace(R"({"foo":1})"), worthit::FileError);
  EXPECT_THROW(wt::parse_trace(""), worthit::FileError);
  EXPECT_THROW(wt::parse_trace(R"({"traceEvents":[{"ph":"XY","name":"a"}]})"), worthit::FileError);
}

TEST(TraceModel, ImportsTorchProfilerTrace) {
  const auto t = wt::read_trace(WORTHIT_TEST_DATA_DIR "/kineto_cpu_small.json");
  EXPECT_EQ(t.metadata["source"], "torch.profiler");
  EXPECT_GT(t.events.size(), 200u);
  EXPECT_FALSE(t.process_names.empty());
  const auto stats = wt::range_stats(t);
  ASSERT_FALSE(stats.empty());
  EXPECT_EQ(stats[0].name, "train_step");  // the outermost annotation has the most total time
  EXPECT_EQ(stats[0].count, 2);
  bool saw_linear = false;
  for (const auto& s : stats)
    if (s.name == "aten::linear") {
      saw_linear = true;
      EXPECT_LT(s.self_ns, s.total_ns);  // addmm etc. run inside it
    }
  EXPECT_TRUE(saw_linear);
  EXPECT_TRUE(wt::validate_trace(t).empty()) << wt::validate_trace(t)[0];
  // ns digits kept: the fixture has ts 4843912242091.944 us.
  bool exact = false;
  for (const auto& e : t.events) exact |= e.ts_ns == 4843912242091944;
  EXPECT_TRUE(exact);
}

TEST(TraceAnalysis, RangeStatsSelfTimeAndBusyShare) {
  wt::Trace t;
  t.events.push_back(slice("step", 1, 0, 100));
  t.events.push_back(slice("fwd", 1, 10, 30));
  t.events.push_back(slice("bwd", 1, 50, 40));
  t.events.push_back(slice("mm", 1, 60, 10));
  t.events.push_back(slice("step", 2, 0, 50));
  const auto stats = wt::range_stats(t);
  ASSERT_EQ(stats.size(), 4u);
  EXPECT_EQ(stats[0].name, "step");
  EXPECT_EQ(stats[0].count, 2);
  EXPECT_EQ(stats[0].total_ns, 150);
  EXPECT_EQ(stats[0].self_ns, 30 + 50);
  EXPECT_EQ(stats[0].min_ns, 50);
  EXPECT_EQ(stats[0].max_ns, 100);
  for (const auto& s : stats)
    if (s.name == "bwd") EXPECT_EQ(s.self_ns, 30);
  const auto busy = wt::thread_busy(t);
  ASSERT_EQ(busy.size(), 2u);
  EXPECT_EQ(busy[0].tid, 1);
  EXPECT_DOUBLE_EQ(busy[0].share, 1.0);
  EXPECT_DOUBLE_EQ(busy[1].share, 0.5);
}

TEST(TraceAnalysis, GpuSummary) {
  wt::Trace t;
  auto launch = slice("cudaLaunchKernel", 1, 0, 5, wt::category::kCudaRuntime);
  launch.args = {{"correlation", 7}};
  t.events.push_back(launch);
  auto k = slice("gemm", 100, 20, 30, wt::category::kKernel);
  k.args = {{"correlation", 7}};
  t.events.push_back(k);
  t.events.push_back(
      slice("gemm", 101, 40, 20, wt::category::kKernel));  // overlaps on another stream
  t.events.push_back(slice("Memcpy HtoD", 100, 80, 20, wt::category::kMemcpy));
  const auto g = wt::gpu_summary(t);
  EXPECT_TRUE(g.has_gpu);
  EXPECT_EQ(g.span_ns, 100);
  EXPECT_EQ(g.busy_ns, 40 + 20);
  ASSERT_EQ(g.largest_gaps.size(), 1u);
  EXPECT_EQ(g.largest_gaps[0].start_ns, 60);
  EXPECT_EQ(g.largest_gaps[0].dur_ns, 20);
  ASSERT_EQ(g.kernels.size(), 1u);
  EXPECT_EQ(g.kernels[0].count, 2);
  EXPECT_EQ(g.kernels[0].total_ns, 50);
  EXPECT_EQ(g.launch_count, 1);
  EXPECT_EQ(g.launch_latency_count, 1);
  EXPECT_EQ(g.launch_latency_ns, 20);
  EXPECT_EQ(g.memcpy_count, 1);
}

TEST(TraceValidator, FindsEachKindOfProblem) {
  wt::Trace ok;
  ok.events.push_back(slice("a", 1, 0, 10));
  ok.events.push_back(slice("b", 1, 2, 8));  // ends with its parent: still nested
  EXPECT_TRUE(wt::validate_trace(ok).empty());

  wt::Trace overlap;
  overlap.events.push_back(slice("a", 1, 0, 10));
  overlap.events.push_back(slice("b", 1, 5, 10));
  ASSERT_EQ(wt::validate_trace(overlap).size(), 1u);
  EXPECT_NE(wt::validate_trace(overlap)[0].find("overlap"), std::string::npos);

  wt::Trace be;
  auto b = slice("x", 1, 0, 0);
  b.phase = 'B';
  be.events.push_back(b);
  auto e = slice("y", 1, 5, 0);
  e.phase = 'E';
  be.events.push_back(e);
  be.events.push_back(e);
  const auto p = wt::validate_trace(be);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_NE(p[0].find("does not match"), std::string::npos);
  EXPECT_NE(p[1].find("end without begin"), std::string::npos);

  wt::Trace flow;
  auto s = slice("f", 1, 0, 0, "ac2g");
  s.phase = 's';
  s.id = 3;
  flow.events.push_back(s);
  EXPECT_NE(wt::validate_trace(flow).at(0).find("unpaired flow"), std::string::npos);

  wt::Trace bad;
  auto q = slice("q", 1, 0, -1);
  q.phase = 'Q';
  bad.events.push_back(q);
  EXPECT_NE(wt::validate_trace(bad).at(0).find("unknown phase"), std::string::npos);
}
