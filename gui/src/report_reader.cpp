#include "report_reader.h"

#include <nlohmann/json.hpp>

#include "worthit/results/file_io.h"
#include "worthit/results/results_json.h"

namespace worthit::viewer {

using nlohmann::json;

namespace {

const json& at(const json& j, const char* key, const std::string& where) {
  if (!j.is_object() || !j.contains(key)) throw SchemaError(where + "." + key + ": missing");
  return j.at(key);
}

template <class T>
T get(const json& j, const char* key, const std::string& where) {
  try {
    return at(j, key, where).get<T>();
  } catch (const json::type_error& e) {
    throw SchemaError(where + "." + key + ": " + e.what());
  }
}

template <class T>
std::optional<T> get_opt(const json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || j.at(key).is_null()) return std::nullopt;
  return j.at(key).get<T>();
}

std::optional<reports::CandidateSummary> candidate_from_json(const json& j,
                                                             const std::string& where) {
  if (j.is_null()) return std::nullopt;
  reports::CandidateSummary c;
  c.candidate = get<std::string>(j, "candidate", where);
  c.backend = j.value("backend", "");
  c.framework = j.value("framework", false);
  c.jit = j.value("jit", false);
  c.family = get_opt<std::string>(j, "family").value_or("");
  c.status = j.value("status", "ok");
  c.reason = j.value("reason", "");
  c.n = j.value("n", 0);
  c.median_ns = j.value("median_ns", 0.0);
  c.ci_low_ns = j.value("ci_low_ns", 0.0);
  c.ci_high_ns = j.value("ci_high_ns", 0.0);
  c.cv = j.value("cv", 0.0);
  c.unstable = j.value("unstable", false);
  c.unstable_reason = j.value("unstable_reason", "");
  c.stop_reason = j.value("stop_reason", "");
  return c;
}

std::optional<reports::Speedup> speedup_from_json(const json& j) {
  if (j.is_null()) return std::nullopt;
  return reports::Speedup{j.value("value", 0.0), j.value("ci_low", 0.0), j.value("ci_high", 0.0)};
}

reports::Verdict verdict(const json& j, const char* key, const std::string& where) {
  const std::string s = get<std::string>(j, key, where);
  auto v = reports::verdict_from_string(s);
  if (!v) throw SchemaError(where + "." + key + ": unknown verdict '" + s + "'");
  return *v;
}

}  // namespace

