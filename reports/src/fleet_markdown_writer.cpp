#include <sstream>

#include "worthit/reports/fleet_writers.h"
#include "worthit/reports/report_writers.h"

namespace worthit::reports {

namespace {

std::string cell(std::string s) {
  for (size_t p = s.find('|'); p != std::string::npos; p = s.find('|', p + 2))
    s.replace(p, 1, "\\|");
  return s;
}

// A class's own report, one heading level down and without its title.
std::string nested_report(const Report& report) {
  std::string md = report_to_markdown(report);
  if (const size_t title_end = md.find('\n'); title_end != std::string::npos)
    md.erase(0, title_end + 1);
  std::string out;
  size_t start = 0;
  while (start < md.size()) {
    size_t end = md.find('\n', start);
    if (end == std::string::npos) end = md.size();
    const std::string line = md.substr(start, end - start);
    out += (line.rfind('#', 0) == 0 ? "#" : "") + line + "\n";
    start = end + 1;
  }
  return out;
}

}  // namespace

std::string fleet_report_to_markdown(const FleetReport& fleet) {
  std::ostringstream md;
  md << "# worthit fleet report\n\n";
  md << "Results:";
  for (const auto& in : fleet.inputs) md << " `" << in << "`";
  md << " · policy: "
     << (fleet.policy_path.empty() ? "built-in default" : "`" + fleet.policy_path + "`")
     << " · created " << fleet.created << "\n\n";

  md << "| machine class | hosts | bench processes | CPU | GPU |\n|---|---|---|---|---|\n";
  for (const auto& c : fleet.classes) {
    std::string hosts;
    for (const auto& h : c.hosts) hosts += (hosts.empty() ? "" : ", ") + h;
    const auto& m = c.report.machine;
    md << "| " << cell(c.machine_class.label) << " | " << cell(hosts) << " | " << c.processes
       << " | " << cell(m.cpu_model) << ", " << m.physical_cores << " cores | "
       << (m.gpu.empty() ? "–"
                         : cell(m.gpu + (m.gpu_driver.empty() ? "" : ", driver " + m.gpu_driver)))
       << " |\n";
  }
  for (const auto& f : fleet.failures)
    md << "| – | " << cell(f.host) << " (no results) | – | " << cell(f.reason) << " | – |\n";
  md << "\n## Matrix\n\n";

  const FleetMatrix& m = fleet.matrix;
  md << "| workload | size |";
  for (const auto& col : m.columns) md << " " << cell(col) << " |";
  md << "\n|---|---|";
  for (size_t i = 0; i < m.columns.size(); ++i) md << "---|";
  md << "\n";
  for (const auto& r : m.rows) {
    md << "| " << cell(r.workload) << (r.device != "cpu" ? " (" + r.device + ")" : "") << " | "
       << cell(r.size) << " |";
    for (const auto& c : r.cells) {
      std::string text = matrix_cell_text(c);
      if (c.verdict) {
        const std::string verdict = to_string(*c.verdict);
        text = "`" + verdict + "`" + text.substr(verdict.size());
      }
      md << " " << cell(text) << " |";
    }
    md << "\n";
  }
  md << "\n";
  if (fleet.classes.size() > 1) {
    md << "## Where the verdict changes across classes\n\n";
    if (m.changes.empty()) md << "Nowhere: every class reached the same verdicts.\n";
    for (const auto& c : m.changes) md << "- " << describe_change(m, c) << "\n";
    md << "\n";
  }
  if (!fleet.warnings.empty()) {
    md << "## Warnings\n\n";
    for (const auto& w : fleet.warnings) md << "- " << w << "\n";
    md << "\n";
  }
  for (const auto& c : fleet.classes)
    md << "## " << c.machine_class.label << "\n\n" << nested_report(c.report);
  return md.str();
}

}  // namespace worthit::reports
