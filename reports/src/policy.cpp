#include "worthit/reports/policy.h"

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "worthit/results/file_io.h"
#include "worthit/results/json_fields.h"

namespace worthit::reports {

using nlohmann::json;

const char* to_string(CostLevel c) {
  switch (c) {
    case CostLevel::low:
      return "low";
    case CostLevel::medium:
      return "medium";
    case CostLevel::high:
      return "high";
    case CostLevel::unknown:
      return "unknown";
  }
  return "unknown";
}

Policy default_policy() { return Policy{}; }

namespace {

template <class T>
void read_into(const json& j, const char* key, T& out, const std::string& where) {
  if (!j.contains(key)) return;
  out = json_fields::as<T>(j.at(key), json_fields::path_of(where, key));
}

// Each threshold's sensible range: outside it a policy decides nonsense (a
// required speedup below 1 calls a slower kernel worth it; 0 resamples give a
// point for an interval, 2e9 run for minutes).
void check_ranges(const Policy& p) {
  using json_fields::in_range;
  in_range(p.min_samples, 1, 1'000'000, "policy.min_samples");
  in_range(p.max_cv, 1e-9, 100.0, "policy.max_cv");
  in_range(p.confidence, 0.5, 0.9999, "policy.confidence");
  in_range(p.bootstrap_resamples, 100, 100'000, "policy.bootstrap_resamples");
  in_range(p.min_end_to_end_gain, 0.0, 1.0, "policy.min_end_to_end_gain");
  in_range(p.min_jit_speedup, 1.0, 1000.0, "policy.min_jit_speedup");
  for (const auto& [level, value] : p.required_speedup)
    in_range(value, 1.0, 1000.0, "policy.required_speedup." + level);
  for (const auto& [t, where] : {std::pair{&p.medium, "policy.cost_thresholds.medium"},
                                 std::pair{&p.high, "policy.cost_thresholds.high"}}) {
    const std::string w = where;
    in_range(t->code_lines, 0, json_fields::kMaxCount, w + ".code_lines");
    in_range(t->cyclomatic, 0, json_fields::kMaxCount, w + ".cyclomatic");
    in_range(t->files, 0, json_fields::kMaxCount, w + ".files");
  }
}

void check_keys(const json& j, const std::set<std::string>& known, const std::string& where) {
  if (!j.is_object()) throw SchemaError(where + ": expected an object");
  for (const auto& [key, value] : j.items())
    if (!known.count(key)) throw SchemaError(where + ": unknown field '" + key + "'");
}

CostThresholds thresholds_from_json(const json& j, CostThresholds t, const std::string& where) {
  check_keys(j, {"code_lines", "cyclomatic", "files"}, where);
  read_into(j, "code_lines", t.code_lines, where);
  read_into(j, "cyclomatic", t.cyclomatic, where);
  read_into(j, "files", t.files, where);
  return t;
}

json to_json(const CostThresholds& t) {
  return {{"code_lines", t.code_lines}, {"cyclomatic", t.cyclomatic}, {"files", t.files}};
}

}  // namespace

Policy policy_from_json(const json& j) {
  const std::string w = "policy";
  check_keys(j,
             {"schema", "schema_version", "jit_backend_patterns", "min_samples", "max_cv",
              "confidence", "bootstrap_resamples", "bootstrap_seed", "min_end_to_end_gain",
              "min_jit_speedup", "required_speedup", "cost_thresholds", "medium_cost_toolchains",
              "high_cost_toolchains", "medium_cost_hardware", "high_cost_hardware", "trace"},
             w);
  if (j.contains("schema") && j["schema"] != Policy::kSchema)
    throw SchemaError("policy.schema: expected '" + std::string(Policy::kSchema) + "'");
  if (j.contains("schema_version")) {
    int64_t version = 0;
    read_into(j, "schema_version", version, w);
    if (version < 1 || version > Policy::kSchemaVersion)
      throw SchemaError("policy.schema_version " + std::to_string(version) +
                        " is not supported (this worthit reads 1)");
  }
  Policy p;
  read_into(j, "jit_backend_patterns", p.jit_backend_patterns, w);
  read_into(j, "min_samples", p.min_samples, w);
  read_into(j, "max_cv", p.max_cv, w);
  read_into(j, "confidence", p.confidence, w);
  read_into(j, "bootstrap_resamples", p.bootstrap_resamples, w);
  read_into(j, "bootstrap_seed", p.bootstrap_seed, w);
  read_into(j, "min_end_to_end_gain", p.min_end_to_end_gain, w);
  read_into(j, "min_jit_speedup", p.min_jit_speedup, w);
  if (j.contains("required_speedup")) {
    std::map<std::string, double> overrides;
    read_into(j, "required_speedup", overrides, w);
    for (const auto& [level, value] : overrides) {
      if (!p.required_speedup.count(level))
        throw SchemaError("policy.required_speedup: unknown cost level '" + level +
                          "' (low, medium, high, unknown)");
      p.required_speedup[level] = value;
    }
  }
  if (j.contains("cost_thresholds")) {
    const auto& c = j["cost_thresholds"];
    check_keys(c, {"medium", "high"}, "policy.cost_thresholds");
    if (c.contains("medium"))
      p.medium = thresholds_from_json(c["medium"], p.medium, "policy.cost_thresholds.medium");
    if (c.contains("high"))
      p.high = thresholds_from_json(c["high"], p.high, "policy.cost_thresholds.high");
  }
  read_into(j, "medium_cost_toolchains", p.medium_cost_toolchains, w);
  read_into(j, "high_cost_toolchains", p.high_cost_toolchains, w);
  read_into(j, "medium_cost_hardware", p.medium_cost_hardware, w);
  read_into(j, "high_cost_hardware", p.high_cost_hardware, w);
  if (j.contains("trace")) {
    const auto& t = j["trace"];
    check_keys(t, {"step_patterns", "op_patterns"}, "policy.trace");
    read_into(t, "step_patterns", p.step_patterns, "policy.trace");
    read_into(t, "op_patterns", p.op_patterns, "policy.trace");
  }
  check_ranges(p);
  return p;
}

json to_json(const Policy& p) {
  return {{"schema", Policy::kSchema},
          {"schema_version", Policy::kSchemaVersion},
          {"jit_backend_patterns", p.jit_backend_patterns},
          {"min_samples", p.min_samples},
          {"max_cv", p.max_cv},
          {"confidence", p.confidence},
          {"bootstrap_resamples", p.bootstrap_resamples},
          {"bootstrap_seed", p.bootstrap_seed},
          {"min_end_to_end_gain", p.min_end_to_end_gain},
          {"min_jit_speedup", p.min_jit_speedup},
          {"required_speedup", p.required_speedup},
          {"cost_thresholds", {{"medium", to_json(p.medium)}, {"high", to_json(p.high)}}},
          {"medium_cost_toolchains", p.medium_cost_toolchains},
          {"high_cost_toolchains", p.high_cost_toolchains},
          {"medium_cost_hardware", p.medium_cost_hardware},
          {"high_cost_hardware", p.high_cost_hardware},
          {"trace", {{"step_patterns", p.step_patterns}, {"op_patterns", p.op_patterns}}}};
}

Policy load_policy(const std::filesystem::path& path) {
  const json j = parse_json_file(path);
  try {
    return policy_from_json(j);
  } catch (const SchemaError& e) {
    throw FileError(path, e.what());
  }
}

bool glob_match(std::string_view pattern, std::string_view text) {
  // Iterative matcher with one backtrack point for the last '*'.
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool is_jit_backend(const Policy& p, const std::string& backend) {
  return std::any_of(p.jit_backend_patterns.begin(), p.jit_backend_patterns.end(),
                     [&](const std::string& g) { return glob_match(g, backend); });
}

}  // namespace worthit::reports
