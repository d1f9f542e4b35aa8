#include <algorithm>
#include <cstdio>
#include <sstream>

#include "worthit/reports/compare_writers.h"
#include "worthit/reports/format.h"

namespace worthit::reports {

std::string comparison_to_text(const Comparison& c) {
  std::ostringstream out;
  size_t width = 9;
  for (const auto& b : c.benchmarks) width = std::max(width, b.name.size());
  char line[512];
  std::snprintf(line, sizeof line, "%-10s %-*s %9s %19s %9s %7s\n", "class",
                static_cast<int>(width), "benchmark", "change", "interval", "p", "n");
  out << line;
  for (const auto& b : c.benchmarks) {
    const bool both = b.kind != ChangeKind::missing && b.kind != ChangeKind::added;
    const std::string ci =
        both ? format_signed_percent(b.ci_low) + ".." + format_signed_percent(b.ci_high) : "";
    const std::string n = std::to_string(b.base_n) + "/" + std::to_string(b.new_n);
    std::snprintf(line, sizeof line, "%-10s %-*s %9s %19s %9s %7s", to_string(b.kind),
                  static_cast<int>(width), b.name.c_str(),
                  both ? format_signed_percent(b.change).c_str() : "", ci.c_str(),
                  both ? format_p_value(b.p_value).c_str() : "", n.c_str());
    out << line;
    if (!b.note.empty()) out << "  (" << b.note << ")";
    out << "\n";
  }
  return out.str();
}

}  // namespace worthit::reports
