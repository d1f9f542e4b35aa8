// Reads what `worthit fleet run` leaves in its folder: one results file per
// host that finished, one error file per host that did not (docs/fleet.md).
#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

#include "worthit/reports/fleet_matrix.h"
#include "worthit/results/file_io.h"
#include "worthit/results/json_fields.h"
#include "worthit/results/results_json.h"

namespace worthit::reports {

namespace {

namespace fs = std::filesystem;

constexpr const char* kResultsSuffix = ".results.json";
constexpr const char* kErrorSuffix = ".error.json";
constexpr const char* kErrorSchema = "worthit.fleet-error";

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// "alpha.results.json" -> "alpha"; "run.json" -> "run".
std::string stem_of(const fs::path& p) {
  const std::string name = p.filename().string();
  for (const std::string tail : {kResultsSuffix, kErrorSuffix})
    if (ends_with(name, tail)) return name.substr(0, name.size() - tail.size());
  return p.stem().string();
}

HostFailure read_failure(const fs::path& path) {
  const nlohmann::json j = parse_json_file(path);
  if (!j.is_object() || !j.contains("schema") || j["schema"] != kErrorSchema)
    throw FileError(path, std::string("not a fleet error file (schema '") + kErrorSchema + "')");
  HostFailure f;
  f.path = path;
  try {
    f.host = json_fields::get_or<std::string>(j, "host", stem_of(path), "");
    f.reason = json_fields::get<std::string>(j, "reason", "");
    f.attempts = json_fields::in_range(json_fields::get_or<int>(j, "attempts", 0, ""), 0,
                                       int(json_fields::kMaxCount), "attempts");
  } catch (const SchemaError& e) {
    throw FileError(path, e.what());
  }
  return f;
}

}  // namespace

bool is_fleet_input(const std::vector<fs::path>& paths) {
  std::error_code ec;
  return paths.size() > 1 || (paths.size() == 1 && fs::is_directory(paths.front(), ec));
}

FleetFiles fleet_files(const std::vector<fs::path>& paths) {
  FleetFiles files;
  for (const auto& p : paths) {
    std::error_code ec;
    if (!fs::is_directory(p, ec)) {
      files.results.push_back(p);
      continue;
    }
    std::vector<fs::path> in_dir, errors;
    for (const auto& entry : fs::directory_iterator(p)) {
      const std::string name = entry.path().filename().string();
      if (name.empty() || name.front() == '.') continue;  // temporaries of an atomic write
      if (ends_with(name, kResultsSuffix)) in_dir.push_back(entry.path());
      if (ends_with(name, kErrorSuffix)) errors.push_back(entry.path());
    }
    if (in_dir.empty() && errors.empty())
      throw FileError(p, std::string("has no *") + kResultsSuffix + " files (is it the -o folder " +
                             "of `worthit fleet run`?)");
    std::sort(in_dir.begin(), in_dir.end());
    std::sort(errors.begin(), errors.end());
    files.results.insert(files.results.end(), in_dir.begin(), in_dir.end());
    files.errors.insert(files.errors.end(), errors.begin(), errors.end());
  }
  return files;
}

FleetInputs read_fleet(const std::vector<fs::path>& paths) {
  const FleetFiles files = fleet_files(paths);
  const auto& results = files.results;
  std::vector<fs::path> errors = files.errors;

  FleetInputs fleet;
  for (const auto& p : results) {
    HostResults h{"", p, read_results(p)};
    h.host = h.results.machine.host.empty() ? stem_of(p) : h.results.machine.host;
    fleet.hosts.push_back(std::move(h));
  }
  // Files from one machine without WORTHIT_HOST share a host name: their
  // file names tell them apart.
  std::map<std::string, int> uses;
  for (const auto& h : fleet.hosts) ++uses[h.host];
  for (auto& h : fleet.hosts)
    if (uses[h.host] > 1) h.host = stem_of(h.path);
  std::stable_sort(fleet.hosts.begin(), fleet.hosts.end(),
                   [](const HostResults& a, const HostResults& b) { return a.host < b.host; });

  std::sort(errors.begin(), errors.end());
  for (const auto& p : errors) {
    HostFailure f = read_failure(p);
    // A host rerun to success keeps no error file; if one is left, results win.
    const bool has_results = std::any_of(fleet.hosts.begin(), fleet.hosts.end(),
                                         [&](const HostResults& h) { return h.host == f.host; });
    if (!has_results) fleet.failures.push_back(std::move(f));
  }
  return fleet;
}

}  // namespace worthit::reports
