#include "worthit/trace/input_bound.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <utility>

#include "worthit/trace/time_math.h"

namespace worthit::trace {

namespace {

struct Span {
  int64_t start = 0;
  int64_t end = 0;
};

// Length of the union of `slices` (sorted by start) clipped to [lo, hi).
int64_t covered(const std::vector<Span>& slices, int64_t lo, int64_t hi) {
  int64_t total = 0, reach = lo;
  for (const Span& s : slices) {
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

InputBoundDiagnosis diagnose_input_bound(const Trace& trace, const InputBoundRules& rules) {
  const SliceIndex index(trace);
  return diagnose_input_bound(index, find_steps(index), rules);
}

InputBoundDiagnosis diagnose_input_bound(const SliceIndex& index, const Steps& steps,
                                         const InputBoundRules& rules) {
  InputBoundDiagnosis d;
  std::map<std::pair<int64_t, int64_t>, std::vector<Span>> data;  // per thread, by start
  std::set<std::string> data_names;
  for (const Track& t : index.tracks()) {
    if (t.kind != TrackKind::cpu) continue;
    for (const Slice& s : t.slices) {
      const std::string& name = index.name(s.name);
      if (!is_data_range(name)) continue;
      data[{t.pid, t.tid}].push_back({s.start_ns, s.end_ns});
      data_names.insert(range_family(name));
      ++d.data_ranges;
    }
  }
  static const std::vector<Span> kNone;
  // Per thread, the end of the previous step: data ranges in the gap between
  // two steps belong to the step that follows.
  std::map<std::pair<int64_t, int64_t>, int64_t> prev_end;
  for (const StepSpan& s : steps.spans) {
    const std::pair<int64_t, int64_t> key{s.pid, s.tid};
    const auto it = data.find(key);
    const std::vector<Span>& waits = it == data.end() ? kNone : it->second;
    const auto prev = prev_end.find(key);
    const int64_t gap_lo = prev == prev_end.end() ? kMinTimeNs : prev->second;
    int64_t gap_start = s.start_ns;
    for (const Span& w : waits)
      if (w.end <= s.start_ns && w.start >= gap_lo) gap_start = std::min(gap_start, w.start);
    StepInput st;
    st.pid = s.pid;
    st.tid = s.tid;
    st.start_ns = gap_start;
    st.iteration_ns = sub_saturating(s.end_ns, gap_start);
    st.wait_ns = covered(waits, gap_start, s.end_ns);
    d.per_step.push_back(st);
    prev_end[key] = s.end_ns;
  }
  std::sort(d.per_step.begin(), d.per_step.end(),
            [](const StepInput& a, const StepInput& b) { return a.start_ns < b.start_ns; });
  d.steps_found = int64_t(d.per_step.size());
  d.step_names = steps.source;
  d.data_names = names_of(data_names);

  if (d.per_step.empty()) {
    d.summary =
        "no step ranges found, and no optimizer steps: name each training step \"step\" "
        "(worthit.scope, NVTX), use "
        "torch.profiler's schedule (ProfilerStep#N), or step a torch.optim optimizer";
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
