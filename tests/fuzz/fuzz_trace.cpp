// The trace reader on arbitrary bytes, then every analysis over what it
// accepted, then a write and a read back that must give the same events.
#include <cstdint>
#include <string_view>

#include "fuzz_support.h"
#include "worthit/trace/analysis.h"
#include "worthit/trace/input_bound.h"
#include "worthit/trace/trace.h"

namespace wt = worthit::trace;
using namespace worthit::fuzz;

namespace {

bool same_event(const wt::Event& a, const wt::Event& b) {
  return a.name == b.name && a.category == b.category && a.phase == b.phase && a.pid == b.pid &&
         a.tid == b.tid && a.ts_ns == b.ts_ns && (a.phase != 'X' || a.dur_ns == b.dur_ns) &&
         ((a.phase != 's' && a.phase != 'f') || a.id == b.id) && a.args == b.args;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  wt::Trace trace;
  if (!accepted([&] { trace = wt::parse_trace(text, kInputName); })) return 0;

  // Analyses: they must not fail on anything the reader accepts.
  for (const auto& r : wt::range_stats(trace)) {
    expect(r.total_ns >= 0 && r.self_ns >= 0 && r.self_ns <= r.total_ns, "range_stats", r.name);
    expect(r.min_ns <= r.max_ns && r.max_ns <= r.total_ns, "range_stats min/max", r.name);
  }
  for (const auto& b : wt::thread_busy(trace))
    expect(b.busy_ns >= 0 && b.share >= 0, "thread_busy", std::to_string(b.busy_ns));
  const auto g = wt::gpu_summary(trace);
  expect(g.busy_ns >= 0 && g.span_ns >= 0, "gpu_summary");
  (void)wt::validate_trace(trace);
  const auto d = wt::diagnose_input_bound(trace);
  expect(d.wait_ns >= 0 && d.iteration_ns >= 0, "diagnose_input_bound");

  // Round trip: what the writer writes, the reader reads back unchanged.
  wt::Trace back;
  const std::string json = wt::trace_to_json(trace);
  if (!accepted([&] { back = wt::parse_trace(json, kInputName); }))
    fail("the writer's output does not read back", json.substr(0, 400));
  expect(back.events.size() == trace.events.size(), "round trip: event count");
  for (size_t i = 0; i < trace.events.size(); ++i)
    expect(same_event(trace.events[i], back.events[i]), "round trip: event",
           std::to_string(i) + " " + trace.events[i].name);
  expect(back.process_names == trace.process_names, "round trip: process names");
  expect(back.thread_names == trace.thread_names, "round trip: thread names");
  return 0;
}
