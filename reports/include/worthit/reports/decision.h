// The decision engine: free functions over result records, an optional op
// share (trace or --share) and a policy. For each workload, size, device and
// framework family it answers the three questions of docs/architecture.md
// and gives one verdict with its reasons. The verdict itself is a pure
// function over numbers (decide_numbers, tested as a table); the reasons
// paragraph is a separate writer (write_reasons, decision_prose.cpp).
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
  std::string family;  // framework candidates: "pytorch", "tensorflow", ...; "" handwritten
  std::string status;  // ResultStatus name
  std::string reason;  // why not ok
  int n = 0;
  double median_ns = 0;
  double ci_low_ns = 0;
  double ci_high_ns = 0;
  double cv = 0;
  bool unstable = false;
  std::string unstable_reason;
  std::string stop_reason;  // why sampling stopped (results.json), "" when not recorded
};

// A ratio of medians with its bootstrap interval (> 1: the second is faster).
struct Speedup {
  double value = 0;
  double ci_low = 0;
  double ci_high = 0;
};

// ---- The pure decision ----------------------------------------------------

// Everything the verdict depends on, as numbers.
struct DecisionNumbers {
  bool have_framework = false;        // an ok framework candidate of the family
  bool have_custom = false;           // an ok handwritten candidate
  bool custom_incorrect = false;      // some handwritten candidate failed the gate
  bool enough_samples = true;         // both deciding candidates have the policy's min_samples
  std::optional<Speedup> jit;         // eager / best framework variant, when that is a JIT
  std::optional<Speedup> custom;      // best framework variant / best custom
  std::optional<Speedup> end_to_end;  // the step's speedup from `custom` (Amdahl), with a share
  double required_speedup = 1.5;      // the op bar for the custom kernel's cost
  double min_end_to_end = 1.05;       // the step bar: 1 + the policy's min_end_to_end_gain
  double min_jit_speedup = 1.10;
};

// Why the verdict is what it is, as data; the prose writer turns it into words.
enum class DecisionWhy {
  no_framework,          // nothing to weigh a custom kernel against
  all_custom_incorrect,  // every handwritten candidate failed the gate
  no_custom,             // no handwritten candidate ran
  too_few_samples,       // a deciding candidate has no usable interval
  custom_pays,           // the op interval clears its bar (and the step's, with a share)
  op_below_bar,          // even the top of the op interval is below its bar
  step_below_bar,        // even the top of the end-to-end interval is below the step bar
  straddles_op_bar,      // the op interval contains its bar
  straddles_step_bar,    // the end-to-end interval contains the step bar
};
const char* to_string(DecisionWhy w);  // "op-below-bar", ...

struct DecisionOutcome {
  Verdict verdict = Verdict::inconclusive;
  DecisionWhy why = DecisionWhy::no_framework;
  bool jit_wins = false;  // the best framework variant is a JIT that clearly beats eager
};

// The verdict over numbers alone: noise only widens the intervals, and the
// verdict is inconclusive only when an interval straddles the bar that decides
// (or there is nothing to decide with).
DecisionOutcome decide_numbers(const DecisionNumbers& n);

// ---- Decisions over records -----------------------------------------------

struct Decision {
  std::string workload;
  std::string size;
  std::map<std::string, int64_t> params;
  std::string device;
  std::string family;  // the framework family decided for; "" when no framework candidate ran
  Verdict verdict = Verdict::inconclusive;
  DecisionWhy why = DecisionWhy::no_framework;
  std::string reasons;  // a paragraph in plain words that cites the numbers

  // Q1: is it a bottleneck?
  std::optional<double> share;         // of step time, 0..1
  std::string share_source;            // "trace", "--share", or "" when unknown
  std::optional<double> amdahl_limit;  // end-to-end speedup if the op took no time
  std::optional<Speedup> end_to_end;   // with the best custom candidate's speedup
  double min_end_to_end = 0;           // the step bar the end-to-end interval is held against

  // Q2: can the framework solve it?
  std::optional<CandidateSummary> eager;           // fastest non-JIT framework candidate
  std::optional<CandidateSummary> best_framework;  // fastest framework candidate, JIT included
  std::optional<Speedup> jit_speedup;              // eager / best_framework when that is a JIT
  bool jit_wins = false;

  // Q3: is the gain worth it?
  std::optional<CandidateSummary> best_custom;    // fastest correct handwritten candidate
  std::optional<Speedup> custom_speedup;          // best_framework / best_custom
  double required_speedup = 0;                    // from the policy, for the cost level
  std::optional<MaintenanceMetrics> maintenance;  // of best_custom
  std::string maintenance_source;  // "results" (recorded by bench) or "source-root" (read now)
  std::vector<std::string> incorrect_custom;  // handwritten candidates that failed the gate

  // The family's framework candidates and every handwritten one, fastest first.
  std::vector<CandidateSummary> candidates;
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
  std::string family;
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
  std::string policy_path;       // "" for the built-in default
  std::string framework_filter;  // --framework, "" for every family
  MachineFingerprint machine;
  Policy policy;
  std::vector<Decision> decisions;  // by workload, device, family, then size (smallest first)
  std::vector<WorkloadSummary> workloads;
  std::vector<std::string> warnings;
};

struct DecisionInputs {
  bool have_trace = false;  // a trace was given (warn about unmatched workloads)
  std::map<std::string, OpShare> trace_shares;  // per workload, from --trace
  std::optional<double> share;  // --share: applies to every workload without a trace share
  // Where candidates' sources are read when their record carries no
  // maintenance metrics (results from before bench recorded them).
  std::filesystem::path source_root;
  std::string framework;  // --framework: decide for this family only ("" for all)
};

// Decides every (workload, size, device) group in `results`, once per
// framework family present in it.
Report decide(const ResultsFile& results, const DecisionInputs& inputs, const Policy& policy);

// The framework families a group is decided for: those with a framework
// candidate that was measured (ok, incorrect or error), shared ones only when
// no other is present; empty when no framework candidate was measured.
std::vector<std::string> families_of(const std::vector<BenchResult>& group, const Policy& policy);

// Decides one group (records of one workload at one size on one device) for
// one family; family "" takes every framework candidate.
Decision decide_group(const std::vector<BenchResult>& group, const DecisionInputs& inputs,
                      const Policy& policy, const std::string& family = "");

// The reasons paragraph for a decided group (decision_prose.cpp).
std::string write_reasons(const Decision& d, const Policy& policy);

// "PyTorch", "TensorFlow", "NumPy", "Python", else the name itself.
std::string family_display_name(const std::string& family);

// Verdict changes and the one-line summary for decisions of one workload,
// device and family, already ordered smallest size first.
WorkloadSummary summarize_sizes(const std::vector<Decision>& ordered);

}  // namespace worthit::reports
