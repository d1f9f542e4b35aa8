// Writers for a decision Report: one per output format (report.json, report.md).
// Schema of report.json: docs/report-schema.md.
#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

#include "worthit/reports/decision.h"

namespace worthit::reports {

nlohmann::json report_to_json(const Report& report);
std::string report_to_markdown(const Report& report);

}  // namespace worthit::reports
