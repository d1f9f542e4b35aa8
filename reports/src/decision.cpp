#include "worthit/reports/decision.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <tuple>

#include "worthit/reports/format.h"
#include "worthit/reports/rank_test.h"
#include "worthit/results/stats.h"

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

namespace {

double median_of(const BenchResult& r) {
  return r.samples_ns.empty() ? r.stats.median : median(r.samples_ns);
}

CandidateSummary summarize_candidate(const BenchResult& r, const Policy& policy) {
  CandidateSummary c;
  c.candidate = r.candidate;
  c.backend = r.backend;
  c.framework = r.framework;
  c.jit = r.framework && is_jit_backend(policy, r.backend);
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
    if (c.cv == 0 && c.n > 1) {
      const auto s = summarize(r.samples_ns, {.bootstrap_resamples = 0});
      c.cv = s.cv;
    }
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

std::string pct(double share) { return format_percent(share); }

// A reason the deciding measurements are too weak to decide on, or "".
std::string noise_problem(const CandidateSummary& c, const Policy& p) {
  if (c.n < p.min_samples)
    return c.candidate + " has only " + std::to_string(c.n) + " repetitions (the policy needs " +
           std::to_string(p.min_samples) + ")";
  if (c.cv > p.max_cv)
    return c.candidate + " varies too much between repetitions (CV " + pct(c.cv) +
           ", the policy allows " + pct(p.max_cv) + ")";
  return "";
}

std::string describe(const CandidateSummary& c) {
  return c.candidate + " (median " + format_duration(c.median_ns) + ")";
}

std::string interval(const Speedup& s) {
  return format_ratio(s.ci_low) + " to " + format_ratio(s.ci_high);
}

}  // namespace

Decision decide_group(const std::vector<BenchResult>& group, const DecisionInputs& inputs,
                      const Policy& policy) {
  Decision d;
  if (group.empty()) return d;
  d.workload = group.front().workload;
  d.size = group.front().size;
  d.params = group.front().params;
  d.device = group.front().device;
  const int confidence_pct = static_cast<int>(std::lround(policy.confidence * 100));

  std::vector<const BenchResult*> fw_ok, fw_eager_ok, custom_ok;
  for (const auto& r : group) {
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

  // Q2: the framework's best variant against plain eager.
  const BenchResult* best_fw = fastest(fw_ok);
  const BenchResult* eager = fastest(fw_eager_ok);
  if (best_fw) d.best_framework = summarize_candidate(*best_fw, policy);
  if (eager) d.eager = summarize_candidate(*eager, policy);
  bool jit_wins = false;
  if (best_fw && eager && best_fw != eager) {
    d.jit_speedup = speedup_of(*eager, *best_fw, policy);
    jit_wins = d.jit_speedup->value >= policy.min_jit_speedup && d.jit_speedup->ci_low > 1.0;
  }
  std::string q2;
  if (d.jit_speedup) {
    q2 = "The framework's best variant is " + describe(*d.best_framework) + ", " +
         format_ratio(d.jit_speedup->value) + " faster than plain eager " + describe(*d.eager) +
         " (" + std::to_string(confidence_pct) + "% CI " + interval(*d.jit_speedup) + ")" +
         (jit_wins ? ", at least the " + format_ratio(policy.min_jit_speedup) +
                         " the policy asks of a JIT."
                   : ", short of the " + format_ratio(policy.min_jit_speedup) +
                         " the policy asks of a JIT or not clearly above 1x.");
  } else if (best_fw) {
    q2 = "The framework's best variant is " + describe(*d.best_framework) + ".";
  }

  // Q3: the best correct custom candidate against the best framework variant.
  const BenchResult* best_custom = fastest(custom_ok);
  std::string incorrect_note;
  if (!d.incorrect_custom.empty()) {
    incorrect_note = " Failed the correctness gate (never timed, never ranked): ";
    for (size_t i = 0; i < d.incorrect_custom.size(); ++i)
      incorrect_note += (i ? ", " : "") + d.incorrect_custom[i];
    incorrect_note += ".";
  }
  const std::string at = "At " + d.size + (d.device != "cpu" ? " on " + d.device : "") + ", ";
  auto framework_verdict = [&](const std::string& why) {
    d.verdict = jit_wins ? Verdict::use_framework_jit : Verdict::framework_is_enough;
    d.reasons = at + why + " " + q2 +
                (jit_wins ? " Use " + d.best_framework->backend + " rather than eager."
                          : " Stay with the framework.") +
                incorrect_note;
  };

  if (!best_fw) {
    if (!best_custom && !d.incorrect_custom.empty()) {
      d.verdict = Verdict::custom_incorrect;
      d.reasons = at +
                  "no handwritten candidate passed the correctness gate, and no framework "
                  "variant was measured either." +
                  incorrect_note;
    } else {
      d.verdict = Verdict::inconclusive;
      d.reasons = at +
                  "no framework-native candidate was measured correctly, so there is "
                  "nothing to weigh a custom kernel against.";
    }
    return d;
  }
  if (!best_custom) {
    if (!d.incorrect_custom.empty()) {
      d.verdict = Verdict::custom_incorrect;
      d.reasons = at +
                  "every handwritten candidate that ran failed the correctness gate, so "
                  "none can be recommended however fast it is." +
                  incorrect_note + " " + q2;
    } else {
      framework_verdict("no handwritten candidate ran here (unavailable or skipped).");
    }
    return d;
  }

  d.best_custom = summarize_candidate(*best_custom, policy);
  d.custom_speedup = speedup_of(*best_fw, *best_custom, policy);
  std::vector<std::string> sources = best_custom->sources;
  d.maintenance = measure_sources(sources, best_custom->toolchains, inputs.source_root, policy);
  const std::string level = to_string(d.maintenance->cost);
  d.required_speedup = policy.required_speedup.count(level) ? policy.required_speedup.at(level)
                                                            : policy.required_speedup.at("unknown");
  const Speedup& s = *d.custom_speedup;
  if (d.share) {
    d.end_to_end =
        Speedup{amdahl(*d.share, s.value), amdahl(*d.share, s.ci_low), amdahl(*d.share, s.ci_high)};
  }

  // Plain-words pieces.
  std::string cost = "Its maintenance cost is " + level;
  if (d.maintenance->file_count > 0) {
    cost += " (" + std::to_string(d.maintenance->code_lines) + " code lines in " +
            std::to_string(d.maintenance->file_count) + " file(s), cyclomatic complexity " +
            std::to_string(d.maintenance->cyclomatic);
    if (!d.maintenance->toolchains.empty()) {
      cost += ", needs";
      for (const auto& t : d.maintenance->toolchains) cost += " " + t;
    }
    if (d.maintenance->hardware != "portable") cost += ", " + d.maintenance->hardware;
    cost += ")";
  } else {
    cost += " (" + d.maintenance->cost_reasons.front() + ")";
  }
  cost += ", for which the policy asks at least " + format_ratio(d.required_speedup) + ".";
  const std::string speed =
      d.best_custom->candidate + " (median " + format_duration(d.best_custom->median_ns) + ") " +
      (s.value >= 1 ? "is " + format_ratio(s.value) + " faster than"
                    : "is slower than (speedup " + format_ratio(s.value) + ")") +
      " the framework's best variant " + d.best_framework->candidate + " (median " +
      format_duration(d.best_framework->median_ns) + "), " + std::to_string(confidence_pct) +
      "% CI " + interval(s) + ".";
  const double gain_bar = 1.0 + policy.min_end_to_end_gain;
  std::string amdahl_text;
  if (d.share) {
    amdahl_text = " The op takes " + pct(*d.share) + " of the step (from " +
                  (d.share_source == "trace" ? std::string("the trace") : d.share_source) +
                  "), so this speedup makes the whole step " + format_ratio(d.end_to_end->value) +
                  " faster (" + format_ratio(d.end_to_end->ci_low) + " to " +
                  format_ratio(d.end_to_end->ci_high) + "; Amdahl's limit is " +
                  (d.amdahl_limit ? format_ratio(*d.amdahl_limit) : std::string("unbounded")) +
                  ") against the " + format_ratio(gain_bar) + " the policy asks.";
  } else {
    amdahl_text =
        " The op's share of the step is unknown (give --trace or --share), so the "
        "end-to-end gain (Amdahl) was not checked.";
  }

  // Noise first: a verdict needs measurements that can carry it.
  std::string noise = noise_problem(*d.best_custom, policy);
  if (noise.empty()) noise = noise_problem(*d.best_framework, policy);
  if (!noise.empty()) {
    d.verdict = Verdict::inconclusive;
    d.reasons = at + "the measurements are too noisy to decide: " + noise + ". " + speed +
                " Rerun with more repetitions on a quiet machine." + incorrect_note;
    return d;
  }

  const bool op_clears = s.ci_low >= d.required_speedup;
  const bool op_fails = s.ci_high < d.required_speedup;
  const bool e2e_clears = !d.end_to_end || d.end_to_end->ci_low >= gain_bar;
  const bool e2e_fails = d.end_to_end && d.end_to_end->ci_high < gain_bar;
  if (op_clears && e2e_clears) {
    d.verdict = Verdict::custom_worth_it;
    d.reasons = at + speed + " " + cost + amdahl_text +
                " The custom kernel pays for its cost here." + incorrect_note;
  } else if (op_fails || e2e_fails) {
    std::string why = speed + " " + cost;
    if (op_fails) why += " Even the top of the interval is below that bar.";
    why += amdahl_text;
    if (e2e_fails && !op_fails) why += " The op is too small a part of the step to matter.";
    framework_verdict(why);
  } else {
    d.verdict = Verdict::inconclusive;
    d.reasons = at + speed + " " + cost + amdahl_text +
                " The interval straddles the policy's bar, so the data cannot tell; measure "
                "with more repetitions." +
                incorrect_note;
  }
  return d;
}

WorkloadSummary summarize_sizes(const std::vector<Decision>& ordered) {
  WorkloadSummary w;
  if (ordered.empty()) return w;
  w.workload = ordered.front().workload;
  w.device = ordered.front().device;
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
  // Groups keep the order in which workloads first appear in the file.
  std::vector<std::tuple<std::string, std::string, std::string>> order;
  std::map<std::tuple<std::string, std::string, std::string>, std::vector<BenchResult>> groups;
  for (const auto& r : results.results) {
    auto key = std::make_tuple(r.workload, r.device, r.size);
    if (!groups.count(key)) order.push_back(key);
    groups[key].push_back(r);
  }
  std::vector<std::pair<std::string, std::string>> workload_order;
  std::map<std::pair<std::string, std::string>, std::vector<Decision>> by_workload;
  for (const auto& key : order) {
    const auto& group = groups[key];
    // A group where nothing was measured (every candidate unavailable, errored
    // or skipped) has no decision to make; say why once instead.
    const bool measured = std::any_of(group.begin(), group.end(), [](const BenchResult& r) {
      return r.status == ResultStatus::ok || r.status == ResultStatus::incorrect;
    });
    if (!measured) {
      const auto& first = group.front();
      report.warnings.push_back(first.workload + " at " + first.size + " on " + first.device +
                                ": nothing measured; " + std::to_string(group.size()) +
                                " candidate(s) " + to_string(first.status) + ", e.g. " +
                                first.candidate + ": " + first.reason.substr(0, 160));
      continue;
    }
    const auto wk = std::make_pair(std::get<0>(key), std::get<1>(key));
    if (!by_workload.count(wk)) workload_order.push_back(wk);
    by_workload[wk].push_back(decide_group(group, inputs, policy));
  }
  for (const auto& wk : workload_order) {
    auto& ds = by_workload[wk];
    std::stable_sort(ds.begin(), ds.end(), [](const Decision& a, const Decision& b) {
      return size_key(a) < size_key(b);
    });
    report.workloads.push_back(summarize_sizes(ds));
    for (auto& d : ds) {
      if (d.maintenance && !d.maintenance->missing.empty())
        report.warnings.push_back(d.best_custom->candidate + ": source file(s) not read under " +
                                  inputs.source_root.string() + ": " +
                                  d.maintenance->missing.front() + " (" +
                                  d.maintenance->missing_reasons.front() + ")" +
                                  (d.maintenance->missing.size() > 1 ? " and others" : ""));
      report.decisions.push_back(std::move(d));
    }
  }
  // Keep warnings unique (one per candidate, not per size).
  std::sort(report.warnings.begin(), report.warnings.end());
  report.warnings.erase(std::unique(report.warnings.begin(), report.warnings.end()),
                        report.warnings.end());
  if (inputs.have_trace) {
    for (const auto& wk : workload_order)
      if (!inputs.trace_shares.count(wk.first))
        report.warnings.push_back("workload " + wk.first +
                                  ": no trace slice matched its op patterns; share " +
                                  (inputs.share ? "from --share" : "unknown"));
  }
  return report;
}

}  // namespace worthit::reports
