// results.json reading and writing (schema: docs/results-schema.md).
#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "worthit/results/record.h"

namespace worthit {

nlohmann::json to_json(const MachineFingerprint& m);
nlohmann::json to_json(const Calibration& c);
nlohmann::json to_json(const SampleStats& s);
nlohmann::json to_json(const RecordedCost& c);
nlohmann::json to_json(const BenchResult& r);
nlohmann::json to_json(const ResultsFile& f);

// Each throws worthit::SchemaError naming the JSON path at fault.
MachineFingerprint machine_from_json(const nlohmann::json& j);
Calibration calibration_from_json(const nlohmann::json& j);
BenchResult result_from_json(const nlohmann::json& j);
// A record gated but not yet timed (a Python worker's, before the schedule
// samples it): status "ok" without samples or stats is accepted.
BenchResult pending_result_from_json(const nlohmann::json& j);
ResultsFile results_from_json(const nlohmann::json& j);

// Reads and validates a results file; throws FileError with file and byte offset.
ResultsFile read_results(const std::filesystem::path& path);
// Writes to a temporary file beside `path` and renames it: never half-written.
void write_results(const std::filesystem::path& path, const ResultsFile& file);

}  // namespace worthit
