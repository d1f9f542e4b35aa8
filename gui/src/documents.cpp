#include "documents.h"

#include <fstream>

#include <nlohmann/json.hpp>

#include "report_reader.h"
#include "worthit/reports/fleet_writers.h"
#include "worthit/reports/policy.h"
#include "worthit/results/file_io.h"
#include "worthit/results/results_json.h"

namespace worthit::viewer {

const char* to_string(FileKind k) {
  switch (k) {
    case FileKind::trace:
      return "trace";
    case FileKind::results:
      return "results";
    case FileKind::report:
      return "report";
    case FileKind::fleet:
      return "fleet";
  }
  return "?";
}

FileKind detect_file_kind(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return FileKind::fleet;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw FileError(path, "cannot open");
  // A trace is too large to parse twice: its head says what it is.
  std::string head(64 * 1024, '\0');
  in.read(head.data(), std::streamsize(head.size()));
  head.resize(size_t(in.gcount()));
  const size_t first = head.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) throw FileError(path, 0, "empty file");
  if (head[first] == '[' || head.find("\"traceEvents\"") != std::string::npos)
    return FileKind::trace;
  // First: a fleet report embeds a worthit.report per class.
  if (head.find("\"worthit.fleet-report\"") != std::string::npos) return FileKind::fleet;
  if (head.find("\"worthit.report\"") != std::string::npos) return FileKind::report;
  if (head.find("\"worthit.results\"") != std::string::npos) return FileKind::results;
  // Small files may put "schema" after a long first key: parse it all.
  const nlohmann::json j = parse_json_file(path);
  if (!j.is_object()) throw FileError(path, 0, "not a JSON object");
  if (j.contains("traceEvents")) return FileKind::trace;
  const std::string schema = j.value("schema", "");
  if (schema == reports::FleetReport::kSchema) return FileKind::fleet;
  if (schema == reports::Report::kSchema) return FileKind::report;
  if (schema == ResultsFile::kSchema) return FileKind::results;
  throw FileError(
      path, "not a worthit trace, results, report or fleet report file (schema '" + schema + "')");
}

std::unique_ptr<TraceDocument> open_trace(const std::filesystem::path& path) {
  auto doc = std::make_unique<TraceDocument>();
  doc->path = path;
  doc->trace = trace::read_trace(path);
  doc->index = std::make_unique<TimelineIndex>(doc->trace);
  return doc;
}

ResultsDocument open_results(const std::filesystem::path& path) {
  return {path, read_results(path)};
}

ReportDocument open_report(const std::filesystem::path& path) {
  ReportDocument doc;
  doc.path = path;
  doc.report = read_report(path);
  // The roofline needs bytes and FLOPs per call, which only results.json has.
  if (!doc.report.results_path.empty()) {
    std::filesystem::path results = doc.report.results_path;
    if (results.is_relative() && !std::filesystem::exists(results))
      results = path.parent_path() / results.filename();
    std::error_code ec;
    if (std::filesystem::exists(results, ec)) {
      try {
        doc.results = read_results(results);
      } catch (const std::exception&) {
        // The report stands without its roofline.
      }
    }
  }
  return doc;
}

ReportDocument decide_report(const ResultsDocument& results) {
  ReportDocument doc;
  doc.path = results.path;
  reports::DecisionInputs inputs;
  // Maintenance metrics read the candidates' sources from this checkout.
  inputs.source_root = WORTHIT_SOURCE_DIR;
  doc.report = reports::decide(results.results, inputs, reports::default_policy());
  doc.report.results_path = results.path.string();
  doc.results = results.results;
  doc.decided_here = true;
  return doc;
}

FleetDocument open_fleet(const std::filesystem::path& path) {
  FleetDocument doc;
  doc.path = path;
  std::error_code ec;
  if (!std::filesystem::is_directory(path, ec)) {
    doc.fleet = reports::read_fleet_report(path);
    return doc;
  }
  reports::DecisionInputs inputs;
  inputs.source_root = WORTHIT_SOURCE_DIR;
  doc.fleet = reports::decide_fleet(reports::read_fleet({path}), inputs, reports::default_policy());
  doc.fleet.inputs = {path.string()};
  doc.decided_here = true;
  return doc;
}

}  // namespace worthit::viewer
