#include "worthit/harness/console_table.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "worthit/results/unavailable.h"

namespace worthit {

std::string format_duration_ns(double ns) {
  char buf[32];
  if (ns < 1e3)
    std::snprintf(buf, sizeof buf, "%.1f ns", ns);
  else if (ns < 1e6)
    std::snprintf(buf, sizeof buf, "%.2f us", ns / 1e3);
  else if (ns < 1e9)
    std::snprintf(buf, sizeof buf, "%.2f ms", ns / 1e6);
  else
    std::snprintf(buf, sizeof buf, "%.3f s", ns / 1e9);
  return buf;
}

namespace {

std::string format_bytes(double b) {
  char buf[32];
  if (b >= 1e9)
    std::snprintf(buf, sizeof buf, "%.2f GB", b / 1e9);
  else if (b >= 1e6)
    std::snprintf(buf, sizeof buf, "%.1f MB", b / 1e6);
  else
    std::snprintf(buf, sizeof buf, "%.1f KB", b / 1e3);
  return buf;
}

// Which ceiling bounds this workload: memory when its arithmetic intensity is
// below the machine's ridge point, compute otherwise.
std::string ceiling_cell(const BenchResult& r, const Calibration* cal) {
  if (!cal || cal->memory_bandwidth_gbs <= 0 || cal->peak_gflops <= 0) return "-";
  const double ridge = cal->peak_gflops / cal->memory_bandwidth_gbs;
  const double intensity = r.bytes > 0 ? r.flops / r.bytes : 1e9;
  char buf[32];
  if (intensity < ridge)
    std::snprintf(buf, sizeof buf, "%.0f%% BW", r.pct_bandwidth);
  else
    std::snprintf(buf, sizeof buf, "%.0f%% FLOP", r.pct_peak_flops);
  return buf;
}

}  // namespace

void print_results_table(std::ostream& out, const ResultsFile& file) {
  // Group by workload and size, in first-seen order.
  std::vector<std::pair<std::string, std::string>> order;
  std::map<std::pair<std::string, std::string>, std::vector<const BenchResult*>> groups;
  for (const auto& r : file.results) {
    auto key = std::make_pair(r.workload, r.size);
    if (!groups.count(key)) order.push_back(key);
    groups[key].push_back(&r);
  }
  char line[512];
  for (const auto& key : order) {
    auto rows = groups[key];
    std::stable_sort(rows.begin(), rows.end(), [](const BenchResult* a, const BenchResult* b) {
      const bool aok = a->status == ResultStatus::ok, bok = b->status == ResultStatus::ok;
      if (aok != bok) return aok;
      return aok && a->stats.median < b->stats.median;
    });
    const BenchResult& first = *rows.front();
    out << "\n"
        << key.first << "  " << key.second << "  (" << format_bytes(first.bytes) << " moved, "
        << first.flops << " FLOP per call)\n";
    std::snprintf(line, sizeof line, "  %-24s %12s  %-25s %9s %10s  %s\n", "candidate", "median",
                  "95% CI of median", "speedup", "ceiling", "status");
    out << line;
    std::vector<std::string> unavailable;
    for (const BenchResult* r : rows) {
      const std::string name = r->backend + (r->framework ? " *" : "");
      if (r->status == ResultStatus::unavailable) {
        unavailable.push_back(r->backend);  // folded: one line here, the reasons at the end
        continue;
      }
      if (r->status != ResultStatus::ok) {
        std::string why = r->reason.size() > 70 ? r->reason.substr(0, 67) + "..." : r->reason;
        std::snprintf(line, sizeof line, "  %-24s %12s  %-25s %9s %10s  %s: %s\n", name.c_str(),
                      "-", "", "", "", to_string(r->status), why.c_str());
      } else {
        const std::string ci = "[" + format_duration_ns(r->stats.ci_low) + ", " +
                               format_duration_ns(r->stats.ci_high) + "]";
        char speed[16] = "-";
        if (r->speedup_vs_best_framework)
          std::snprintf(speed, sizeof speed, "%.2fx", *r->speedup_vs_best_framework);
        std::string status =
            r->stats.unstable ? "unstable (" + r->stats.unstable_reason + ")" : "ok";
        std::snprintf(line, sizeof line, "  %-24s %12s  %-25s %9s %10s  %s\n", name.c_str(),
                      format_duration_ns(r->stats.median).c_str(), ci.c_str(), speed,
                      ceiling_cell(*r, file.calibration_for(r->device)).c_str(), status.c_str());
      }
      out << line;
    }
    if (!unavailable.empty()) {
      std::string names;
      for (size_t i = 0; i < unavailable.size() && i < 6; ++i)
        names += (i ? ", " : "") + unavailable[i];
      if (unavailable.size() > 6) names += ", ...";
      out << "  (" << unavailable.size() << " unavailable: " << names << ")\n";
    }
  }
  const auto folded = summarize_unavailable(file.results);
  if (!folded.empty() || file.host) out << "\n";
  for (const auto& g : folded) out << describe(g) << "\n";
  if (file.host) out << describe(*file.host) << "\n";
  out << "\n* framework-native. speedup: best framework-native median / this median (>1: "
         "faster).\n";
  if (!file.calibration)
    out << "ceiling: run 'worthit calibrate' to see % of this machine's bandwidth and FLOP/s.\n";
}

}  // namespace worthit
