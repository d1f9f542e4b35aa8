#include <algorithm>
#include <map>
#include <unordered_map>

#include "worthit/trace/analysis.h"
#include "worthit/trace/op_calls.h"
#include "worthit/trace/slices.h"
#include "worthit/trace/time_math.h"

namespace worthit::trace {
namespace {

using ThreadKey = std::pair<int64_t, int64_t>;

std::pair<int64_t, int64_t> trace_span(const Trace& trace) {
  int64_t lo = INT64_MAX, hi = INT64_MIN;
  for (const Event& e : trace.events) {
    if (e.phase == 'M') continue;
    lo = std::min(lo, e.ts_ns);
    hi = std::max(hi, e.phase == 'X' ? end_ns(e.ts_ns, std::max<int64_t>(e.dur_ns, 0)) : e.ts_ns);
  }
  if (lo > hi) return {0, 0};
  return {lo, hi};
}

bool is_launch(const Event& e) {
  return (e.category == category::kCudaRuntime || e.category == category::kCudaDriver) &&
         e.name.find("Launch") != std::string::npos;
}

const nlohmann::json* arg(const Event& e, const char* key) {
  if (!e.args.is_object()) return nullptr;
  auto it = e.args.find(key);
  return it == e.args.end() ? nullptr : &*it;
}

}  // namespace

bool is_gpu_work(const Event& e) {
  return e.category == category::kKernel || e.category == category::kMemcpy ||
         e.category == category::kMemset;
}

std::vector<RangeStat> range_stats(const Trace& trace) {
  const SliceIndex index(trace);
  std::unordered_map<uint32_t, RangeStat> by_name;
  for (const Track& t : index.tracks()) {
    if (t.kind != TrackKind::cpu) continue;
    for (const Slice& s : t.slices) {
      const Event& e = trace.events[s.event];
      // Kineto's "Trace" slice spans the whole profile and worthit's own
      // slices ("worthit capture": which steps the ATen observer recorded)
      // mark stretches of it; neither is a range of the program's.
      if (e.category == "Trace" || e.category == category::kWorthitNote) continue;
      const int64_t dur = sub_saturating(s.end_ns, s.start_ns);
      RangeStat& r = by_name[s.name];
      if (r.count == 0) {
        r.name = e.name;
        r.category = e.category;
        r.min_ns = dur;
        r.max_ns = dur;
      }
      ++r.count;
      r.total_ns = add_saturating(r.total_ns, dur);
      r.self_ns = add_saturating(r.self_ns, std::max<int64_t>(s.self_ns, 0));
      r.min_ns = std::min(r.min_ns, dur);
      r.max_ns = std::max(r.max_ns, dur);
    }
  }
  std::vector<RangeStat> out;
  out.reserve(by_name.size());
  for (auto& [name, r] : by_name) out.push_back(std::move(r));
  std::sort(out.begin(), out.end(), [](const RangeStat& a, const RangeStat& b) {
    return a.total_ns != b.total_ns ? a.total_ns > b.total_ns : a.name < b.name;
  });
  return out;
}

std::vector<ThreadBusy> thread_busy(const Trace& trace) {
  const auto [lo, hi] = trace_span(trace);
  const SliceIndex index(trace);
  std::vector<ThreadBusy> out;
  for (const Track& tr : index.tracks()) {
    if (tr.kind != TrackKind::cpu) continue;
    ThreadBusy t;
    t.pid = tr.pid;
    t.tid = tr.tid;
    if (auto it = trace.thread_names.find({tr.pid, tr.tid}); it != trace.thread_names.end())
      t.name = it->second;
    int64_t covered = kMinTimeNs;
    for (const Slice& s : tr.slices) {
      if (const auto& c = trace.events[s.event].category;
          c == "Trace" || c == category::kWorthitNote)
        continue;
      const int64_t from = std::max(s.start_ns, covered);
      if (s.end_ns > from) t.busy_ns = add_saturating(t.busy_ns, sub_saturating(s.end_ns, from));
      covered = std::max(covered, s.end_ns);
    }
    t.share = hi > lo ? double(t.busy_ns) / double(sub_saturating(hi, lo)) : 0.0;
    out.push_back(std::move(t));
  }
  std::sort(out.begin(), out.end(),
            [](const ThreadBusy& a, const ThreadBusy& b) { return a.busy_ns > b.busy_ns; });
  return out;
}

GpuSummary gpu_summary(const Trace& trace, size_t max_gaps) {
  GpuSummary g;
  const auto [lo, hi] = trace_span(trace);
  g.span_ns = sub_saturating(hi, lo);
  std::vector<std::pair<int64_t, int64_t>> work;
  std::unordered_map<std::string, KernelStat> kernels;
  std::unordered_map<int64_t, std::pair<int64_t, int64_t>> launches;  // correlation -> ts, dur
  for (const Event& e : trace.events) {
    if (e.phase != 'X') continue;
    if (is_gpu_work(e)) {
      work.emplace_back(e.ts_ns, end_ns(e.ts_ns, std::max<int64_t>(e.dur_ns, 0)));
      if (e.category == category::kKernel) {
        KernelStat& k = kernels[e.name];
        k.name = e.name;
        ++k.count;
        k.total_ns = add_saturating(k.total_ns, e.dur_ns);
      } else if (e.category == category::kMemcpy) {
        ++g.memcpy_count;
        g.memcpy_ns = add_saturating(g.memcpy_ns, e.dur_ns);
      } else {
        ++g.memset_count;
        g.memset_ns = add_saturating(g.memset_ns, e.dur_ns);
      }
    } else if (is_launch(e)) {
      // cudaLaunchKernel and the cuLaunchKernel inside it share a correlation
      // id: count the outer call once.
      const auto* c = arg(e, "correlation");
      if (!c || !c->is_number_integer()) {
        ++g.launch_count;
        g.launch_api_ns = add_saturating(g.launch_api_ns, e.dur_ns);
        continue;
      }
      auto [it, inserted] = launches.try_emplace(c->get<int64_t>(), e.ts_ns, e.dur_ns);
      if (!inserted && e.ts_ns < it->second.first) it->second = {e.ts_ns, e.dur_ns};
    } else if (e.category == category::kCudaSync) {
      g.sync_ns = add_saturating(g.sync_ns, e.dur_ns);
    }
  }
  for (const auto& [corr, call] : launches) {
    ++g.launch_count;
    g.launch_api_ns = add_saturating(g.launch_api_ns, call.second);
  }
  for (const Event& e : trace.events) {
    if (e.phase != 'X' || e.category != category::kKernel) continue;
    const auto* c = arg(e, "correlation");
    if (!c || !c->is_number_integer()) continue;
    if (auto it = launches.find(c->get<int64_t>()); it != launches.end()) {
      ++g.launch_latency_count;
      g.launch_latency_ns =
          add_saturating(g.launch_latency_ns, sub_saturating(e.ts_ns, it->second.first));
    }
  }
  g.has_gpu = !work.empty();
  std::sort(work.begin(), work.end());
  int64_t covered = INT64_MIN;
  for (const auto& [start, end] : work) {
    if (covered != INT64_MIN && start > covered)
      g.largest_gaps.push_back({covered, sub_saturating(start, covered)});
    const int64_t from = std::max(start, covered);
    if (end > from) g.busy_ns = add_saturating(g.busy_ns, sub_saturating(end, from));
    covered = std::max(covered, end);
  }
  std::sort(g.largest_gaps.begin(), g.largest_gaps.end(),
            [](const Gap& a, const Gap& b) { return a.dur_ns > b.dur_ns; });
  if (g.largest_gaps.size() > max_gaps) g.largest_gaps.resize(max_gaps);
  g.busy_share = g.span_ns > 0 ? double(g.busy_ns) / double(g.span_ns) : 0.0;
  for (auto& [name, k] : kernels) g.kernels.push_back(std::move(k));
  std::sort(g.kernels.begin(), g.kernels.end(), [](const KernelStat& a, const KernelStat& b) {
    return a.total_ns != b.total_ns ? a.total_ns > b.total_ns : a.name < b.name;
  });
  return g;
}

std::vector<std::string> validate_trace(const Trace& trace) {
  std::vector<std::string> problems;
  std::map<std::string, int> per_kind;
  auto report = [&](const std::string& kind, const std::string& detail) {
    if (++per_kind[kind] <= 5) problems.push_back(kind + ": " + detail);
  };
  auto where = [](const Event& e) {
    return "'" + e.name + "' (pid " + std::to_string(e.pid) + ", tid " + std::to_string(e.tid) +
           ", ts " + std::to_string(e.ts_ns) + " ns)";
  };
  std::map<ThreadKey, std::vector<const Event*>> open;
  std::map<ThreadKey, std::vector<const Event*>> complete;
  // (category, id) -> (starts, finishes): Chrome pairs flows within a category.
  std::map<std::pair<std::string, uint64_t>, std::pair<int, int>> flows;
  for (const Event& e : trace.events) {
    switch (e.phase) {
      case 'X':
        if (e.dur_ns < 0) report("negative duration", where(e));
        complete[{e.pid, e.tid}].push_back(&e);
        break;
      case 'B':
        open[{e.pid, e.tid}].push_back(&e);
        break;
      case 'E': {
        auto& stack = open[{e.pid, e.tid}];
        if (stack.empty()) {
          report("end without begin", where(e));
        } else {
          if (!e.name.empty() && e.name != stack.back()->name)
            report("end does not match begin", where(e) + " closes '" + stack.back()->name + "'");
          if (e.ts_ns < stack.back()->ts_ns) report("end before begin", where(e));
          stack.pop_back();
        }
        break;
      }
      case 's':
        ++flows[{e.category, e.id}].first;
        break;
      case 'f':
        ++flows[{e.category, e.id}].second;
        break;
      case 'i':
      case 'I':
      case 'C':
      case 'M':
        break;
      default:
        report("unknown phase", std::string(1, e.phase) + " in " + where(e));
    }
    if (e.name.empty() && e.phase != 'E') report("event without a name", where(e));
  }
  for (const auto& [key, stack] : open)
    for (const Event* b : stack) report("begin without end", where(*b));
  for (auto& [key, slices] : complete) {
    std::stable_sort(slices.begin(), slices.end(), [](const Event* a, const Event* b) {
      return a->ts_ns != b->ts_ns ? a->ts_ns < b->ts_ns : a->dur_ns > b->dur_ns;
    });
    std::vector<const Event*> stack;
    for (const Event* s : slices) {
      while (!stack.empty() && end_ns(stack.back()->ts_ns, stack.back()->dur_ns) <= s->ts_ns)
        stack.pop_back();
      if (!stack.empty() &&
          end_ns(s->ts_ns, s->dur_ns) > end_ns(stack.back()->ts_ns, stack.back()->dur_ns))
        report("slices overlap without nesting", where(*s) + " and " + where(*stack.back()));
      stack.push_back(s);
    }
  }
  for (const auto& [key, counts] : flows)
    if (counts.first != 1 || counts.second != 1)
      report("unpaired flow", "'" + key.first + "' id " + std::to_string(key.second) + ": " +
                                  std::to_string(counts.first) + " start(s), " +
                                  std::to_string(counts.second) + " finish(es)");
  for (const auto& [kind, n] : per_kind)
    if (n > 5) problems.push_back(kind + ": " + std::to_string(n - 5) + " more");
  return problems;
}

}  // namespace worthit::trace
