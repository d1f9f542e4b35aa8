#include "worthit/reports/op_share.h"

#include <algorithm>

#include "worthit/trace/time_math.h"

namespace worthit::reports {

namespace {

using Interval = std::pair<int64_t, int64_t>;

std::vector<Interval> merge(std::vector<Interval> v) {
  std::sort(v.begin(), v.end());
  std::vector<Interval> out;
  for (const auto& iv : v) {
    if (iv.second <= iv.first) continue;
    if (!out.empty() && iv.first <= out.back().second)
      out.back().second = std::max(out.back().second, iv.second);
    else
      out.push_back(iv);
  }
  return out;
}

int64_t total(const std::vector<Interval>& v) {
  int64_t t = 0;
  for (const auto& [a, b] : v) t = trace::add_saturating(t, trace::sub_saturating(b, a));
  return t;
}

// Both inputs merged and sorted; returns the length of their intersection.
int64_t overlap(const std::vector<Interval>& a, const std::vector<Interval>& b) {
  int64_t t = 0;
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    const int64_t lo = std::max(a[i].first, b[j].first);
    const int64_t hi = std::min(a[i].second, b[j].second);
    if (hi > lo) t = trace::add_saturating(t, trace::sub_saturating(hi, lo));
    if (a[i].second < b[j].second)
      ++i;
    else
      ++j;
  }
  return t;
}

bool matches_any(const std::vector<std::string>& globs, const std::string& name) {
  return std::any_of(globs.begin(), globs.end(),
                     [&](const std::string& g) { return glob_match(g, name); });
}

}  // namespace

double amdahl(double share, double speedup) {
  if (speedup <= 0) return 0;
  share = std::clamp(share, 0.0, 1.0);
  return 1.0 / ((1.0 - share) + share / speedup);
}

std::optional<OpShare> op_share(const std::vector<Slice>& slices, const std::string& workload,
                                const Policy& policy) {
  OpShare s;
  s.workload = workload;
  if (auto it = policy.op_patterns.find(workload); it != policy.op_patterns.end())
    s.patterns = it->second;
  else
    s.patterns = {workload, "*" + workload + "*"};
  std::vector<Interval> steps, ops;
  int64_t first = INT64_MAX, last = INT64_MIN;
  for (const auto& sl : slices) {
    const int64_t end = trace::end_ns(sl.start_ns, std::max<int64_t>(0, sl.dur_ns));
    first = std::min(first, sl.start_ns);
    last = std::max(last, end);
    if (matches_any(policy.step_patterns, sl.name)) {
      steps.emplace_back(sl.start_ns, end);
      ++s.steps;
    } else if (matches_any(s.patterns, sl.name)) {
      ops.emplace_back(sl.start_ns, end);
      ++s.op_slices;
    }
  }
  if (ops.empty()) return std::nullopt;
  std::vector<Interval> step_union;
  if (steps.empty()) {
    step_union = {{first, last}};
    s.step_source = "whole trace span";
  } else {
    step_union = merge(std::move(steps));
    s.step_source = "steps matching the step patterns";
  }
  const auto op_union = merge(std::move(ops));
  s.step_ns = total(step_union);
  s.op_ns = overlap(op_union, step_union);
  s.share = s.step_ns > 0 ? std::min(1.0, static_cast<double>(s.op_ns) / s.step_ns) : 0.0;
  return s;
}

}  // namespace worthit::reports
