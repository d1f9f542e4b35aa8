#include <nlohmann/json.hpp>

#include "worthit/reports/report_writers.h"
#include "worthit/results/results_json.h"

namespace worthit::reports {

using nlohmann::json;

namespace {

json to_json(const CandidateSummary& c) {
  json j = {{"candidate", c.candidate},
            {"backend", c.backend},
            {"framework", c.framework},
            {"jit", c.jit},
            {"status", c.status}};
  if (c.status == "ok") {
    j["n"] = c.n;
    j["median_ns"] = c.median_ns;
    j["ci_low_ns"] = c.ci_low_ns;
    j["ci_high_ns"] = c.ci_high_ns;
    j["cv"] = c.cv;
  } else {
    j["reason"] = c.reason;
  }
  return j;
}

json to_json(const std::optional<CandidateSummary>& c) { return c ? to_json(*c) : json(nullptr); }

json to_json(const std::optional<Speedup>& s) {
  if (!s) return nullptr;
  return {{"value", s->value}, {"ci_low", s->ci_low}, {"ci_high", s->ci_high}};
}

json to_json(const MaintenanceMetrics& m) {
  json files = json::array();
  for (const auto& f : m.files)
    files.push_back({{"path", f.path},
                     {"language", f.language},
                     {"code_lines", f.code_lines},
                     {"comment_lines", f.comment_lines},
                     {"blank_lines", f.blank_lines},
                     {"decision_points", f.decision_points},
                     {"toolchains", f.toolchains},
                     {"isa", f.isa},
                     {"cuda", f.cuda}});
  return {{"files", files},
          {"missing", m.missing},
          {"missing_reasons", m.missing_reasons},
          {"file_count", m.file_count},
          {"code_lines", m.code_lines},
          {"comment_lines", m.comment_lines},
          {"cyclomatic", m.cyclomatic},
          {"toolchains", m.toolchains},
          {"hardware", m.hardware},
          {"isa", m.isa},
          {"cost", to_string(m.cost)},
          {"cost_reasons", m.cost_reasons}};
}

template <class T>
json opt(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

}  // namespace

json report_to_json(const Report& report) {
  json decisions = json::array();
  for (const auto& d : report.decisions) {
    json candidates = json::array();
    for (const auto& c : d.candidates) candidates.push_back(to_json(c));
    decisions.push_back({
        {"workload", d.workload},
        {"size", d.size},
        {"params", d.params},
        {"device", d.device},
        {"verdict", to_string(d.verdict)},
        {"reasons", d.reasons},
        {"q1",
         {{"share", opt(d.share)},
          {"share_source", d.share_source.empty() ? json(nullptr) : json(d.share_source)},
          {"amdahl_limit", opt(d.amdahl_limit)},
          {"end_to_end_speedup", to_json(d.end_to_end)}}},
        {"q2",
         {{"eager", to_json(d.eager)},
          {"best_framework", to_json(d.best_framework)},
          {"jit_speedup", to_json(d.jit_speedup)}}},
        {"q3",
         {{"best_custom", to_json(d.best_custom)},
          {"speedup", to_json(d.custom_speedup)},
          {"required_speedup", d.best_custom ? json(d.required_speedup) : json(nullptr)},
          {"maintenance", d.maintenance ? to_json(*d.maintenance) : json(nullptr)},
          {"incorrect_custom", d.incorrect_custom}}},
        {"candidates", candidates},
    });
  }
  json workloads = json::array();
  for (const auto& w : report.workloads) {
    json verdicts = json::array(), changes = json::array();
    for (size_t i = 0; i < w.sizes.size(); ++i)
      verdicts.push_back({{"size", w.sizes[i]}, {"verdict", to_string(w.verdicts[i])}});
    for (const auto& c : w.changes)
      changes.push_back({{"from_size", c.from_size},
                         {"to_size", c.to_size},
                         {"from", to_string(c.from)},
                         {"to", to_string(c.to)}});
    workloads.push_back({{"workload", w.workload},
                         {"device", w.device},
                         {"verdicts", verdicts},
                         {"changes", changes},
                         {"summary", w.summary}});
  }
  return {{"schema", Report::kSchema},
          {"schema_version", Report::kSchemaVersion},
          {"created", report.created},
          {"tool", {{"name", "worthit"}, {"version", report.tool_version}}},
          {"inputs",
           {{"results", report.results_path},
            {"trace", report.trace_path.empty() ? json(nullptr) : json(report.trace_path)},
            {"policy", report.policy_path.empty() ? json(nullptr) : json(report.policy_path)}}},
          {"machine", worthit::to_json(report.machine)},
          {"policy", to_json(report.policy)},
          {"decisions", decisions},
          {"workloads", workloads},
          {"warnings", report.warnings}};
}

}  // namespace worthit::reports
