// What the viewer opens: traces, results files and decision reports, each
// read through its part's plain model library. No Qt here: the benchmark and
// the tests load files the same way the application does.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "timeline_index.h"
#include "worthit/reports/decision.h"
#include "worthit/reports/fleet_matrix.h"
#include "worthit/results/record.h"
#include "worthit/trace/trace.h"

namespace worthit::viewer {

enum class FileKind { trace, results, report, fleet };
const char* to_string(FileKind k);

// Sniffs the file's kind from its JSON; throws FileError when it is none of
// them. A folder is a fleet run's (`worthit fleet run -o DIR`).
FileKind detect_file_kind(const std::filesystem::path& path);

// A trace and its timeline index (which points into the trace: never moved).
struct TraceDocument {
  std::filesystem::path path;
  trace::Trace trace;
  std::unique_ptr<TimelineIndex> index;
};
std::unique_ptr<TraceDocument> open_trace(const std::filesystem::path& path);

struct ResultsDocument {
  std::filesystem::path path;
  ResultsFile results;
};
ResultsDocument open_results(const std::filesystem::path& path);

// A report: read from report.json, or decided here from results.json with the
// default policy. `results` (for the roofline) is the results file it came
// from when that can be read.
struct ReportDocument {
  std::filesystem::path path;
  reports::Report report;
  std::optional<ResultsFile> results;
  bool decided_here = false;
};
ReportDocument open_report(const std::filesystem::path& path);
ReportDocument decide_report(const ResultsDocument& results);

// A fleet: read from a fleet report (`worthit report DIR`), or decided here
// from a fleet run's folder with the default policy.
struct FleetDocument {
  std::filesystem::path path;
  reports::FleetReport fleet;
  bool decided_here = false;
};
FleetDocument open_fleet(const std::filesystem::path& path);

}  // namespace worthit::viewer
