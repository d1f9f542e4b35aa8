#include "worthit/trace/input_bound.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <utility>

#include "worthit/trace/analysis.h"
#include "worthit/trace/time_math.h"

namespace worthit::trace {

namespace {

struct Slice {
  int64_t start = 0;
  int64_t end = 0;
  const std::string* name = nullptr;
};

using ThreadKey = std::pair<int64_t, int64_t>;

// Complete slices of CPU threads: 'X' events and matched 'B'/'E' pairs.
void collect(const Trace& trace, std::map<ThreadKey, std::vector<Slice>>& steps,
             std::map<ThreadKey, std::vector<Slice>>& data) {
  std::map<ThreadKey, std::vector<const Event*>> open;
  auto add = [&](const Event& e, int64_t start, int64_t end) {
    const ThreadKey key{e.pid, e.tid};
    if (is_step_range(e.name))
      steps[key].push_back({start, end, &e.name});
    else if (is_data_range(e.name))
      data[key].push_back({start, end, &e.name});
  };
  for (const Event& e : trace.events) {
    if (is_gpu_work(e)) continue;
    if (e.phase == 'X') {
      add(e, e.ts_ns, end_ns(e.ts_ns, std::max<int64_t>(e.dur_ns, 0)));
    } else if (e.phase == 'B') {
      open[{e.pid, e.tid}].push_back(&e);
    } else if (e.phase == 'E') {
      auto& stack = open[{e.pid, e.tid}];
      if (stack.empty()) continue;
      const Event* b = stack.back();
      stack.pop_back();
      if (e.ts_ns >= b->ts_ns) add(*b, b->ts_ns, e.ts_ns);
    }
  }
  for (auto* m : {&steps, &data})
    for (auto& [key, v] : *m)
      std::sort(v.begin(), v.end(),
                [](const Slice& a, const Slice& b) { return a.start < b.start; });
}

// Length of the union of `slices` (sorted by start) clipped to [lo, hi).
int64_t covered(const std::vector<Slice>& slices, int64_t lo, int64_t hi) {
  int64_t total = 0, reach = lo;
  for (const Slice& s : slices) {
    if (s.start >= hi) break;
    const int64_t b = std::max(s.start, reach), e = std::min(s.end, hi);
    if (e > b) {
      total = add_saturating(total, sub_saturating(e, b));
      reach = e;
    }
  }
  return total;
}

std::string names_of(const std::set<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

std::string pct(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100.0 * v);
  return buf;
}

std::string ms(int64_t ns) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f ms", double(ns) / 1e6);
  return buf;
}

}  // namespace

const char* to_string(InputVerdict v) {
  switch (v) {
    case InputVerdict::input_bound:
      return "input-bound";
    case InputVerdict::balanced:
      return "balanced";
    case InputVerdict::compute_bound:
      return "compute-bound";
    case InputVerdict::unknown:
      return "unknown";
  }
  return "unknown";
}

bool is_step_range(const std::string& name) {
  return name.starts_with("ProfilerStep#") || name == "step" || name == "train_step" ||
         name == "training_step";
}

bool is_data_range(const std::string& name) {
  return name.starts_with("enumerate(DataLoader)") || name == "IteratorGetNext" || name == "data" ||
         name == "data_wait" || name == "dataloader" || name == "next_batch" ||
         name == "load_batch";
}

