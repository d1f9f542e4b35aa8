// The reasons paragraph of a decision: the numbers decide_group gathered and
// the outcome decide_numbers gave, in plain words. No decision is made here.
#include <cmath>

#include "worthit/reports/decision.h"
#include "worthit/reports/format.h"

namespace worthit::reports {

namespace {

std::string describe(const CandidateSummary& c) {
  return c.candidate + " (median " + format_duration(c.median_ns) + ")";
}

// A factor against 1 in words: "3.50x faster", "2.04x slower", "as fast".
std::string faster_or_slower(double ratio) {
  if (ratio <= 0) return "not measurable";
  if (std::abs(ratio - 1.0) < 0.005) return "as fast";
  return ratio > 1 ? format_ratio(ratio) + " faster" : format_ratio(1.0 / ratio) + " slower";
}

std::string interval(const Speedup& s) {
  return format_ratio(s.ci_low) + " to " + format_ratio(s.ci_high);
}

std::string confidence_text(const Policy& p) {
  return std::to_string(static_cast<int>(std::lround(p.confidence * 100))) + "% CI ";
}

std::string incorrect_note(const Decision& d) {
  if (d.incorrect_custom.empty()) return "";
  std::string s = " Failed the correctness gate (never timed, never ranked): ";
  for (size_t i = 0; i < d.incorrect_custom.size(); ++i)
    s += (i ? ", " : "") + d.incorrect_custom[i];
  return s + ".";
}

std::string framework_sentence(const Decision& d, const Policy& p) {
  if (!d.best_framework) return "";
  std::string q2 = "The framework's best variant is " + describe(*d.best_framework);
  if (!d.jit_speedup) return q2 + ".";
  const Speedup& j = *d.jit_speedup;
  q2 += ", " + faster_or_slower(j.value) + " than plain eager " + describe(*d.eager) + " (" +
        confidence_text(p) + interval(j) + ")";
  return q2 + (d.jit_wins ? ", at least the " + format_ratio(p.min_jit_speedup) +
                                " the policy asks of a JIT."
                          : ", short of the " + format_ratio(p.min_jit_speedup) +
                                " the policy asks of a JIT or not clearly above 1x.");
}

std::string cost_sentence(const Decision& d) {
  const MaintenanceMetrics& m = *d.maintenance;
  std::string cost = "Its maintenance cost is " + std::string(to_string(m.cost));
  if (m.file_count > 0) {
    cost += " (" + std::to_string(m.code_lines) + " code lines in " + std::to_string(m.file_count) +
            " file(s), cyclomatic complexity " + std::to_string(m.cyclomatic);
    if (!m.toolchains.empty()) {
      cost += ", needs";
      for (const auto& t : m.toolchains) cost += " " + t;
    }
    if (m.hardware != "portable") cost += ", " + m.hardware;
    cost += ")";
  } else if (!m.cost_reasons.empty()) {
    cost += " (" + m.cost_reasons.front() + ")";
  }
  return cost + ", for which the policy asks at least " + format_ratio(d.required_speedup) + ".";
}

std::string speed_sentence(const Decision& d, const Policy& p) {
  const Speedup& s = *d.custom_speedup;
  return describe(*d.best_custom) + " is " + faster_or_slower(s.value) +
         " than the framework's best variant " + describe(*d.best_framework) + " (speedup " +
         format_ratio(s.value) + ", " + confidence_text(p) + interval(s) + ").";
}

std::string amdahl_sentence(const Decision& d) {
  if (!d.share)
    return " The op's share of the step is unknown (give --trace or --share), so the "
           "end-to-end gain (Amdahl) was not checked.";
  const Speedup& e = *d.end_to_end;
  return " The op takes " + format_percent(*d.share) + " of the step (from " +
         (d.share_source == "trace" ? std::string("the trace") : d.share_source) +
         "), so this makes the whole step " + faster_or_slower(e.value) + " (speedup " +
         format_ratio(e.ci_low) + " to " + format_ratio(e.ci_high) + "; Amdahl's limit is " +
         (d.amdahl_limit ? format_ratio(*d.amdahl_limit) : std::string("unbounded")) +
         ") against the " + format_ratio(d.min_end_to_end) + " the policy asks.";
}

// Noise is a diagnostic: it widened the intervals the verdict was read from.
std::string noise_note(const Decision& d, const Policy& p, bool decided) {
  std::string noisy;
  for (const auto* c : {&d.best_custom, &d.best_framework})
    if (*c && (**c).cv > p.max_cv)
      noisy += (noisy.empty() ? "" : " and ") + (**c).candidate + " (CV " +
               format_percent((**c).cv) + ")";
  if (noisy.empty()) return "";
  return " " + noisy + " varied between repetitions, which widens the interval" +
         (decided ? "; the interval still settles the question."
                  : "; more repetitions (--target-ci, --max-time) or a quieter machine narrow it.");
}

}  // namespace

std::string write_reasons(const Decision& d, const Policy& p) {
  std::string at = "At " + d.size + (d.device != "cpu" ? " on " + d.device : "");
  if (!d.family.empty()) at += ", for a " + family_display_name(d.family) + " user";
  at += ", ";
  const std::string q2 = framework_sentence(d, p);
  const std::string stay = d.jit_wins && d.best_framework
                               ? " Use " + d.best_framework->backend + " rather than eager."
                               : std::string(" Stay with the framework.");
  switch (d.why) {
    case DecisionWhy::no_framework:
      return at +
             "no framework-native candidate was measured correctly, so there is nothing to "
             "weigh a custom kernel against." +
             incorrect_note(d);
    case DecisionWhy::all_custom_incorrect:
      return at + (d.best_framework
                       ? "every handwritten candidate that ran failed the correctness "
                         "gate, so none can be recommended however fast it is." +
                             incorrect_note(d) + " " + q2
                       : "no handwritten candidate passed the correctness gate, and no "
                         "framework variant was measured either." +
                             incorrect_note(d));
    case DecisionWhy::no_custom:
      return at + "no handwritten candidate ran here (unavailable or skipped). " + q2 + stay +
             incorrect_note(d);
    case DecisionWhy::too_few_samples: {
      const CandidateSummary& thin =
          d.best_custom->n < p.min_samples ? *d.best_custom : *d.best_framework;
      return at + "there are too few repetitions to give an interval: " + thin.candidate +
             " has only " + std::to_string(thin.n) + " repetitions (the policy needs " +
             std::to_string(p.min_samples) + "). " + speed_sentence(d, p) +
             " Rerun with more repetitions." + incorrect_note(d);
    }
    case DecisionWhy::custom_pays:
      return at + speed_sentence(d, p) + " " + cost_sentence(d) + amdahl_sentence(d) +
             " The custom kernel pays for its cost here." + noise_note(d, p, true) +
             incorrect_note(d);
    case DecisionWhy::op_below_bar:
      return at + speed_sentence(d, p) + " " + cost_sentence(d) +
             " Even the top of the interval is below that bar." + amdahl_sentence(d) + " " + q2 +
             stay + noise_note(d, p, true) + incorrect_note(d);
    case DecisionWhy::step_below_bar:
      return at + speed_sentence(d, p) + " " + cost_sentence(d) + amdahl_sentence(d) +
             " The op is too small a part of the step to matter. " + q2 + stay +
             noise_note(d, p, true) + incorrect_note(d);
    case DecisionWhy::straddles_op_bar:
    case DecisionWhy::straddles_step_bar:
      return at + speed_sentence(d, p) + " " + cost_sentence(d) + amdahl_sentence(d) +
             (d.why == DecisionWhy::straddles_op_bar
                  ? " The op's interval straddles the policy's bar"
                  : " The end-to-end interval straddles the policy's step bar") +
             ", so the data cannot tell; measure with more repetitions." + noise_note(d, p, false) +
             incorrect_note(d);
  }
  return at;
}

}  // namespace worthit::reports
