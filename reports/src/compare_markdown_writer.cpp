#include <sstream>

#include "worthit/reports/compare_writers.h"
#include "worthit/reports/format.h"

namespace worthit::reports {

namespace {

const char* icon(ChangeKind k) {
  switch (k) {
    case ChangeKind::regressed:
      return "🔴";
    case ChangeKind::improved:
      return "🟢";
    case ChangeKind::unchanged:
      return "⚪";
    case ChangeKind::noisy:
      return "🟡";
    case ChangeKind::missing:
      return "⚫";
    case ChangeKind::added:
      return "🆕";
  }
  return "";
}

std::string cell(std::string s) {
  for (size_t p = s.find('|'); p != std::string::npos; p = s.find('|', p + 2))
    s.replace(p, 1, "\\|");
  return s;
}

void row(std::ostringstream& md, const BenchmarkComparison& b) {
  const bool both = b.kind != ChangeKind::missing && b.kind != ChangeKind::added;
  md << "| " << icon(b.kind) << " " << to_string(b.kind) << " | `" << cell(b.name) << "` | "
     << (b.base_n ? format_duration(b.base_median_ns) : "–") << " | "
     << (b.new_n ? format_duration(b.new_median_ns) : "–") << " | "
     << (both ? format_signed_percent(b.change) : "–") << " | "
     << (both ? format_signed_percent(b.ci_low) + " … " + format_signed_percent(b.ci_high) : "–")
     << " | " << (both ? format_p_value(b.p_value) : "–") << " | " << b.base_n << " / " << b.new_n
     << (b.base_processes > 1 || b.new_processes > 1
             ? " (" + std::to_string(b.base_processes) + " / " + std::to_string(b.new_processes) +
                   " processes)"
             : std::string())
     << " | " << cell(b.note) << " |\n";
}

}  // namespace

std::string comparison_to_markdown(const Comparison& c) {
  std::ostringstream md;
  md << "## worthit compare: " << (c.regression ? "🔴 regression" : "✅ no significant regression")
     << "\n\n";
  md << "Base `" << c.base_path << "` → new `" << c.new_path << "` (" << c.format
     << "). A benchmark **regressed** when it is slower by more than "
     << format_percent(c.options.threshold) << ", the Mann-Whitney U test gives p < "
     << format_p_value(c.options.alpha) << ", and the "
     << static_cast<int>(c.options.confidence * 100 + 0.5)
     << "% interval of the change excludes 0.";
  if (c.options.normalize)
    md << " Drift-corrected: each sample is divided by the same round's geometric mean of "
       << (c.options.control.empty()
               ? "the other candidates of its workload and size"
               : "the `" + c.options.control + "` candidates of its workload and size")
       << ", so machine load shared by a round cancels.";
  md << "\n\n";
  bool first = true;
  for (const auto& [kind, n] : c.counts) {
    md << (first ? "" : " · ") << "**" << n << "** " << kind;
    first = false;
  }
  md << "\n\n";
  if (!c.warnings.empty()) {
    for (const auto& w : c.warnings) md << "> ⚠️ " << w << "\n";
    md << "\n";
  }
  const char* header =
      "| | benchmark | base | new | change | CI | p | n | note "
      "|\n|---|---|---|---|---|---|---|---|---|\n";
  // Regressions and improvements first, where a reviewer looks; the rest folded.
  std::ostringstream top, rest;
  int n_top = 0, n_rest = 0;
  for (const auto& b : c.benchmarks) {
    if (b.kind == ChangeKind::regressed || b.kind == ChangeKind::improved) {
      row(top, b);
      ++n_top;
    }
  }
  for (const auto& b : c.benchmarks)
    if (b.kind != ChangeKind::regressed && b.kind != ChangeKind::improved) {
      row(rest, b);
      ++n_rest;
    }
  if (n_top) md << header << top.str() << "\n";
  if (n_rest) {
    md << "<details><summary>" << n_rest << " other benchmark(s)</summary>\n\n"
       << header << rest.str() << "\n</details>\n";
  }
  return md.str();
}

}  // namespace worthit::reports
