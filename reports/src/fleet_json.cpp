// fleet report JSON: the writer and the reader of schema worthit.fleet-report.
#include <algorithm>

#include <nlohmann/json.hpp>

#include "worthit/reports/fleet_writers.h"
#include "worthit/reports/report_writers.h"
#include "worthit/results/file_io.h"
#include "worthit/results/results_json.h"

namespace worthit::reports {

using nlohmann::json;

namespace {

json speedup_json(const std::optional<Speedup>& s) {
  if (!s) return nullptr;
  return {{"value", s->value}, {"ci_low", s->ci_low}, {"ci_high", s->ci_high}};
}

json optional_string(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

template <class T>
T field(const json& j, const char* key, const std::string& where) {
  if (!j.is_object() || !j.contains(key))
    throw SchemaError(where + ": missing field '" + key + "'");
  try {
    return j.at(key).get<T>();
  } catch (const json::exception&) {
    throw SchemaError(where + "." + key + ": wrong type (" + j.at(key).type_name() + ")");
  }
}

const json& array_field(const json& j, const char* key, const std::string& where) {
  if (!j.is_object() || !j.contains(key) || !j.at(key).is_array())
    throw SchemaError(where + "." + key + ": missing or not an array");
  return j.at(key);
}

std::string string_or_empty(const json& j, const char* key, const std::string& where) {
  if (!j.contains(key) || j.at(key).is_null()) return "";
  return field<std::string>(j, key, where);
}

Verdict verdict_field(const json& j, const std::string& where) {
  const auto text = field<std::string>(j, "verdict", where);
  const auto v = verdict_from_string(text);
  if (!v) throw SchemaError(where + ".verdict: unknown verdict '" + text + "'");
  return *v;
}

std::optional<Speedup> speedup_field(const json& j, const std::string& where) {
  if (!j.contains("speedup") || j.at("speedup").is_null()) return std::nullopt;
  const json& s = j.at("speedup");
  const std::string w = where + ".speedup";
  return Speedup{field<double>(s, "value", w), field<double>(s, "ci_low", w),
                 field<double>(s, "ci_high", w)};
}

}  // namespace

json fleet_report_to_json(const FleetReport& fleet) {
  json classes = json::array();
  for (const auto& c : fleet.classes)
    classes.push_back({{"label", c.machine_class.label},
                       {"key", c.machine_class.key},
                       {"named", c.machine_class.named},
                       {"hosts", c.hosts},
                       {"processes", c.processes},
                       {"machine", worthit::to_json(c.report.machine)},
                       {"report", report_to_json(c.report)}});
  json rows = json::array();
  for (const auto& r : fleet.matrix.rows) {
    json cells = json::array();
    for (size_t col = 0; col < r.cells.size(); ++col) {
      const MatrixCell& cell = r.cells[col];
      cells.push_back({{"class", fleet.matrix.columns.at(col)},
                       {"verdict", cell.verdict ? json(to_string(*cell.verdict)) : json(nullptr)},
                       {"speedup", speedup_json(cell.speedup)},
                       {"best_custom", optional_string(cell.best_custom)},
                       {"best_framework", optional_string(cell.best_framework)}});
    }
    rows.push_back({{"workload", r.workload},
                    {"size", r.size},
                    {"params", r.params},
                    {"device", r.device},
                    {"cells", cells}});
  }
  json changes = json::array();
  for (const auto& c : fleet.matrix.changes) {
    json verdicts = json::array();
    for (const auto& [v, cols] : c.verdicts) {
      json labels = json::array();
      for (size_t col : cols) labels.push_back(fleet.matrix.columns.at(col));
      verdicts.push_back({{"verdict", to_string(v)}, {"classes", labels}});
    }
    const MatrixRow& row = fleet.matrix.rows.at(c.row);
    changes.push_back({{"workload", row.workload},
                       {"size", row.size},
                       {"device", row.device},
                       {"verdicts", verdicts},
                       {"summary", describe_change(fleet.matrix, c)}});
  }
  json failures = json::array();
  for (const auto& f : fleet.failures)
    failures.push_back({{"host", f.host},
                        {"path", f.path.string()},
                        {"reason", f.reason},
                        {"attempts", f.attempts}});
  return {{"schema", FleetReport::kSchema},
          {"schema_version", FleetReport::kSchemaVersion},
          {"created", fleet.created},
          {"tool", {{"name", "worthit"}, {"version", fleet.tool_version}}},
          {"inputs", {{"results", fleet.inputs}, {"policy", optional_string(fleet.policy_path)}}},
          {"classes", classes},
          {"matrix", {{"columns", fleet.matrix.columns}, {"rows", rows}, {"changes", changes}}},
          {"failed_hosts", failures},
          {"warnings", fleet.warnings}};
}

FleetReport fleet_report_from_json(const json& j) {
  if (!j.is_object()) throw SchemaError("(root): not a JSON object");
  const auto schema = field<std::string>(j, "schema", "(root)");
  if (schema != FleetReport::kSchema)
    throw SchemaError("schema: '" + schema + "' is not " + FleetReport::kSchema);
  const int version = field<int>(j, "schema_version", "(root)");
  if (version > FleetReport::kSchemaVersion)
    throw SchemaError("schema_version: " + std::to_string(version) + " is newer than this " +
                      "worthit reads (" + std::to_string(FleetReport::kSchemaVersion) + ")");
  FleetReport fleet;
  fleet.created = j.value("created", "");
  if (j.contains("tool") && j["tool"].is_object())
    fleet.tool_version = j["tool"].value("version", "");
  if (j.contains("inputs") && j["inputs"].is_object()) {
    const json& in = j["inputs"];
    if (in.contains("results"))
      fleet.inputs = field<std::vector<std::string>>(in, "results", "inputs");
    fleet.policy_path = string_or_empty(in, "policy", "inputs");
  }

  const json& classes = array_field(j, "classes", "(root)");
  for (size_t i = 0; i < classes.size(); ++i) {
    const std::string w = "classes[" + std::to_string(i) + "]";
    ClassReport c;
    c.machine_class.label = field<std::string>(classes[i], "label", w);
    c.machine_class.key = classes[i].value("key", c.machine_class.label);
    c.machine_class.named = classes[i].value("named", false);
    c.hosts = field<std::vector<std::string>>(classes[i], "hosts", w);
    c.processes = classes[i].value("processes", 0);
    if (classes[i].contains("machine")) {
      try {
        c.report.machine = machine_from_json(classes[i]["machine"]);
      } catch (const SchemaError& e) {
        throw SchemaError(w + "." + e.what());
      }
    }
    fleet.classes.push_back(std::move(c));
  }

  const std::string mw = "matrix";
  if (!j.contains("matrix") || !j["matrix"].is_object()) throw SchemaError("matrix: missing");
  const json& matrix = j["matrix"];
  fleet.matrix.columns = field<std::vector<std::string>>(matrix, "columns", mw);
  const json& rows = array_field(matrix, "rows", mw);
  for (size_t i = 0; i < rows.size(); ++i) {
    const std::string w = mw + ".rows[" + std::to_string(i) + "]";
    MatrixRow r;
    r.workload = field<std::string>(rows[i], "workload", w);
    r.size = field<std::string>(rows[i], "size", w);
    if (rows[i].contains("params"))
      r.params = field<std::map<std::string, int64_t>>(rows[i], "params", w);
    r.device = rows[i].value("device", "cpu");
    const json& cells = array_field(rows[i], "cells", w);
    if (cells.size() != fleet.matrix.columns.size())
      throw SchemaError(w + ".cells: " + std::to_string(cells.size()) + " cells for " +
                        std::to_string(fleet.matrix.columns.size()) + " columns");
    for (size_t k = 0; k < cells.size(); ++k) {
      const std::string cw = w + ".cells[" + std::to_string(k) + "]";
      MatrixCell cell;
      if (cells[k].contains("verdict") && !cells[k]["verdict"].is_null())
        cell.verdict = verdict_field(cells[k], cw);
      cell.speedup = speedup_field(cells[k], cw);
      cell.best_custom = string_or_empty(cells[k], "best_custom", cw);
      cell.best_framework = string_or_empty(cells[k], "best_framework", cw);
      r.cells.push_back(std::move(cell));
    }
    fleet.matrix.rows.push_back(std::move(r));
  }
  // The changes follow from the cells: derived, not read as a second copy.
  fleet.matrix.changes = class_changes(fleet.matrix.rows);

  if (j.contains("failed_hosts")) {
    const json& failures = array_field(j, "failed_hosts", "(root)");
    for (size_t i = 0; i < failures.size(); ++i) {
      const std::string w = "failed_hosts[" + std::to_string(i) + "]";
      HostFailure f;
      f.host = field<std::string>(failures[i], "host", w);
      f.reason = field<std::string>(failures[i], "reason", w);
      f.path = failures[i].value("path", "");
      f.attempts = failures[i].value("attempts", 0);
      fleet.failures.push_back(std::move(f));
    }
  }
  if (j.contains("warnings"))
    fleet.warnings = field<std::vector<std::string>>(j, "warnings", "(root)");
  return fleet;
}

FleetReport read_fleet_report(const std::filesystem::path& path) {
  const json j = parse_json_file(path);
  try {
    return fleet_report_from_json(j);
  } catch (const SchemaError& e) {
    throw FileError(path, e.what());
  } catch (const json::exception& e) {
    throw FileError(path, e.what());
  }
}

}  // namespace worthit::reports
