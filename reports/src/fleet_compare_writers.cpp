// Writers for a FleetComparison: each class's comparison through the writers
// of a single one (compare_writers.h), under the class's heading.
#include <sstream>

#include <nlohmann/json.hpp>

#include "worthit/reports/compare_writers.h"
#include "worthit/reports/fleet_compare.h"

namespace worthit::reports {

namespace {

std::string host_list(const std::vector<std::string>& hosts) {
  std::string s;
  for (const auto& h : hosts) s += (s.empty() ? "" : ", ") + h;
  return s;
}

std::string counts_of(const Comparison& c) {
  std::string s;
  for (const auto& [kind, n] : c.counts)
    s += (s.empty() ? "" : ", ") + std::to_string(n) + " " + kind;
  return s;
}

}  // namespace

nlohmann::json fleet_comparison_to_json(const FleetComparison& c) {
  using nlohmann::json;
  json classes = json::array();
  for (const auto& cc : c.classes)
    classes.push_back({{"label", cc.machine_class.label},
                       {"key", cc.machine_class.key},
                       {"base_hosts", cc.base_hosts},
                       {"new_hosts", cc.new_hosts},
                       {"regression", cc.comparison.regression},
                       {"comparison", comparison_to_json(cc.comparison)}});
  return {{"schema", FleetComparison::kSchema},
          {"schema_version", FleetComparison::kSchemaVersion},
          {"base", c.base_path},
          {"new", c.new_path},
          {"regression", c.regression},
          {"classes", classes},
          {"only_in_base", c.only_in_base},
          {"only_in_new", c.only_in_new},
          {"warnings", c.warnings}};
}

std::string fleet_comparison_to_markdown(const FleetComparison& c) {
  std::ostringstream md;
  md << "# worthit fleet compare\n\n`" << c.base_path << "` → `" << c.new_path
     << "`: " << (c.regression ? "**regression**" : "no significant regression") << " in "
     << c.classes.size() << " machine class" << (c.classes.size() == 1 ? "" : "es") << "\n\n";
  md << "| machine class | base hosts | new hosts | result |\n|---|---|---|---|\n";
  for (const auto& cc : c.classes)
    md << "| " << cc.machine_class.label << " | " << host_list(cc.base_hosts) << " | "
       << host_list(cc.new_hosts) << " | " << (cc.comparison.regression ? "regression: " : "")
       << counts_of(cc.comparison) << " |\n";
  for (const auto& l : c.only_in_base) md << "| " << l << " | (base only) | – | – |\n";
  for (const auto& l : c.only_in_new) md << "| " << l << " | – | (new only) | – |\n";
  md << "\n";
  for (const auto& cc : c.classes) {
    std::string body = comparison_to_markdown(cc.comparison);
    // One heading level down under the class's own.
    std::string shifted;
    std::istringstream lines(body);
    for (std::string line; std::getline(lines, line);)
      shifted += (line.rfind('#', 0) == 0 ? "#" : "") + line + "\n";
    md << "## " << cc.machine_class.label << "\n\n" << shifted << "\n";
  }
  return md.str();
}

std::string fleet_comparison_to_text(const FleetComparison& c) {
  std::ostringstream out;
  for (const auto& cc : c.classes) {
    out << "== " << cc.machine_class.label << " (base: " << host_list(cc.base_hosts)
        << "; new: " << host_list(cc.new_hosts)
        << "): " << (cc.comparison.regression ? "REGRESSION" : "no significant regression") << "\n"
        << comparison_to_text(cc.comparison) << "\n";
  }
  for (const auto& l : c.only_in_base) out << "== " << l << ": only in the base run\n";
  for (const auto& l : c.only_in_new) out << "== " << l << ": only in the new run\n";
  return out.str();
}

}  // namespace worthit::reports
