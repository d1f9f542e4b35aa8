#include "worthit/trace/steps.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "worthit/trace/op_calls.h"
#include "worthit/trace/time_math.h"

namespace worthit::trace {

bool is_step_range(std::string_view name) {
  return name.starts_with("ProfilerStep#") || name == "step" || name == "train_step" ||
         name == "training_step";
}

bool is_data_range(std::string_view name) {
  return name.starts_with("enumerate(DataLoader)") || name == "IteratorGetNext" || name == "data" ||
         name == "data_wait" || name == "dataloader" || name == "next_batch" ||
         name == "load_batch";
}

bool is_optimizer_step(std::string_view name) {
  // torch.optim.Optimizer wraps every step in record_function("Optimizer.step#SGD.step").
  return name.starts_with("Optimizer.step#");
}

bool is_input_work(std::string_view name) {
  if (is_data_range(name)) return true;
  std::string n(name);
  for (char& c : n) c = char(std::tolower(static_cast<unsigned char>(c)));
  for (const char* word : {"dataloader", "data_loader", "next_data", "__next__", "collate",
                           "decode", "read", "load", "parse", "augment", "iterator", "prefetch"})
    if (n.find(word) != std::string::npos) return true;
  return false;
}

std::string range_family(std::string_view name) {
  if (name.starts_with("ProfilerStep#")) return "ProfilerStep#*";
  if (name.starts_with("enumerate(DataLoader)")) return "enumerate(DataLoader)#*";
  if (name.starts_with("Optimizer.step#")) return "Optimizer.step#*";
  return std::string(name);
}

Steps find_steps(const SliceIndex& index, const std::function<bool(std::string_view)>& is_step) {
  Steps out;
  std::set<std::string> names;
  const auto& tracks = index.tracks();
  // (pid, tid) -> ends of optimizer steps, for programs without step ranges.
  std::map<std::pair<int64_t, int64_t>, std::vector<int64_t>> optimizer_ends;
  for (int ti = 0; ti < int(tracks.size()); ++ti) {
    const Track& t = tracks[size_t(ti)];
    if (t.kind != TrackKind::cpu) continue;
    int64_t outer_end = kMinTimeNs;
    for (int32_t i = 0; i < int32_t(t.slices.size()); ++i) {
      const Slice& s = t.slices[size_t(i)];
      const std::string& name = index.name(s.name);
      if (is_optimizer_step(name)) optimizer_ends[{t.pid, t.tid}].push_back(s.end_ns);
      if (!(is_step ? is_step(name) : is_step_range(name))) continue;
      // Nested step ranges (a "step" scope inside ProfilerStep#N) would count
      // twice: keep the outermost of each nest.
      if (s.start_ns < outer_end) continue;
      outer_end = s.end_ns;
      out.spans.push_back({t.pid, t.tid, s.start_ns, s.end_ns, {ti, i}});
      names.insert(range_family(name));
    }
  }
  if (out.spans.empty()) {
    for (auto& [key, ends] : optimizer_ends) {
      std::sort(ends.begin(), ends.end());
      for (size_t i = 1; i < ends.size(); ++i)
        out.spans.push_back({key.first, key.second, ends[i - 1], ends[i], {}});
    }
    if (!out.spans.empty()) {
      out.from_optimizer = true;
      out.source = "iterations between optimizer steps (Optimizer.step#*)";
    }
  } else {
    for (const auto& n : names) out.source += (out.source.empty() ? "" : ", ") + n;
  }
  std::stable_sort(out.spans.begin(), out.spans.end(),
                   [](const StepSpan& a, const StepSpan& b) { return a.start_ns < b.start_ns; });
  return out;
}

CapturedSteps captured_steps(const SliceIndex& index, const Steps& steps) {
  CapturedSteps out;
  out.all_steps = steps.spans.size();
  struct Window {
    int64_t start, end;
    bool after_step;  // starts at the end of an optimizer step
  };
  std::map<int64_t, std::vector<Window>> windows;  // per pid
  size_t optimizer_steps = 0;  // every one, captured or not (the observer counts them)
  for (const Event& e : index.trace().events) {
    if (e.category != category::kWorthitNote) continue;
    if (e.name == category::kTorchCaptureNote && e.args.is_object())
      optimizer_steps += size_t(std::max<int64_t>(e.args.value("optimizer_steps", int64_t{0}), 0));
    if (e.phase == 'X' && e.name == category::kCaptureWindow && e.dur_ns > 0) {
      const bool after = e.args.is_object() && e.args.value("after_step", false);
      windows[e.pid].push_back({e.ts_ns, add_saturating(e.ts_ns, e.dur_ns), after});
    }
  }
  if (windows.empty()) {
    out.steps = steps;
    return out;
  }
  out.sampled = true;
  out.steps.source = steps.source;
  out.steps.from_optimizer = steps.from_optimizer;
  if (steps.spans.empty()) {
    out.steps.source = "capture windows";
    for (const auto& [pid, list] : windows)
      for (const Window& w : list) out.steps.spans.push_back({pid, pid, w.start, w.end, {}});
    return out;
  }
  if (steps.from_optimizer) {
    if (optimizer_steps > 0) out.all_steps = optimizer_steps;
    // Only captured optimizer steps are in the trace, so iterations between
    // recorded ends would span the steps in between: a captured step runs
    // from a window's start (when that is a step end) or a recorded end to the
    // next recorded end inside the same window.
    std::map<int64_t, std::pair<int64_t, std::vector<int64_t>>> ends;  // pid -> (tid, ends)
    for (const StepSpan& s : steps.spans) {
      auto& [tid, v] = ends[s.pid];
      tid = s.tid;
      v.push_back(s.start_ns);
      v.push_back(s.end_ns);
    }
    for (auto& [pid, entry] : ends) {
      auto& [tid, v] = entry;
      std::sort(v.begin(), v.end());
      v.erase(std::unique(v.begin(), v.end()), v.end());
      const auto w = windows.find(pid);
      if (w == windows.end()) continue;
      for (const Window& win : w->second) {
        std::vector<int64_t> bounds;
        if (win.after_step) bounds.push_back(win.start);
        // (1 us of slack: the trace keeps times in microseconds.)
        for (int64_t e : v)
          if (e > win.start && e <= add_saturating(win.end, 1000)) bounds.push_back(e);
        for (size_t i = 1; i < bounds.size(); ++i)
          if (bounds[i] > bounds[i - 1])
            out.steps.spans.push_back({pid, tid, bounds[i - 1], bounds[i], {}});
      }
    }
    std::stable_sort(out.steps.spans.begin(), out.steps.spans.end(),
                     [](const StepSpan& a, const StepSpan& b) { return a.start_ns < b.start_ns; });
    return out;
  }
  for (const StepSpan& s : steps.spans) {
    const auto w = windows.find(s.pid);
    if (w == windows.end()) continue;
    int64_t covered = 0;
    for (const Window& win : w->second) {
      const int64_t from = std::max(win.start, s.start_ns), to = std::min(win.end, s.end_ns);
      if (to > from) covered = add_saturating(covered, to - from);
    }
    const int64_t length = sub_saturating(s.end_ns, s.start_ns);
    if (length > 0 && double(covered) >= 0.9 * double(length)) out.steps.spans.push_back(s);
  }
  return out;
}

int64_t steps_union_ns(const Steps& steps) {
  std::vector<std::pair<int64_t, int64_t>> v;
  for (const StepSpan& s : steps.spans) v.emplace_back(s.start_ns, s.end_ns);
  std::sort(v.begin(), v.end());
  int64_t total = 0, reach = kMinTimeNs;
  for (const auto& [a, b] : v) {
    const int64_t from = std::max(a, reach);
    if (b > from) total = add_saturating(total, b - from);
    reach = std::max(reach, b);
  }
  return total;
}

}  // namespace worthit::trace
