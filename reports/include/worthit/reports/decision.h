// The decision engine: free functions over result records, an optional op
// share (trace or --share) and a policy. For each workload, size and device it
// answers the three questions of docs/architecture.md and gives one verdict with its reasons.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "worthit/reports/maintenance.h"
#include "worthit/reports/op_share.h"
#include "worthit/reports/policy.h"
#include "worthit/results/record.h"

namespace worthit::reports {

enum class Verdict {
  framework_is_enough,
  use_framework_jit,
  custom_worth_it,
  inconclusive,
  custom_incorrect,
};
const char* to_string(Verdict v);  // "framework-is-enough", ...
std::optional<Verdict> verdict_from_string(const std::string& s);

// One candidate as the report shows it.
struct CandidateSummary {
  std::string candidate;
  std::string backend;
  bool framework = false;
  bool jit = false;
  std::string status;  // ResultStatus name
  std::string reason;  // why not ok
  int n = 0;
  double median_ns = 0;
  double ci_low_ns = 0;
  double ci_high_ns = 0;
  double cv = 0;
};

// A ratio of medians with its bootstrap interval (> 1: the second is faster).
struct Speedup {
  double value = 0;
  double ci_low = 0;
  double ci_high = 0;
};

struct Decision {
  std::string workload;
  std::string size;
  std::map<std::string, int64_t> params;
  std::string device;
  Verdict verdict = Verdict::inconclusive;
  std::string reasons;  // a paragraph in plain words that cites the numbers

  // Q1: is it a bottleneck?
  std::optional<double> share;         // of step time, 0..1
  std::string share_source;            // "trace", "--share", or "" when unknown
  std::optional<double> amdahl_limit;  // end-to-end speedup if the op took no time
  std::optional<Speedup> end_to_end;   // with the best custom candidate's speedup

  // Q2: can the framework solve it?
  std::optional<CandidateSummary> eager;           // fastest non-JIT framework candidate
  std::optional<CandidateSummary> best_framework;  // fastest framework candidate, JIT included
  std::optional<Speedup> jit_speedup;              // eager / best_framework when that is a JIT

  // Q3: is the gain worth it?
  std::optional<CandidateSummary> best_custom;    // fastest correct handwritten candidate
  std::optional<Speedup> custom_speedup;          // best_framework / best_custom
  double required_speedup = 0;                    // from the policy, for the cost level
  std::optional<MaintenanceMetrics> maintenance;  // of best_custom
  std::vector<std::string> incorrect_custom;      // handwritten candidates that failed the gate

  std::vector<CandidateSummary> candidates;  // every record of this group, fastest first
};

// Where the verdict changes between consecutive sizes of one workload.
struct VerdictChange {
  std::string from_size;
  std::string to_size;
  Verdict from = Verdict::inconclusive;
  Verdict to = Verdict::inconclusive;
};

struct WorkloadSummary {
  std::string workload;
  std::string device;
  std::vector<std::string> sizes;  // smallest first
  std::vector<Verdict> verdicts;   // one per size
  std::vector<VerdictChange> changes;
  std::string summary;  // one sentence
};

struct Report {
  static constexpr const char* kSchema = "worthit.report";
  static constexpr int kSchemaVersion = 1;
  std::string created;
  std::string tool_version;
  std::string results_path;
  std::string trace_path;
  std::string policy_path;  // "" for the built-in default
  MachineFingerprint machine;
  Policy policy;
  std::vector<Decision> decisions;  // by workload, device, then size (smallest first)
  std::vector<WorkloadSummary> workloads;
  std::vector<std::string> warnings;
};

struct DecisionInputs {
  bool have_trace = false;  // a trace was given (warn about unmatched workloads)
  std::map<std::string, OpShare> trace_shares;  // per workload, from --trace
  std::optional<double> share;        // --share: applies to every workload without a trace share
  std::filesystem::path source_root;  // where candidates' sources are resolved
};

// Decides every (workload, size, device) group in `results`.
Report decide(const ResultsFile& results, const DecisionInputs& inputs, const Policy& policy);

// Decides one group: records of one workload at one size on one device.
Decision decide_group(const std::vector<BenchResult>& group, const DecisionInputs& inputs,
                      const Policy& policy);

// Verdict changes and the one-line summary for decisions of one workload and
// device, already ordered smallest size first.
WorkloadSummary summarize_sizes(const std::vector<Decision>& ordered);

}  // namespace worthit::reports
