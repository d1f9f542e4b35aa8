// `worthit compare` of two fleet runs: the hosts of each machine class pooled
// on each side (each host's processes count as processes), then the same
// regression check as for two results files, class by class (docs/fleet.md).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "worthit/reports/compare.h"
#include "worthit/reports/fleet_matrix.h"

namespace worthit::reports {

struct ClassComparison {
  MachineClass machine_class;
  std::vector<std::string> base_hosts;
  std::vector<std::string> new_hosts;
  Comparison comparison;
};

struct FleetComparison {
  static constexpr const char* kSchema = "worthit.fleet-compare";
  static constexpr int kSchemaVersion = 1;
  std::string base_path;
  std::string new_path;
  std::vector<ClassComparison> classes;   // classes on both sides, in the base's order
  std::vector<std::string> only_in_base;  // class labels with no hosts in the new run
  std::vector<std::string> only_in_new;
  std::vector<std::string> warnings;  // per class, prefixed with its label; failed hosts
  bool regression = false;            // any class regressed: exit 1
};

// Throws FileError when the two runs share no machine class.
FleetComparison compare_fleets(const FleetInputs& base, const FleetInputs& next,
                               const CompareOptions& options = {});

nlohmann::json fleet_comparison_to_json(const FleetComparison& c);
std::string fleet_comparison_to_markdown(const FleetComparison& c);
std::string fleet_comparison_to_text(const FleetComparison& c);

}  // namespace worthit::reports
