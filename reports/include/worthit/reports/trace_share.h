// Q1 from a trace file: reads it with the trace model (worthit::trace) and
// turns its slices into per-workload op shares.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "worthit/reports/op_share.h"
#include "worthit/reports/policy.h"

namespace worthit::reports {

// False when this build has no trace reader; op_shares_from_trace then throws.
bool trace_reader_available();

// Complete ('X') slices and matched begin/end ('B'/'E') pairs of the trace,
// shares for those workloads whose op patterns match. Throws FileError.
std::map<std::string, OpShare> op_shares_from_trace(const std::filesystem::path& trace_path,
                                                    const std::vector<std::string>& workloads,
                                                    const Policy& policy);

// The worthit source folder this binary was built from when it still exists,
// else the current directory: where candidates' repository-relative sources
// are looked up by default.
std::filesystem::path default_source_root();

}  // namespace worthit::reports
