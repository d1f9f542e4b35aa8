// A fleet's decision: the hosts of a `worthit fleet run` grouped into machine
// classes, one Report per class (decide() over the class's pooled results),
// and the matrix of verdicts over classes (docs/fleet.md). The matrix is a
// pure function of the per-class reports; the writers (fleet_writers.h) print it.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "worthit/reports/decision.h"
#include "worthit/results/record.h"

namespace worthit::reports {

// What puts two hosts in one class: the name set by hand on the worker
// ($WORTHIT_MACHINE_CLASS), else the CPU model, core count, GPU model and
// driver of the fingerprint.
struct MachineClass {
  std::string key;     // equal keys: one class
  std::string label;   // for people: "Intel Xeon ×2 (CPU only)", or the name given by hand
  bool named = false;  // the label was given by hand
};
MachineClass machine_class_of(const MachineFingerprint& m);

// "Intel(R) Xeon(R) CPU @ 2.20GHz" -> "Intel Xeon": the marks, "CPU",
// "Processor", the core count and the clock left out.
std::string short_cpu_model(const std::string& cpu_model);

// One host's results in a fleet run (DIR/<host>.results.json).
struct HostResults {
  std::string host;
  std::filesystem::path path;
  ResultsFile results;
};

// A host whose bench did not finish (DIR/<host>.error.json), with why.
struct HostFailure {
  std::string host;
  std::filesystem::path path;
  std::string reason;
  int attempts = 0;
};

struct FleetInputs {
  std::vector<HostResults> hosts;  // by host name
  std::vector<HostFailure> failures;
};

// The files read_fleet reads: the files named, and each folder's
// *.results.json and *.error.json (sorted). Throws FileError for a folder
// with neither.
struct FleetFiles {
  std::vector<std::filesystem::path> results;
  std::vector<std::filesystem::path> errors;
};
FleetFiles fleet_files(const std::vector<std::filesystem::path>& paths);

// Reads a fleet run's folder (each *.results.json and *.error.json in it) or
// results files named one by one, in any mix. A host is named by its
// fingerprint's `host`, else by its file name. Throws FileError for a file that
// cannot be read and for a folder with no results at all.
FleetInputs read_fleet(const std::vector<std::filesystem::path>& paths);

// True when `path` should be read as a fleet: a folder, or several files.
bool is_fleet_input(const std::vector<std::filesystem::path>& paths);

// The hosts of one class, pooled as processes (merge_process_results), in the
// order their classes first appear among `hosts`. Labels that two classes
// share get the CPU's full model name, then a number, so columns stay apart.
// Throws std::runtime_error when hosts of one class ran different selections.
struct ClassResults {
  MachineClass machine_class;
  std::vector<std::string> hosts;
  ResultsFile pooled;
};
std::vector<ClassResults> group_by_class(const std::vector<HostResults>& hosts);

// One column of the matrix: a class and its decisions.
struct ClassReport {
  MachineClass machine_class;
  std::vector<std::string> hosts;
  int processes = 0;  // bench processes pooled over its hosts
  Report report;
};

struct MatrixCell {
  std::optional<Verdict> verdict;  // none: nothing was decided for this row in this class
  std::optional<Speedup> speedup;  // best custom over best framework, when both ran
  std::string best_custom;         // backends, "" when none
  std::string best_framework;
};

struct MatrixRow {
  std::string workload;
  std::string size;
  std::map<std::string, int64_t> params;
  std::string device;
  std::vector<MatrixCell> cells;  // one per class, in column order
};

// A row whose verdict is not the same in every class that decided it: each
// verdict with the classes (column indices) that reached it, in column order.
struct ClassChange {
  size_t row = 0;
  std::vector<std::pair<Verdict, std::vector<size_t>>> verdicts;
};

struct FleetMatrix {
  std::vector<std::string> columns;  // class labels
  std::vector<MatrixRow> rows;       // by workload (first appearance), device, then size
  std::vector<ClassChange> changes;  // in row order
};

// The matrix over per-class reports: one row per workload, size and device
// any class decided, one cell per class.
FleetMatrix fleet_matrix(const std::vector<ClassReport>& classes);

// The rows whose classes disagree (what fleet_matrix puts in `changes`).
std::vector<ClassChange> class_changes(const std::vector<MatrixRow>& rows);

struct FleetReport {
  static constexpr const char* kSchema = "worthit.fleet-report";
  static constexpr int kSchemaVersion = 1;
  std::string created;
  std::string tool_version;
  std::vector<std::string> inputs;  // the folders and files read
  std::string policy_path;          // "" for the built-in default
  std::vector<ClassReport> classes;
  FleetMatrix matrix;
  std::vector<HostFailure> failures;
  std::vector<std::string> warnings;
};

// Groups the hosts into classes, decides each class, and builds the matrix.
// Throws std::runtime_error as group_by_class does.
FleetReport decide_fleet(const FleetInputs& inputs, const DecisionInputs& decision_inputs,
                         const Policy& policy);

}  // namespace worthit::reports