InputBoundDiagnosis diagnose_input_bound(const Trace& trace, const InputBoundRules& rules) {
  InputBoundDiagnosis d;
  std::map<ThreadKey, std::vector<Slice>> steps, data;
  collect(trace, steps, data);
  std::set<std::string> step_names, data_names;
  for (const auto& [key, v] : data) {
    d.data_ranges += int64_t(v.size());
    for (const Slice& s : v)
      data_names.insert(s.name->starts_with("enumerate(DataLoader)") ? "enumerate(DataLoader)#*"
                                                                     : *s.name);
  }

  for (const auto& [key, v] : steps) {
    // Nested step ranges (a "step" scope inside ProfilerStep#N) would count
    // twice: keep the outermost of each nest.
    std::vector<Slice> outer;
    for (const Slice& s : v)
      if (outer.empty() || s.start >= outer.back().end) outer.push_back(s);
    static const std::vector<Slice> kNone;
    const auto it = data.find(key);
    const std::vector<Slice>& waits = it == data.end() ? kNone : it->second;
    int64_t prev_end = outer.empty() ? 0 : outer.front().start;
    for (size_t i = 0; i < outer.size(); ++i) {
      const Slice& s = outer[i];
      step_names.insert(s.name->starts_with("ProfilerStep#") ? "ProfilerStep#*" : *s.name);
      // Data ranges that end in the gap before this step belong to it.
      int64_t gap_start = s.start;
      const int64_t gap_lo = i == 0 ? INT64_MIN : prev_end;
      for (const Slice& w : waits)
        if (w.end <= s.start && w.start >= gap_lo) gap_start = std::min(gap_start, w.start);
      StepInput st;
      st.pid = key.first;
      st.tid = key.second;
      st.start_ns = gap_start;
      st.iteration_ns = sub_saturating(s.end, gap_start);
      st.wait_ns = covered(waits, gap_start, s.end);
      d.per_step.push_back(st);
      prev_end = s.end;
    }
  }
  std::sort(d.per_step.begin(), d.per_step.end(),
            [](const StepInput& a, const StepInput& b) { return a.start_ns < b.start_ns; });
  d.steps_found = int64_t(d.per_step.size());
  d.step_names = names_of(step_names);
  d.data_names = names_of(data_names);

  if (d.per_step.empty()) {
    d.summary =
        "no step ranges found: name each training step \"step\" (worthit.scope, NVTX) or use "
        "torch.profiler's schedule (ProfilerStep#N)";
    return d;
  }
  if (d.data_ranges == 0) {
    d.summary =
        std::to_string(d.steps_found) +
        " steps but no data-loading ranges: wrap the batch fetch in a \"data\" range, or profile "
        "with torch.profiler (enumerate(DataLoader)#...)";
    return d;
  }
  std::vector<StepInput> used = d.per_step;
  if (int64_t(used.size()) >= rules.skip_first_from) used.erase(used.begin());
  std::vector<double> shares;
  for (const StepInput& s : used) {
    d.iteration_ns = add_saturating(d.iteration_ns, s.iteration_ns);
    d.wait_ns = add_saturating(d.wait_ns, s.wait_ns);
    if (s.iteration_ns > 0) shares.push_back(double(s.wait_ns) / double(s.iteration_ns));
  }
  d.steps = int64_t(used.size());
  d.wait_share = d.iteration_ns > 0 ? double(d.wait_ns) / double(d.iteration_ns) : 0;
  if (!shares.empty()) {
    std::sort(shares.begin(), shares.end());
    const size_t m = shares.size() / 2;
    d.median_step_share = shares.size() % 2 ? shares[m] : 0.5 * (shares[m - 1] + shares[m]);
  }
  d.max_speedup = d.wait_share < 1 ? 1.0 / (1.0 - d.wait_share) : 0;

  std::string rule;
  if (d.wait_share >= rules.input_bound_share) {
    d.verdict = InputVerdict::input_bound;
    rule = ">= " + pct(rules.input_bound_share) + ": input-bound";
  } else if (d.wait_share < rules.compute_bound_share) {
    d.verdict = InputVerdict::compute_bound;
    rule = "< " + pct(rules.compute_bound_share) + ": compute-bound, the input pipeline keeps up";
  } else {
    d.verdict = InputVerdict::balanced;
    rule = "between " + pct(rules.compute_bound_share) + " and " + pct(rules.input_bound_share) +
           ": balanced";
  }
  char speed[48];
  std::snprintf(speed, sizeof speed, "%.2fx", d.max_speedup);
  d.summary =
      pct(d.wait_share) + " of step time waiting for input (" + ms(d.wait_ns) + " of " +
      ms(d.iteration_ns) + " over " + std::to_string(d.steps) + " steps, median step " +
      pct(d.median_step_share) + ") " + rule +
      (d.verdict == InputVerdict::compute_bound
           ? ""
           : "; a free input pipeline would make steps up to " + std::string(speed) + " faster");
  return d;
}

}  // namespace worthit::trace