reports::Report report_from_json(const json& j) {
  if (!j.is_object()) throw SchemaError("$: not an object");
  const std::string schema = j.value("schema", "");
  if (schema != reports::Report::kSchema)
    throw SchemaError("$.schema: expected '" + std::string(reports::Report::kSchema) + "', got '" +
                      schema + "'");
  const int version = j.value("schema_version", 0);
  if (version != reports::Report::kSchemaVersion)
    throw SchemaError("$.schema_version: " + std::to_string(version) + " is not supported");
  reports::Report r;
  try {
    r.created = j.value("created", "");
    if (j.contains("tool")) r.tool_version = j["tool"].value("version", "");
    if (j.contains("inputs")) {
      const json& in = j["inputs"];
      r.results_path = in.value("results", "");
      if (in.contains("trace") && in["trace"].is_string()) r.trace_path = in["trace"];
      if (in.contains("policy") && in["policy"].is_string()) r.policy_path = in["policy"];
      if (in.contains("framework") && in["framework"].is_string())
        r.framework_filter = in["framework"];
    }
    if (j.contains("machine")) r.machine = machine_from_json(j["machine"]);
    const json& decisions = at(j, "decisions", "$");
    if (!decisions.is_array()) throw SchemaError("$.decisions: not an array");
    for (size_t i = 0; i < decisions.size(); ++i) {
      const json& d = decisions[i];
      const std::string where = "$.decisions[" + std::to_string(i) + "]";
      reports::Decision out;
      out.workload = get<std::string>(d, "workload", where);
      out.size = get<std::string>(d, "size", where);
      out.params = d.value("params", std::map<std::string, int64_t>{});
      out.device = d.value("device", "cpu");
      out.family = get_opt<std::string>(d, "family").value_or("");
      out.verdict = verdict(d, "verdict", where);
      const std::string why = d.value("why", "");
      for (auto w : {reports::DecisionWhy::no_framework, reports::DecisionWhy::all_custom_incorrect,
                     reports::DecisionWhy::no_custom, reports::DecisionWhy::too_few_samples,
                     reports::DecisionWhy::custom_pays, reports::DecisionWhy::op_below_bar,
                     reports::DecisionWhy::step_below_bar, reports::DecisionWhy::straddles_op_bar,
                     reports::DecisionWhy::straddles_step_bar})
        if (why == reports::to_string(w)) out.why = w;
      out.reasons = d.value("reasons", "");
      if (d.contains("q1")) {
        const json& q1 = d["q1"];
        out.share = get_opt<double>(q1, "share");
        out.share_source = get_opt<std::string>(q1, "share_source").value_or("");
        out.amdahl_limit = get_opt<double>(q1, "amdahl_limit");
        out.end_to_end = speedup_from_json(q1.value("end_to_end_speedup", json()));
      }
      if (d.contains("q2")) {
        const json& q2 = d["q2"];
        out.eager = candidate_from_json(q2.value("eager", json()), where + ".q2.eager");
        out.best_framework =
            candidate_from_json(q2.value("best_framework", json()), where + ".q2.best_framework");
        out.jit_speedup = speedup_from_json(q2.value("jit_speedup", json()));
        out.jit_wins = q2.value("jit_wins", false);
      }
      if (d.contains("q3")) {
        const json& q3 = d["q3"];
        out.best_custom =
            candidate_from_json(q3.value("best_custom", json()), where + ".q3.best_custom");
        out.custom_speedup = speedup_from_json(q3.value("speedup", json()));
        out.required_speedup = get_opt<double>(q3, "required_speedup").value_or(0);
        if (q3.contains("maintenance") && q3["maintenance"].is_object()) {
          const json& m = q3["maintenance"];
          reports::MaintenanceMetrics mm;
          mm.file_count = m.value("file_count", 0);
          mm.code_lines = m.value("code_lines", 0);
          mm.comment_lines = m.value("comment_lines", 0);
          mm.cyclomatic = m.value("cyclomatic", 0);
          mm.toolchains = m.value("toolchains", std::vector<std::string>{});
          mm.hardware = m.value("hardware", "portable");
          mm.isa = m.value("isa", std::vector<std::string>{});
          const std::string cost = m.value("cost", "unknown");
          for (auto c : {reports::CostLevel::low, reports::CostLevel::medium,
                         reports::CostLevel::high, reports::CostLevel::unknown})
            if (cost == reports::to_string(c)) mm.cost = c;
          mm.cost_reasons = m.value("cost_reasons", std::vector<std::string>{});
          out.maintenance = mm;
        }
        out.incorrect_custom = q3.value("incorrect_custom", std::vector<std::string>{});
      }
      const json& candidates = d.value("candidates", json::array());
      for (size_t c = 0; c < candidates.size(); ++c) {
        auto cs =
            candidate_from_json(candidates[c], where + ".candidates[" + std::to_string(c) + "]");
        if (cs) out.candidates.push_back(*cs);
      }
      r.decisions.push_back(std::move(out));
    }
    const json& workloads = j.value("workloads", json::array());
    for (size_t i = 0; i < workloads.size(); ++i) {
      const json& w = workloads[i];
      const std::string where = "$.workloads[" + std::to_string(i) + "]";
      reports::WorkloadSummary ws;
      ws.workload = get<std::string>(w, "workload", where);
      ws.device = w.value("device", "cpu");
      ws.family = get_opt<std::string>(w, "family").value_or("");
      for (const json& v : w.value("verdicts", json::array())) {
        ws.sizes.push_back(get<std::string>(v, "size", where + ".verdicts"));
        ws.verdicts.push_back(verdict(v, "verdict", where + ".verdicts"));
      }
      for (const json& c : w.value("changes", json::array()))
        ws.changes.push_back({get<std::string>(c, "from_size", where + ".changes"),
                              get<std::string>(c, "to_size", where + ".changes"),
                              verdict(c, "from", where + ".changes"),
                              verdict(c, "to", where + ".changes")});
      ws.summary = w.value("summary", "");
      r.workloads.push_back(std::move(ws));
    }
    r.warnings = j.value("warnings", std::vector<std::string>{});
  } catch (const json::exception& e) {
    throw SchemaError(std::string("report: ") + e.what());
  }
  return r;
}

reports::Report read_report(const std::filesystem::path& path) {
  const json j = parse_json_file(path);
  try {
    return report_from_json(j);
  } catch (const SchemaError& e) {
    throw FileError(path, e.what());
  }
}

}  // namespace worthit::viewer
