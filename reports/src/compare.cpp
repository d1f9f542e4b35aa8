#include "worthit/reports/compare.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "worthit/reports/format.h"
#include "worthit/reports/policy.h"
#include "worthit/reports/rank_test.h"
#include "worthit/results/file_io.h"
#include "worthit/results/stats.h"

namespace worthit::reports {

const char* to_string(ChangeKind k) {
  switch (k) {
    case ChangeKind::regressed:
      return "regressed";
    case ChangeKind::improved:
      return "improved";
    case ChangeKind::unchanged:
      return "unchanged";
    case ChangeKind::noisy:
      return "noisy";
    case ChangeKind::missing:
      return "missing";
    case ChangeKind::added:
      return "new";
  }
  return "noisy";
}

namespace {

// The smallest two-sided p-value the exact test can give for sizes m and n:
// complete separation, 2 / C(m + n, m).
double smallest_p(int m, int n) {
  double c = 1;
  for (int i = 1; i <= m; ++i) c = c * (n + i) / i;
  return std::min(1.0, 2.0 / c);
}

int process_count(const std::vector<int>& process, size_t samples) {
  if (process.size() != samples || samples == 0) return samples ? 1 : 0;
  return static_cast<int>(std::set<int>(process.begin(), process.end()).size());
}

// Drift-corrected samples per benchmark name: each sample divided by the
// geometric mean of the same round's samples of the group's references. A
// benchmark without a usable reference (alone in its group, or sample counts
// that differ) is left out, and compared raw.
std::map<std::string, std::vector<double>> normalized_samples(const BenchmarkSet& set,
                                                              const CompareOptions& o) {
  std::map<std::string, std::vector<const BenchmarkSamples*>> groups;
  for (const auto& b : set.benchmarks)
    if (!b.group.empty() && b.status == "ok" && !b.samples_ns.empty())
      groups[b.group].push_back(&b);
  std::map<std::string, std::vector<double>> out;
  for (const auto& [group, members] : groups) {
    for (const auto* b : members) {
      std::vector<const BenchmarkSamples*> refs;
      for (const auto* r : members) {
        if (r == b || r->samples_ns.size() != b->samples_ns.size()) continue;
        if (!o.control.empty() && !glob_match(o.control, r->backend)) continue;
        refs.push_back(r);
      }
      if (refs.empty()) continue;
      std::vector<double> y(b->samples_ns.size());
      for (size_t i = 0; i < y.size(); ++i) {
        double log_sum = 0;
        for (const auto* r : refs) log_sum += std::log(r->samples_ns[i]);
        y[i] = b->samples_ns[i] / std::exp(log_sum / static_cast<double>(refs.size()));
      }
      out[b->name] = std::move(y);
    }
  }
  return out;
}

}  // namespace

BenchmarkComparison compare_samples(const std::string& name, const std::vector<double>& base,
                                    const std::vector<double>& next, const CompareOptions& o,
                                    const std::vector<int>& base_process,
                                    const std::vector<int>& new_process) {
  BenchmarkComparison c;
  c.name = name;
  c.base_n = static_cast<int>(base.size());
  c.new_n = static_cast<int>(next.size());
  c.base_processes = process_count(base_process, base.size());
  c.new_processes = process_count(new_process, next.size());
  c.base_median_ns = median(base);
  c.new_median_ns = median(next);
  // The interval resamples whole processes when a side has several: the
  // rank test below sees only samples, and samples of one process are alike.
  const auto ratio =
      ratio_of_medians(next, base, o.confidence, o.resamples, o.seed, new_process, base_process);
  c.change = ratio.ratio - 1;
  c.ci_low = ratio.ci_low - 1;
  c.ci_high = ratio.ci_high - 1;
  const auto u = mann_whitney_u(next, base);
  c.p_value = u.p_value;
  c.exact = u.exact;
  const int n_min = std::min(c.base_n, c.new_n);
  if (n_min < o.min_samples) {
    // Below 4 per side the rank test cannot reach any usual significance level
    // (3 vs 3: the smallest two-sided p is 0.1), so no claim is made at all.
    c.kind = ChangeKind::noisy;
    c.note = "only " + std::to_string(n_min) + " sample(s) on one side; at least " +
             std::to_string(o.min_samples) +
             " per side are needed before any significance is claimed (the smallest possible "
             "p here is " +
             format_p_value(smallest_p(c.base_n, c.new_n)) + ")";
    return c;
  }
  c.significant = c.p_value < o.alpha && (c.ci_low > 0 || c.ci_high < 0);
  const bool within = c.ci_low >= -o.threshold && c.ci_high <= o.threshold;
  if (c.significant && c.change > o.threshold) {
    c.kind = ChangeKind::regressed;
  } else if (c.significant && c.change < -o.threshold) {
    c.kind = ChangeKind::improved;
  } else if (within || (c.significant && std::abs(c.change) <= o.threshold)) {
    c.kind = ChangeKind::unchanged;
    if (c.significant) c.note = "a real but small change, within the threshold";
  } else {
    c.kind = ChangeKind::noisy;
    if (std::abs(c.change) > o.threshold)
      c.note = "changed " + format_signed_percent(c.change) + " but not significantly (p " +
               format_p_value(c.p_value) + ")";
    else
      c.note = "the interval reaches beyond the threshold; more repetitions would tell";
  }
  if (c.kind != ChangeKind::regressed && c.kind != ChangeKind::improved && c.significant == false &&
      smallest_p(c.base_n, c.new_n) >= o.alpha && c.note.empty())
    c.note = "too few samples to reach alpha " + format_p_value(o.alpha);
  if (n_min < o.warn_samples && c.note.empty())
    c.note = "few samples (" + std::to_string(n_min) + " < " + std::to_string(o.warn_samples) +
             " per side): low power";
  return c;
}

Comparison compare(const BenchmarkSet& base, const BenchmarkSet& next, const CompareOptions& o) {
  if (base.format != next.format)
    throw FileError(next.path, "is " + next.format + " JSON but the base " + base.path + " is " +
                                   base.format + " JSON; compare files of the same kind");
  Comparison out;
  out.base_path = base.path;
  out.new_path = next.path;
  out.format = base.format;
  out.options = o;
  for (const auto& [key, value] : base.fingerprint) {
    auto it = next.fingerprint.find(key);
    const std::string other = it == next.fingerprint.end() ? "(absent)" : it->second;
    if (other != value)
      out.warnings.push_back("machine differs: " + key + " is '" + value + "' in the base but '" +
                             other + "' in the new file; timings may not be comparable");
  }
  std::map<std::string, std::vector<double>> base_norm, new_norm;
  if (o.normalize) {
    if (base.format != "worthit")
      throw FileError(next.path,
                      "drift correction (--normalize) needs worthit results, whose "
                      "rounds are interleaved; Google Benchmark runs are not");
    base_norm = normalized_samples(base, o);
    new_norm = normalized_samples(next, o);
  }
  int raw_fallback = 0;
  std::map<std::string, const BenchmarkSamples*> in_new;
  for (const auto& b : next.benchmarks) in_new[b.name] = &b;
  std::set<std::string> in_base;
  int common = 0, few = 0, single_process = 0;
  for (const auto& b : base.benchmarks) {
    in_base.insert(b.name);
    auto it = in_new.find(b.name);
    if (it == in_new.end()) {
      BenchmarkComparison c;
      c.name = b.name;
      c.kind = ChangeKind::missing;
      c.base_n = static_cast<int>(b.samples_ns.size());
      c.base_median_ns = median(b.samples_ns);
      c.note = "in the base, absent from the new file";
      out.benchmarks.push_back(c);
      continue;
    }
    ++common;
    const auto& n = *it->second;
    if (b.status != "ok" || n.status != "ok" || b.samples_ns.empty() || n.samples_ns.empty()) {
      BenchmarkComparison c;
      c.name = b.name;
      c.base_n = static_cast<int>(b.samples_ns.size());
      c.new_n = static_cast<int>(n.samples_ns.size());
      c.base_median_ns = median(b.samples_ns);
      c.new_median_ns = median(n.samples_ns);
      if (n.status != "ok" || n.samples_ns.empty()) {
        c.kind = ChangeKind::missing;
        c.note = "not measured in the new file: " + n.status +
                 (n.reason.empty() ? "" : " (" + n.reason + ")");
      } else {
        c.kind = ChangeKind::added;
        c.note = "not measured in the base: " + b.status +
                 (b.reason.empty() ? "" : " (" + b.reason + ")");
      }
      out.benchmarks.push_back(c);
      continue;
    }
    BenchmarkComparison c;
    auto bn = base_norm.find(b.name);
    auto nn = new_norm.find(b.name);
    if (o.normalize && bn != base_norm.end() && nn != new_norm.end()) {
      c = compare_samples(b.name, bn->second, nn->second, o, b.process, n.process);
      c.normalized = true;
      c.base_median_ns = median(b.samples_ns);
      c.new_median_ns = median(n.samples_ns);
    } else {
      if (o.normalize) ++raw_fallback;
      c = compare_samples(b.name, b.samples_ns, n.samples_ns, o, b.process, n.process);
    }
    if (std::min(c.base_n, c.new_n) < o.warn_samples) ++few;
    if (std::min(c.base_processes, c.new_processes) < 2) ++single_process;
    out.benchmarks.push_back(std::move(c));
  }
  for (const auto& b : next.benchmarks) {
    if (in_base.count(b.name)) continue;
    BenchmarkComparison c;
    c.name = b.name;
    c.kind = ChangeKind::added;
    c.new_n = static_cast<int>(b.samples_ns.size());
    c.new_median_ns = median(b.samples_ns);
    c.note = "absent from the base";
    out.benchmarks.push_back(c);
  }
  if (common == 0)
    throw FileError(next.path, "has no benchmark in common with the base " + base.path +
                                   " (are these runs of the same suite?)");
  if (raw_fallback > 0)
    out.warnings.push_back(std::to_string(raw_fallback) +
                           " benchmark(s) had no reference in their group (alone, no control "
                           "matched, or different repetition counts) and were compared raw");
  if (few > 0)
    out.warnings.push_back(std::to_string(few) + " benchmark(s) have fewer than " +
                           std::to_string(o.warn_samples) +
                           " samples per side: the test has little power; use more repetitions");
  if (single_process > 0)
    out.warnings.push_back(
        std::to_string(single_process) +
        " benchmark(s) come from a single bench process on one side: the spread between "
        "processes (memory layout, a few percent for some kernels) is not measured, so false "
        "alarms are likelier; run `worthit bench --processes 5` or pool runs (docs/ci.md)");
  for (const auto& c : out.benchmarks) {
    ++out.counts[to_string(c.kind)];
    if (c.kind == ChangeKind::regressed) out.regression = true;
  }
  return out;
}

}  // namespace worthit::reports
