// fleet report JSON: the writer and the reader of schema worthit.fleet-report.
#include <algorithm>

#include <nlohmann/json.hpp>

#include "worthit/reports/fleet_writers.h"
#include "worthit/reports/report_writers.h"
#include "worthit/results/file_io.h"
#include "worthit/results/json_fields.h"
#include "worthit/results/results_json.h"

namespace worthit::reports {

using json_fields::get;
using json_fields::get_or;
using nlohmann::json;

namespace {

json speedup_json(const std::optional<Speedup>& s) {
  if (!s) return nullptr;
  return {{"value", s->value}, {"ci_low", s->ci_low}, {"ci_high", s->ci_high}};
}

json optional_string(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

const json& array_field(const json& j, const char* key, const std::string& where) {
  const json& a = json_fields::field(j, key, where);
  if (!a.is_array()) throw SchemaError(json_fields::path_of(where, key) + ": not an array");
  return a;
}

std::string string_or_empty(const json& j, const char* key, const std::string& where) {
  return get_or<std::string>(j, key, "", where);
}

Verdict verdict_field(const json& j, const std::string& where) {
  const auto text = get<std::string>(j, "verdict", where);
  const auto v = verdict_from_string(text);
  if (!v) throw SchemaError(where + ".verdict: unknown verdict '" + text + "'");
  return *v;
}

std::optional<Speedup> speedup_field(const json& j, const std::string& where) {
  const json* found = json_fields::optional_field(j, "speedup", where);
  if (!found) return std::nullopt;
  const json& s = *found;
  const std::string w = json_fields::path_of(where, "speedup");
  return Speedup{get<double>(s, "value", w), get<double>(s, "ci_low", w),
                 get<double>(s, "ci_high", w)};
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
  const auto schema = get<std::string>(j, "schema", "");
  if (schema != FleetReport::kSchema)
    throw SchemaError("schema: '" + schema + "' is not " + FleetReport::kSchema);
  const int version = get<int>(j, "schema_version", "");
  if (version > FleetReport::kSchemaVersion)
    throw SchemaError("schema_version: " + std::to_string(version) + " is newer than this " +
                      "worthit reads (" + std::to_string(FleetReport::kSchemaVersion) + ")");
  FleetReport fleet;
  fleet.created = get_or<std::string>(j, "created", "", "");
  if (const json* tool = json_fields::optional_field(j, "tool", ""); tool && tool->is_object())
    fleet.tool_version = get_or<std::string>(*tool, "version", "", "tool");
  if (const json* in = json_fields::optional_field(j, "inputs", ""); in && in->is_object()) {
    fleet.inputs = get_or<std::vector<std::string>>(*in, "results", {}, "inputs");
    fleet.policy_path = string_or_empty(*in, "policy", "inputs");
  }

  const json& classes = array_field(j, "classes", "");
  for (size_t i = 0; i < classes.size(); ++i) {
    const std::string w = "classes[" + std::to_string(i) + "]";
    ClassReport c;
    c.machine_class.label = get<std::string>(classes[i], "label", w);
    c.machine_class.key = get_or<std::string>(classes[i], "key", c.machine_class.label, w);
    c.machine_class.named = get_or<bool>(classes[i], "named", false, w);
    c.hosts = get<std::vector<std::string>>(classes[i], "hosts", w);
    c.processes = json_fields::in_range(get_or<int>(classes[i], "processes", 0, w), 0,
                                        int(json_fields::kMaxCount), w + ".processes");
    if (const json* machine = json_fields::optional_field(classes[i], "machine", w)) {
      try {
        c.report.machine = machine_from_json(*machine);
      } catch (const SchemaError& e) {
        throw SchemaError(w + "." + e.what());
      }
    }
    fleet.classes.push_back(std::move(c));
  }

  const std::string mw = "matrix";
  const json& matrix = json_fields::field(j, "matrix", "");
  if (!matrix.is_object()) throw SchemaError("matrix: not an object");
  fleet.matrix.columns = get<std::vector<std::string>>(matrix, "columns", mw);
  const json& rows = array_field(matrix, "rows", mw);
  for (size_t i = 0; i < rows.size(); ++i) {
    const std::string w = mw + ".rows[" + std::to_string(i) + "]";
    MatrixRow r;
    r.workload = get<std::string>(rows[i], "workload", w);
    r.size = get<std::string>(rows[i], "size", w);
    r.params = get_or<std::map<std::string, int64_t>>(rows[i], "params", {}, w);
    r.device = get_or<std::string>(rows[i], "device", "cpu", w);
    const json& cells = array_field(rows[i], "cells", w);
    if (cells.size() != fleet.matrix.columns.size())
      throw SchemaError(w + ".cells: " + std::to_string(cells.size()) + " cells for " +
                        std::to_string(fleet.matrix.columns.size()) + " columns");
    for (size_t k = 0; k < cells.size(); ++k) {
      const std::string cw = w + ".cells[" + std::to_string(k) + "]";
      MatrixCell cell;
      if (json_fields::optional_field(cells[k], "verdict", cw))
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

  if (json_fields::optional_field(j, "failed_hosts", "")) {
    const json& failures = array_field(j, "failed_hosts", "");
    for (size_t i = 0; i < failures.size(); ++i) {
      const std::string w = "failed_hosts[" + std::to_string(i) + "]";
      HostFailure f;
      f.host = get<std::string>(failures[i], "host", w);
      f.reason = get<std::string>(failures[i], "reason", w);
      f.path = get_or<std::string>(failures[i], "path", "", w);
      f.attempts = json_fields::in_range(get_or<int>(failures[i], "attempts", 0, w), 0,
                                         int(json_fields::kMaxCount), w + ".attempts");
      fleet.failures.push_back(std::move(f));
    }
  }
  fleet.warnings = get_or<std::vector<std::string>>(j, "warnings", {}, "");
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
