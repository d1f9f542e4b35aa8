#include <map>
#include <sstream>

#include "worthit/reports/format.h"
#include "worthit/reports/report_writers.h"

namespace worthit::reports {

namespace {

// Table cells must not break the Markdown table.
std::string cell(std::string s) {
  for (size_t p = s.find('|'); p != std::string::npos; p = s.find('|', p + 2))
    s.replace(p, 1, "\\|");
  return s;
}

std::string speedup_cell(const std::optional<Speedup>& s) {
  if (!s) return "–";
  return format_ratio(s->value) + " [" + format_ratio(s->ci_low) + ", " + format_ratio(s->ci_high) +
         "]";
}

}  // namespace

std::string report_to_markdown(const Report& report) {
  std::ostringstream md;
  md << "# worthit report\n\n";
  md << "Results: `" << report.results_path << "`";
  if (!report.trace_path.empty()) md << " · trace: `" << report.trace_path << "`";
  md << " · policy: "
     << (report.policy_path.empty() ? "built-in default" : "`" + report.policy_path + "`");
  md << "  \nMachine: " << report.machine.cpu_model << ", " << report.machine.physical_cores
     << " cores";
  if (!report.machine.gpu.empty()) md << ", " << report.machine.gpu;
  md << " · commit " << (report.machine.commit.empty() ? "unknown" : report.machine.commit)
     << " · created " << report.created << "\n\n";

  std::map<Verdict, int> counts;
  for (const auto& d : report.decisions) ++counts[d.verdict];
  md << "**Verdicts:** ";
  bool first = true;
  for (const auto& [v, n] : counts) {
    md << (first ? "" : ", ") << n << " × `" << to_string(v) << "`";
    first = false;
  }
  if (report.decisions.empty()) md << "none (no results)";
  md << "\n\n";

  if (!report.framework_filter.empty())
    md << "Decided for " << family_display_name(report.framework_filter) << " users only.\n\n";
  md << "| workload | size | for | verdict | best framework | best custom | custom speedup [CI] | "
        "share | end-to-end |\n";
  md << "|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& d : report.decisions) {
    md << "| " << cell(d.workload) << (d.device != "cpu" ? " (" + d.device + ")" : "") << " | "
       << cell(d.size) << " | " << (d.family.empty() ? "–" : family_display_name(d.family))
       << " | `" << to_string(d.verdict) << "` | "
       << (d.best_framework ? cell(d.best_framework->backend) + " " +
                                  format_duration(d.best_framework->median_ns)
                            : "–")
       << " | "
       << (d.best_custom
               ? cell(d.best_custom->backend) + " " + format_duration(d.best_custom->median_ns)
               : "–")
       << " | " << speedup_cell(d.custom_speedup) << " | "
       << (d.share ? format_percent(*d.share) : "?") << " | "
       << (d.end_to_end ? format_ratio(d.end_to_end->value) : "–") << " |\n";
  }
  md << "\n";

  for (const auto& w : report.workloads) {
    md << "## " << w.workload << (w.device != "cpu" ? " on " + w.device : "")
       << (w.family.empty() ? "" : ", for a " + family_display_name(w.family) + " user") << "\n\n";
    md << "**Across sizes:** " << w.summary << "\n";
    for (const auto& c : w.changes)
      md << "- from " << c.from_size << " to " << c.to_size << ": `" << to_string(c.from) << "` → `"
         << to_string(c.to) << "`\n";
    md << "\n";
    for (const auto& d : report.decisions) {
      if (d.workload != w.workload || d.device != w.device || d.family != w.family) continue;
      md << "### " << d.size << ": `" << to_string(d.verdict) << "`\n\n" << d.reasons << "\n\n";
      md << "| candidate | kind | status | median | 95% CI | CV | n "
            "|\n|---|---|---|---|---|---|---|\n";
      for (const auto& c : d.candidates) {
        const std::string kind =
            c.framework ? family_display_name(c.family) + (c.jit ? " JIT" : "") : "handwritten";
        if (c.status == "ok")
          md << "| " << cell(c.candidate) << " | " << kind << " | ok | "
             << format_duration(c.median_ns) << " | " << format_duration(c.ci_low_ns) << " – "
             << format_duration(c.ci_high_ns) << " | " << format_percent(c.cv)
             << (c.unstable ? " (unstable: " + cell(c.unstable_reason) + ")" : "") << " | " << c.n
             << " |\n";
        else
          md << "| " << cell(c.candidate) << " | " << kind << " | " << c.status << ": "
             << cell(c.reason) << " | – | – | – | – |\n";
      }
      md << "\n";
    }
  }
  if (!report.warnings.empty()) {
    md << "## Warnings\n\n";
    for (const auto& w : report.warnings) md << "- " << w << "\n";
    md << "\n";
  }
  return md.str();
}

}  // namespace worthit::reports
