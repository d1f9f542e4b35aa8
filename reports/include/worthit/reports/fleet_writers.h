// Writers for a FleetReport: one per output format, and the JSON reader the
// viewer opens a fleet report with. Schema: docs/fleet.md ("fleet report").
#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "worthit/reports/fleet_matrix.h"

namespace worthit::reports {

// "gelu n=16384: custom-worth-it on Intel Xeon ×2 (CPU only); framework-is-enough on
// AMD EPYC 9B14 ×2 (CPU only)".
std::string describe_change(const FleetMatrix& m, const ClassChange& change);
// "custom-worth-it 1.52x [1.40x, 1.61x]", "framework-is-enough", "–" when undecided.
std::string matrix_cell_text(const MatrixCell& cell);

// Each class's full report (worthit.report) is embedded under classes[].report.
nlohmann::json fleet_report_to_json(const FleetReport& fleet);
std::string fleet_report_to_markdown(const FleetReport& fleet);
// The classes, the matrix as an aligned table and the change lines, for a terminal.
std::string fleet_report_to_text(const FleetReport& fleet);

// Reads what fleet_report_to_json wrote, but for the embedded per-class
// decisions (a class's report keeps its machine, hosts and warnings only).
// Throws SchemaError naming the JSON path at fault.
FleetReport fleet_report_from_json(const nlohmann::json& j);
// The same from a file; FileError with the file (and byte offset).
FleetReport read_fleet_report(const std::filesystem::path& path);

}  // namespace worthit::reports
