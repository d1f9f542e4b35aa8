// Reads report.json (docs/report-schema.md, written by reports/src/report_json_writer.cpp)
// back into the reports' own Report record, so the report view shows the same
// structure whether it was read from a file or decided from results.json.
#pragma once

#include <filesystem>

#include <nlohmann/json_fwd.hpp>

#include "worthit/reports/decision.h"

namespace worthit::viewer {

// Throws FileError naming the file (with the byte offset for syntax errors).
reports::Report read_report(const std::filesystem::path& path);
// Throws SchemaError naming the JSON path at fault.
reports::Report report_from_json(const nlohmann::json& j);

}  // namespace worthit::viewer
