#include <nlohmann/json.hpp>

#include "worthit/reports/compare_writers.h"

namespace worthit::reports {

nlohmann::json comparison_to_json(const Comparison& c) {
  using nlohmann::json;
  json benchmarks = json::array();
  for (const auto& b : c.benchmarks) {
    json j = {{"name", b.name},
              {"classification", to_string(b.kind)},
              {"base_n", b.base_n},
              {"new_n", b.new_n},
              {"base_processes", b.base_processes},
              {"new_processes", b.new_processes},
              {"note", b.note}};
    const bool both = b.kind != ChangeKind::missing && b.kind != ChangeKind::added;
    j["base_median_ns"] = b.base_n > 0 ? json(b.base_median_ns) : json(nullptr);
    j["new_median_ns"] = b.new_n > 0 ? json(b.new_median_ns) : json(nullptr);
    j["change"] = both ? json(b.change) : json(nullptr);
    j["change_ci"] = both ? json::array({b.ci_low, b.ci_high}) : json(nullptr);
    j["p_value"] = both ? json(b.p_value) : json(nullptr);
    j["p_exact"] = both ? json(b.exact) : json(nullptr);
    j["significant"] = b.significant;
    j["normalized"] = b.normalized;
    benchmarks.push_back(std::move(j));
  }
  return {{"schema", Comparison::kSchema},
          {"schema_version", Comparison::kSchemaVersion},
          {"base", c.base_path},
          {"new", c.new_path},
          {"format", c.format},
          {"options",
           {{"threshold", c.options.threshold},
            {"alpha", c.options.alpha},
            {"confidence", c.options.confidence},
            {"min_samples", c.options.min_samples},
            {"warn_samples", c.options.warn_samples},
            {"normalize", c.options.normalize},
            {"control", c.options.control.empty() ? json(nullptr) : json(c.options.control)}}},
          {"regression", c.regression},
          {"counts", c.counts},
          {"warnings", c.warnings},
          {"benchmarks", benchmarks}};
}

}  // namespace worthit::reports
