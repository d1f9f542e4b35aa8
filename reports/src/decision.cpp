#include "worthit/reports/decision.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <tuple>

#include "worthit/reports/rank_test.h"
#include "worthit/results/stats.h"
#include "worthit/results/unavailable.h"

namespace worthit::reports {

const char* to_string(Verdict v) {
  switch (v) {
    case Verdict::framework_is_enough:
      return "framework-is-enough";
    case Verdict::use_framework_jit:
      return "use-framework-jit";
    case Verdict::custom_worth_it:
      return "custom-worth-it";
    case Verdict::inconclusive:
      return "inconclusive";
    case Verdict::custom_incorrect:
      return "custom-incorrect";
  }
  return "inconclusive";
}

std::optional<Verdict> verdict_from_string(const std::string& s) {
  for (auto v : {Verdict::framework_is_enough, Verdict::use_framework_jit, Verdict::custom_worth_it,
                 Verdict::inconclusive, Verdict::custom_incorrect})
    if (s == to_string(v)) return v;
  return std::nullopt;
}

const char* to_string(DecisionWhy w) {
  switch (w) {
    case DecisionWhy::no_framework:
      return "no-framework";
    case DecisionWhy::all_custom_incorrect:
      return "all-custom-incorrect";
    case DecisionWhy::no_custom:
      return "no-custom";
    case DecisionWhy::too_few_samples:
      return "too-few-samples";
    case DecisionWhy::custom_pays:
      return "custom-pays";
    case DecisionWhy::op_below_bar:
      return "op-below-bar";
    case DecisionWhy::step_below_bar:
      return "step-below-bar";
    case DecisionWhy::straddles_op_bar:
      return "straddles-op-bar";
    case DecisionWhy::straddles_step_bar:
      return "straddles-step-bar";
  }
  return "no-framework";
}

DecisionOutcome decide_numbers(const DecisionNumbers& n) {
  DecisionOutcome o;
  o.jit_wins = n.jit && n.jit->value >= n.min_jit_speedup && n.jit->ci_low > 1.0;
  const Verdict framework = o.jit_wins ? Verdict::use_framework_jit : Verdict::framework_is_enough;
  auto result = [&](Verdict v, DecisionWhy why) {
    o.verdict = v;
    o.why = why;
    return o;
  };
  if (!n.have_framework)
    return n.custom_incorrect && !n.have_custom
               ? result(Verdict::custom_incorrect, DecisionWhy::all_custom_incorrect)
               : result(Verdict::inconclusive, DecisionWhy::no_framework);
  if (!n.have_custom)
    return n.custom_incorrect ? result(Verdict::custom_incorrect, DecisionWhy::all_custom_incorrect)
                              : result(framework, DecisionWhy::no_custom);
  if (!n.enough_samples || !n.custom)
    return result(Verdict::inconclusive, DecisionWhy::too_few_samples);

  const Speedup& s = *n.custom;
  const bool op_clears = s.ci_low >= n.required_speedup;
  const bool op_fails = s.ci_high < n.required_speedup;
  const bool step_clears = !n.end_to_end || n.end_to_end->ci_low >= n.min_end_to_end;
  const bool step_fails = n.end_to_end && n.end_to_end->ci_high < n.min_end_to_end;
  if (op_fails) return result(framework, DecisionWhy::op_below_bar);
  if (step_fails) return result(framework, DecisionWhy::step_below_bar);
  if (op_clears && step_clears) return result(Verdict::custom_worth_it, DecisionWhy::custom_pays);
  return result(Verdict::inconclusive,
                op_clears ? DecisionWhy::straddles_step_bar : DecisionWhy::straddles_op_bar);
}

std::string family_display_name(const std::string& family) {
  if (family == "pytorch") return "PyTorch";
  if (family == "tensorflow") return "TensorFlow";
  if (family == "numpy") return "NumPy";
  if (family == "python") return "Python";
  return family;
}

namespace {

double median_of(const BenchResult& r) {
  return r.samples_ns.empty() ? r.stats.median : median(r.samples_ns);
}

std::string family_of(const BenchResult& r, const Policy& policy) {
  return r.framework ? framework_family(policy, r.family, r.backend) : std::string();
}

CandidateSummary summarize_candidate(const BenchResult& r, const Policy& policy) {
  CandidateSummary c;
  c.candidate = r.candidate;
  c.backend = r.backend;
  c.framework = r.framework;
  c.jit = r.framework && is_jit_backend(policy, r.backend);
  c.family = family_of(r, policy);
  c.status = worthit::to_string(r.status);
  c.reason = r.reason;
  if (r.status == ResultStatus::ok) {
    c.n = static_cast<int>(r.samples_ns.size());
    c.median_ns = median_of(r);
    c.ci_low_ns = r.stats.ci_low;
    c.ci_high_ns = r.stats.ci_high;
    if (c.ci_high_ns <= 0 && !r.samples_ns.empty())  // a record without the harness's interval
      std::tie(c.ci_low_ns, c.ci_high_ns) =
          bootstrap_median_ci(r.samples_ns, policy.confidence, policy.bootstrap_resamples,
                              policy.bootstrap_seed, r.sample_process);
    c.cv = r.stats.cv;
    if (c.cv == 0 && c.n > 1) c.cv = summarize(r.samples_ns, {.bootstrap_resamples = 0}).cv;
    c.unstable = r.stats.unstable;
    c.unstable_reason = r.stats.unstable_reason;
    c.stop_reason = r.stop_reason;
  }
  return c;
}

const BenchResult* fastest(const std::vector<const BenchResult*>& rs) {
  const BenchResult* best = nullptr;
  for (const auto* r : rs)
    if (!best || median_of(*r) < median_of(*best)) best = r;
  return best;
}

// With several bench processes, each side resamples whole processes: the
// spread of a candidate between processes widens its speedup's interval.
Speedup speedup_of(const BenchResult& slow, const BenchResult& fast, const Policy& p) {
  const auto e =
      ratio_of_medians(slow.samples_ns, fast.samples_ns, p.confidence, p.bootstrap_resamples,
                       p.bootstrap_seed, slow.sample_process, fast.sample_process);
  return {e.ratio, e.ci_low, e.ci_high};
}

bool measured(const BenchResult& r) {
  return r.status == ResultStatus::ok || r.status == ResultStatus::incorrect ||
         r.status == ResultStatus::error;
}

// Does a framework record take part in the decision for `family`?
bool in_family(const BenchResult& r, const std::string& family, const Policy& policy) {
  if (family.empty()) return true;
  const std::string f = family_of(r, policy);
  return f == family || is_shared_family(policy, f);
}

}  // namespace

std::vector<std::string> families_of(const std::vector<BenchResult>& group, const Policy& policy) {
  std::set<std::string> own, shared;
  for (const auto& r : group) {
    if (!r.framework || !measured(r)) continue;
    const std::string f = family_of(r, policy);
    (is_shared_family(policy, f) ? shared : own).insert(f);
  }
  const auto& chosen = own.empty() ? shared : own;
  return {chosen.begin(), chosen.end()};
}

Decision decide_group(const std::vector<BenchResult>& group, const DecisionInputs& inputs,
                      const Policy& policy, const std::string& family) {
  Decision d;
  if (group.empty()) return d;
  d.workload = group.front().workload;
  d.size = group.front().size;
  d.params = group.front().params;
  d.device = group.front().device;
  d.family = family;

  std::vector<const BenchResult*> fw_ok, fw_eager_ok, custom_ok;
  for (const auto& r : group) {
    if (r.framework && !in_family(r, family, policy)) continue;
    d.candidates.push_back(summarize_candidate(r, policy));
    if (r.status == ResultStatus::ok) {
      if (r.framework) {
        fw_ok.push_back(&r);
        if (!is_jit_backend(policy, r.backend)) fw_eager_ok.push_back(&r);
      } else {
        custom_ok.push_back(&r);
      }
    } else if (!r.framework && r.status == ResultStatus::incorrect) {
      d.incorrect_custom.push_back(r.candidate);
    }
  }
  std::stable_sort(d.candidates.begin(), d.candidates.end(),
                   [](const CandidateSummary& a, const CandidateSummary& b) {
                     const bool ao = a.status == "ok", bo = b.status == "ok";
                     if (ao != bo) return ao;
                     return ao && a.median_ns < b.median_ns;
                   });

  // Q1: the op's share of the step.
  if (auto it = inputs.trace_shares.find(d.workload); it != inputs.trace_shares.end()) {
    d.share = it->second.share;
    d.share_source = "trace";
  } else if (inputs.share) {
    d.share = *inputs.share;
    d.share_source = "--share";
  }
  if (d.share && *d.share < 1.0) d.amdahl_limit = 1.0 / (1.0 - *d.share);
  d.min_end_to_end = 1.0 + policy.min_end_to_end_gain;

  DecisionNumbers n;
  n.min_end_to_end = d.min_end_to_end;
  n.min_jit_speedup = policy.min_jit_speedup;
  n.custom_incorrect = !d.incorrect_custom.empty();

  // Q2: the family's best variant against its plain eager one.
  const BenchResult* best_fw = fastest(fw_ok);
  const BenchResult* eager = fastest(fw_eager_ok);
  if (best_fw) d.best_framework = summarize_candidate(*best_fw, policy);
  if (eager) d.eager = summarize_candidate(*eager, policy);
  if (best_fw && eager && best_fw != eager) d.jit_speedup = speedup_of(*eager, *best_fw, policy);
  n.have_framework = best_fw != nullptr;
  n.jit = d.jit_speedup;

  // Q3: the best correct custom candidate against the best framework variant.
  const BenchResult* best_custom = fastest(custom_ok);
  n.have_custom = best_custom != nullptr;
  if (best_fw && best_custom) {
    d.best_custom = summarize_candidate(*best_custom, policy);
    d.custom_speedup = speedup_of(*best_fw, *best_custom, policy);
    if (best_custom->cost) {
      d.maintenance = metrics_from_cost(*best_custom->cost, best_custom->toolchains, policy);
      d.maintenance_source = "results";
    } else {
      d.maintenance = measure_sources(best_custom->sources, best_custom->toolchains,
                                      inputs.source_root, policy);
      d.maintenance_source = "source-root";
    }
    const std::string level = to_string(d.maintenance->cost);
    d.required_speedup = policy.required_speedup.count(level)
                             ? policy.required_speedup.at(level)
                             : policy.required_speedup.at("unknown");
    const Speedup& s = *d.custom_speedup;
    if (d.share)
      d.end_to_end = Speedup{amdahl(*d.share, s.value), amdahl(*d.share, s.ci_low),
                             amdahl(*d.share, s.ci_high)};
    n.custom = d.custom_speedup;
    n.end_to_end = d.end_to_end;
    n.required_speedup = d.required_speedup;
    n.enough_samples =
        d.best_custom->n >= policy.min_samples && d.best_framework->n >= policy.min_samples;
  }

  const DecisionOutcome outcome = decide_numbers(n);
  d.verdict = outcome.verdict;
  d.why = outcome.why;
  d.jit_wins = outcome.jit_wins;
  d.reasons = write_reasons(d, policy);
  return d;
}

WorkloadSummary summarize_sizes(const std::vector<Decision>& ordered) {
  WorkloadSummary w;
  if (ordered.empty()) return w;
  w.workload = ordered.front().workload;
  w.device = ordered.front().device;
  w.family = ordered.front().family;
  for (size_t i = 0; i < ordered.size(); ++i) {
    w.sizes.push_back(ordered[i].size);
    w.verdicts.push_back(ordered[i].verdict);
    if (i > 0 && ordered[i].verdict != ordered[i - 1].verdict)
      w.changes.push_back(
          {ordered[i - 1].size, ordered[i].size, ordered[i - 1].verdict, ordered[i].verdict});
  }
  if (w.changes.empty()) {
    w.summary = std::string(to_string(w.verdicts.front())) + " at every size measured (" +
                std::to_string(w.sizes.size()) + ")";
  } else {
    // Runs of equal verdicts, smallest size first.
    size_t start = 0;
    for (size_t i = 1; i <= w.sizes.size(); ++i) {
      if (i < w.sizes.size() && w.verdicts[i] == w.verdicts[start]) continue;
      if (!w.summary.empty()) w.summary += "; ";
      w.summary += std::string(to_string(w.verdicts[start])) + " at " + w.sizes[start];
      if (i - 1 > start) w.summary += " to " + w.sizes[i - 1];
      start = i;
    }
  }
  w.summary += ".";
  return w;
}

namespace {

// Sizes sort by their element count (product of the dimensions), then label.
double size_key(const Decision& d) {
  double k = 1;
  for (const auto& [name, v] : d.params) k *= static_cast<double>(v);
  return d.params.empty() ? 0 : k;
}

}  // namespace

Report decide(const ResultsFile& results, const DecisionInputs& inputs, const Policy& policy) {
  Report report;
  report.machine = results.machine;
  report.policy = policy;
  report.framework_filter = inputs.framework;
  // Groups keep the order in which workloads first appear in the file.
  using GroupKey = std::tuple<std::string, std::string, std::string>;
  std::vector<GroupKey> order;
  std::map<GroupKey, std::vector<BenchResult>> groups;
  for (const auto& r : results.results) {
    auto key = std::make_tuple(r.workload, r.device, r.size);
    if (!groups.count(key)) order.push_back(key);
    groups[key].push_back(r);
  }
  // One summary per workload, device and family, in first-seen order.
  using SummaryKey = std::tuple<std::string, std::string, std::string>;
  std::vector<SummaryKey> summary_order;
  std::map<SummaryKey, std::vector<Decision>> by_workload;
  std::set<std::string> workloads_seen, missing_family;
  std::vector<std::string> workload_order;
  for (const auto& key : order) {
    const auto& group = groups[key];
    if (workloads_seen.insert(std::get<0>(key)).second) workload_order.push_back(std::get<0>(key));
    // A group where nothing was measured (every candidate unavailable or
    // skipped, e.g. CUDA candidates on a machine without a GPU) has no
    // decision to make; the unavailable summary says why, once per reason.
    const bool any = std::any_of(group.begin(), group.end(), [](const BenchResult& r) {
      return r.status == ResultStatus::ok || r.status == ResultStatus::incorrect;
    });
    if (!any) {
      const auto first = std::find_if(group.begin(), group.end(), [](const BenchResult& r) {
        return r.status != ResultStatus::unavailable;
      });
      if (first != group.end())  // unavailable ones are summarised below, once per reason
        report.warnings.push_back(first->workload + " at " + first->size + " on " + first->device +
                                  ": nothing measured; e.g. " + first->candidate + " " +
                                  to_string(first->status) + ": " + first->reason.substr(0, 160));
      continue;
    }
    std::vector<std::string> families = families_of(group, policy);
    if (families.empty()) families = {""};
    if (!inputs.framework.empty()) {
      if (std::find(families.begin(), families.end(), inputs.framework) == families.end()) {
        missing_family.insert(std::get<0>(key));
        continue;
      }
      families = {inputs.framework};
    }
    for (const auto& family : families) {
      const auto sk = std::make_tuple(std::get<0>(key), std::get<1>(key), family);
      if (!by_workload.count(sk)) summary_order.push_back(sk);
      by_workload[sk].push_back(decide_group(group, inputs, policy, family));
    }
  }
  // Decisions of one workload stay together: by workload, device, family.
  std::stable_sort(summary_order.begin(), summary_order.end(),
                   [&](const SummaryKey& a, const SummaryKey& b) {
                     auto rank = [&](const std::string& w) {
                       return std::find(workload_order.begin(), workload_order.end(), w) -
                              workload_order.begin();
                     };
                     return std::make_tuple(rank(std::get<0>(a)), std::get<1>(a), std::get<2>(a)) <
                            std::make_tuple(rank(std::get<0>(b)), std::get<1>(b), std::get<2>(b));
                   });
  for (const auto& sk : summary_order) {
    auto& ds = by_workload[sk];
    std::stable_sort(ds.begin(), ds.end(), [](const Decision& a, const Decision& b) {
      return size_key(a) < size_key(b);
    });
    report.workloads.push_back(summarize_sizes(ds));
    for (auto& d : ds) {
      if (d.maintenance && !d.maintenance->missing.empty())
        report.warnings.push_back(
            d.best_custom->candidate + ": source file(s) not read" +
            (d.maintenance_source == "source-root" ? " under " + inputs.source_root.string()
                                                   : std::string(" when it was benched")) +
            ": " + d.maintenance->missing.front() + " (" + d.maintenance->missing_reasons.front() +
            ")" + (d.maintenance->missing.size() > 1 ? " and others" : ""));
      if (d.maintenance_source == "source-root" &&
          (d.maintenance->file_count > 0 || !d.maintenance->missing.empty()))
        report.warnings.push_back(
            d.best_custom->candidate +
            ": its results carry no maintenance metrics (written before bench recorded them); "
            "costed from the sources under " +
            inputs.source_root.string() + " as they are now");
      report.decisions.push_back(std::move(d));
    }
  }
  for (const auto& u : summarize_unavailable(results.results))
    report.warnings.push_back(describe(u));
  if (results.host && host_needs_a_warning(*results.host))
    report.warnings.push_back(describe(*results.host));
  for (const auto& w : missing_family)
    report.warnings.push_back("workload " + w + ": no " + family_display_name(inputs.framework) +
                              " candidate was measured at some sizes; not decided there");
  // Keep warnings unique (one per candidate, not per size).
  std::vector<std::string> unique;
  for (auto& w : report.warnings)
    if (std::find(unique.begin(), unique.end(), w) == unique.end()) unique.push_back(std::move(w));
  report.warnings = std::move(unique);
  if (inputs.have_trace) {
    for (const auto& w : workload_order)
      if (!inputs.trace_shares.count(w))
        report.warnings.push_back("workload " + w +
                                  ": no trace slice matched its op patterns; share " +
                                  (inputs.share ? "from --share" : "unknown"));
  }
  return report;
}

}  // namespace worthit::reports
