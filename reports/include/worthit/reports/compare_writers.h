// Writers for a Comparison: one per output format. Schema of the JSON:
// docs/ci.md ("compare JSON").
#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

#include "worthit/reports/compare.h"

namespace worthit::reports {

nlohmann::json comparison_to_json(const Comparison& c);
// Markdown that fits a CI job summary or a pull-request comment.
std::string comparison_to_markdown(const Comparison& c);
// One line per benchmark for a terminal.
std::string comparison_to_text(const Comparison& c);

}  // namespace worthit::reports
