// The fleet report for a terminal, and the sentences every fleet writer shares.
#include <algorithm>
#include <sstream>

#include "worthit/reports/fleet_writers.h"
#include "worthit/reports/format.h"

namespace worthit::reports {

namespace {

// Columns are aligned by characters, not bytes ("×" is two bytes).
size_t display_width(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string pad(const std::string& s, size_t width) {
  const size_t w = display_width(s);
  return w >= width ? s : s + std::string(width - w, ' ');
}

std::string row_name(const MatrixRow& r) {
  return r.workload + " " + r.size + (r.device != "cpu" ? " on " + r.device : "");
}

std::string host_list(const std::vector<std::string>& hosts) {
  std::string s;
  for (const auto& h : hosts) s += (s.empty() ? "" : ", ") + h;
  return s;
}

}  // namespace

std::string matrix_cell_text(const MatrixCell& cell) {
  if (!cell.verdict) return "–";
  std::string s = to_string(*cell.verdict);
  if (cell.speedup)
    s += " " + format_ratio(cell.speedup->value) + " [" + format_ratio(cell.speedup->ci_low) +
         ", " + format_ratio(cell.speedup->ci_high) + "]";
  return s;
}

std::string describe_change(const FleetMatrix& m, const ClassChange& change) {
  std::string s = row_name(m.rows.at(change.row)) + ": ";
  for (size_t i = 0; i < change.verdicts.size(); ++i) {
    const auto& [verdict, cols] = change.verdicts[i];
    s += std::string(i ? "; " : "") + to_string(verdict) + " on ";
    for (size_t k = 0; k < cols.size(); ++k)
      s += (k == 0 ? "" : k + 1 == cols.size() ? " and " : ", ") + m.columns.at(cols[k]);
  }
  return s;
}

std::string fleet_report_to_text(const FleetReport& fleet) {
  std::ostringstream out;
  size_t hosts = 0;
  for (const auto& c : fleet.classes) hosts += c.hosts.size();
  out << "Fleet: " << hosts << " host" << (hosts == 1 ? "" : "s") << " in " << fleet.classes.size()
      << " machine class" << (fleet.classes.size() == 1 ? "" : "es");
  if (!fleet.failures.empty())
    out << "; " << fleet.failures.size() << " host" << (fleet.failures.size() == 1 ? "" : "s")
        << " without results";
  out << "\n";
  for (const auto& c : fleet.classes)
    out << "  " << c.machine_class.label << ": " << host_list(c.hosts) << " (" << c.processes
        << " bench process" << (c.processes == 1 ? "" : "es") << ")\n";
  for (const auto& f : fleet.failures) out << "  failed: " << f.host << ": " << f.reason << "\n";
  out << "\n";

  const FleetMatrix& m = fleet.matrix;
  std::vector<std::vector<std::string>> table;
  table.push_back({"workload", "size"});
  for (const auto& col : m.columns) table.back().push_back(col);
  for (const auto& r : m.rows) {
    table.push_back({r.workload + (r.device != "cpu" ? " (" + r.device + ")" : ""), r.size});
    for (const auto& cell : r.cells) table.back().push_back(matrix_cell_text(cell));
  }
  std::vector<size_t> widths(table.front().size(), 0);
  for (const auto& row : table)
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], display_width(row[i]));
  for (const auto& row : table) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i)
      line += i + 1 == row.size() ? row[i] : pad(row[i], widths[i] + 2);
    out << line << "\n";
  }
  if (m.rows.empty()) out << "(no decisions: nothing was measured)\n";

  out << "\n";
  if (fleet.classes.size() < 2) {
    out << "One machine class: nothing to compare across classes.\n";
  } else if (m.changes.empty()) {
    out << "The verdict is the same in every class.\n";
  } else {
    out << "Where the verdict changes across classes:\n";
    for (const auto& c : m.changes) out << "  " << describe_change(m, c) << "\n";
  }
  return out.str();
}

}  // namespace worthit::reports
