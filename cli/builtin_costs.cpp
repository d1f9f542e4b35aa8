#include "builtin_costs.h"

#include <map>

#include <nlohmann/json.hpp>

#include "worthit/results/results_json.h"

namespace worthit::cli {

const char* builtin_costs_json();  // generated at build time

namespace {

const std::map<std::string, SourceMetrics>& table() {
  static const std::map<std::string, SourceMetrics> t = [] {
    std::map<std::string, SourceMetrics> out;
    const auto j = nlohmann::json::parse(builtin_costs_json());
    nlohmann::json cost = {{"origin", "build"}, {"files", nlohmann::json::array()}};
    for (const auto& [path, metrics] : j.items()) cost["files"].push_back(metrics);
    // Read through the results reader, so the table and results.json agree.
    nlohmann::json row = {{"workload", "-"},    {"candidate", "-"},   {"size", "-"},
                          {"backend", "-"},     {"framework", false}, {"status", "skipped"},
                          {"maintenance", cost}};
    BenchResult parsed = result_from_json(row);
    for (auto& f : parsed.cost->files) out.emplace(f.path, std::move(f));
    return out;
  }();
  return t;
}

}  // namespace

std::optional<SourceMetrics> builtin_source_metrics(const std::string& path) {
  const auto& t = table();
  const auto it = t.find(path);
  if (it == t.end()) return std::nullopt;
  return it->second;
}

void record_builtin_costs(std::vector<BenchResult>& results) {
  for (auto& r : results) {
    if (r.cost || r.sources.empty()) continue;
    RecordedCost cost;
    cost.origin = "build";
    for (const auto& s : r.sources) {
      if (auto m = builtin_source_metrics(s)) {
        cost.files.push_back(std::move(*m));
      } else {
        cost.missing.push_back(s);
        cost.missing_reasons.push_back("not measured when worthit was built");
      }
    }
    r.cost = std::move(cost);
  }
}

}  // namespace worthit::cli
