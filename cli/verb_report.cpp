// worthit report: results (+ trace or --share) -> report.json + report.md with
// a verdict per workload and size (docs/reports.md).
#include <algorithm>
#include <cmath>
#include <iostream>
#include <set>

#include <nlohmann/json.hpp>

#include "verbs.h"
#include "worthit/reports/decision.h"
#include "worthit/reports/fleet_matrix.h"
#include "worthit/reports/fleet_writers.h"
#include "worthit/reports/format.h"
#include "worthit/reports/hot_ops_section.h"
#include "worthit/reports/report_writers.h"
#include "worthit/reports/trace_share.h"
#include "worthit/results/file_io.h"
#include "worthit/results/machine.h"
#include "worthit/results/results_json.h"
#include "worthit/trace/input_bound.h"
#include "worthit/trace/trace.h"

namespace worthit::cli {

namespace {

struct ReportOptions {
  std::vector<std::string> results;
  std::string trace;
  std::string share;
  std::string policy;
  std::string json_out = "report.json";
  std::string md_out = "report.md";
  std::string source_root;
  std::string calibration;
  int top = 15;
  std::string framework;
  bool quiet = false;
};

// "0.3", "30%" -> 0.3.
double parse_share(const std::string& text) {
  const double v = parse_fraction(text, "--share", "0.3 or 30%").value;
  if (v < 0 || v > 1) throw UsageError("--share: " + text + " is outside 0..1 (0%..100%)");
  return v;
}

// Rows of `worthit bench --from-trace` carry their op's share of the step.
void add_shares_from_results(const ResultsFile& results, reports::DecisionInputs& inputs) {
  for (const auto& r : results.results) {
    const auto it = r.extra.find("trace_share");
    if (it == r.extra.end() || inputs.trace_shares.count(r.workload)) continue;
    reports::OpShare s;
    s.workload = r.workload;
    s.share = it->second;
    s.step_source = "the trace `worthit bench --from-trace` read";
    inputs.trace_shares[r.workload] = s;
  }
}

// The trace's hot ops with their headroom, against the ceilings the results
// were measured with (else this machine's calibration).
nlohmann::json hot_ops_section(const ReportOptions& o, const reports::Policy& policy,
                               const ResultsFile* results, std::string* markdown) {
  std::optional<Calibration> cpu, gpu;
  if (results) {
    cpu = results->calibration;
    gpu = results->gpu_calibration;
  }
  if (!cpu) {
    const auto path =
        o.calibration.empty() ? default_calibration_path() : std::filesystem::path(o.calibration);
    cpu = load_calibration(path);
    gpu = load_calibration(gpu_calibration_path(path));
  }
  const auto ceilings = reports::ceilings_of(cpu, gpu);
  const auto bar = reports::headroom_bar(policy);
  const auto hot =
      reports::analyze_hot_ops(trace::read_trace(o.trace), policy, ceilings, size_t(o.top));
  *markdown = reports::hot_ops_to_markdown(hot, ceilings, bar);
  if (!o.quiet)
    for (const auto& op : hot.ops)
      if (op.verdict == trace::Headroom::room)
        std::cerr << "  hot op " << op.name << " [" << op.signature
                  << "]: " << trace::headroom_sentence(op, bar) << "\n";
  return reports::hot_ops_to_json(hot, ceilings, bar);
}

// What --trace, --share and --source-root give every decision.
// `results` are every record the decisions will see (the families --framework
// may name).
reports::DecisionInputs decision_inputs(const ReportOptions& o, const reports::Policy& policy,
                                        const std::vector<std::string>& workloads,
                                        const std::vector<const BenchResult*>& results) {
  reports::DecisionInputs inputs;
  inputs.source_root =
      o.source_root.empty() ? reports::default_source_root() : std::filesystem::path(o.source_root);
  if (!o.source_root.empty() && !std::filesystem::is_directory(inputs.source_root))
    throw UsageError("--source-root: " + o.source_root + " is not a directory");
  if (!o.share.empty()) inputs.share = parse_share(o.share);
  if (!o.framework.empty()) {
    std::set<std::string> known;
    for (const auto& [family, globs] : policy.framework_families) known.insert(family);
    for (const BenchResult* r : results)
      if (r->framework) known.insert(reports::framework_family(policy, r->family, r->backend));
    if (!known.count(o.framework)) {
      std::string list;
      for (const auto& f : known) list += (list.empty() ? "" : ", ") + f;
      throw UsageError("--framework: unknown family '" + o.framework + "' (" + list + ")");
    }
    inputs.framework = o.framework;
  }
  if (!o.trace.empty()) {
    if (!o.quiet) std::cerr << "worthit report: reading trace " << o.trace << "\n";
    inputs.have_trace = true;
    inputs.trace_shares = reports::op_shares_from_trace(o.trace, workloads, policy);
    for (const auto& [w, s] : inputs.trace_shares)
      if (!o.quiet)
        std::cerr << "  " << w << ": " << reports::format_percent(s.share) << " of "
                  << reports::format_duration(static_cast<double>(s.step_ns)) << " (" << s.op_slices
                  << " slices, " << s.step_source << ")\n";
  }
  return inputs;
}

std::vector<std::string> workloads_of(const std::vector<BenchResult>& results,
                                      std::vector<std::string> into = {}) {
  std::set<std::string> seen(into.begin(), into.end());
  for (const auto& r : results)
    if (seen.insert(r.workload).second) into.push_back(r.workload);
  return into;
}

void write_outputs(const ReportOptions& o, const std::string& json, const std::string& md) {
  if (!o.json_out.empty() && o.json_out != "-") write_file_atomically(o.json_out, json);
  if (!o.md_out.empty() && o.md_out != "-") write_file_atomically(o.md_out, md);
  if (!o.quiet) {
    if (!o.json_out.empty() && o.json_out != "-")
      std::cerr << "worthit report: wrote " << o.json_out << "\n";
    if (!o.md_out.empty() && o.md_out != "-")
      std::cerr << "worthit report: wrote " << o.md_out << "\n";
  }
}

// A fleet run's folder, or several results files: a decision per machine
// class and the matrix over classes (docs/fleet.md).
int run_fleet_report(const ReportOptions& o, const reports::Policy& policy) {
  const std::vector<std::filesystem::path> paths(o.results.begin(), o.results.end());
  if (!o.quiet) {
    std::cerr << "worthit report: reading";
    for (const auto& p : o.results) std::cerr << " " << p;
    std::cerr << "\n";
  }
  const reports::FleetInputs fleet_inputs = reports::read_fleet(paths);
  if (fleet_inputs.hosts.empty()) {
    std::cerr << "worthit report: no host has results";
    for (const auto& f : fleet_inputs.failures) std::cerr << "; " << f.host << ": " << f.reason;
    std::cerr << "\n";
    return kExitFailure;
  }
  std::vector<std::string> workloads;
  std::vector<const BenchResult*> records;
  for (const auto& h : fleet_inputs.hosts) {
    workloads = workloads_of(h.results.results, workloads);
    for (const auto& r : h.results.results) records.push_back(&r);
  }
  const auto inputs = decision_inputs(o, policy, workloads, records);
  reports::FleetReport fleet;
  try {
    fleet = reports::decide_fleet(fleet_inputs, inputs, policy);
  } catch (const std::runtime_error& e) {
    throw UsageError(e.what());
  }
  fleet.created = utc_timestamp();
  fleet.tool_version = WORTHIT_VERSION;
  fleet.inputs = o.results;
  fleet.policy_path = o.policy;
  for (auto& c : fleet.classes) {
    c.report.created = fleet.created;
    c.report.tool_version = WORTHIT_VERSION;
    std::string files;
    for (const auto& h : fleet_inputs.hosts)
      if (std::find(c.hosts.begin(), c.hosts.end(), h.host) != c.hosts.end())
        files += (files.empty() ? "" : ", ") + h.path.string();
    c.report.results_path = files;
    c.report.trace_path = o.trace;
    c.report.policy_path = o.policy;
  }
  write_outputs(o, reports::fleet_report_to_json(fleet).dump(1) + "\n",
                reports::fleet_report_to_markdown(fleet));
  std::cout << reports::fleet_report_to_text(fleet);
  for (const auto& w : fleet.warnings) std::cerr << "worthit report: warning: " << w << "\n";
  return kExitOk;
}

// Every file the report reads: the results files, the results and error
// files inside a fleet run's folder, the trace and the policy.
std::vector<std::filesystem::path> report_inputs(const ReportOptions& o) {
  const reports::FleetFiles files = reports::fleet_files({o.results.begin(), o.results.end()});
  std::vector<std::filesystem::path> inputs(o.results.begin(), o.results.end());
  inputs.insert(inputs.end(), files.results.begin(), files.results.end());
  inputs.insert(inputs.end(), files.errors.begin(), files.errors.end());
  inputs.emplace_back(o.trace);
  inputs.emplace_back(o.policy);
  return inputs;
}

int run_report(const ReportOptions& o) {
  // Outputs are checked before any work: a missing folder, or an output that
  // would replace an input (report r.json -o r.json), is refused up front.
  std::vector<std::filesystem::path> outputs;
  for (const auto* out : {&o.json_out, &o.md_out})
    if (!out->empty() && *out != "-") {
      check_output_path(*out);
      outputs.emplace_back(*out);
    }
  check_outputs_distinct(report_inputs(o), outputs);
  const reports::Policy policy =
      o.policy.empty() ? reports::default_policy() : reports::load_policy(o.policy);
  if (o.results.empty() && o.trace.empty())
    throw UsageError("give results.json, --trace trace.json, or both");
  if (o.top < 1) throw UsageError("--top must be at least 1");
  if (o.results.empty()) {
    // A trace alone: the hot ops section, no verdicts on benchmarks.
    if (!o.quiet) std::cerr << "worthit report: reading trace " << o.trace << "\n";
    reports::Report report;
    report.created = utc_timestamp();
    report.tool_version = WORTHIT_VERSION;
    report.trace_path = o.trace;
    report.policy_path = o.policy;
    report.policy = policy;
    report.machine = collect_machine_fingerprint();
    std::string md;
    nlohmann::json j = reports::report_to_json(report);
    j["hot_ops"] = hot_ops_section(o, policy, nullptr, &md);
    write_outputs(o, j.dump(1) + "\n", reports::report_to_markdown(report) + "\n" + md);
    for (const auto& op : j["hot_ops"]["ops"])
      std::cout << op["name"].get<std::string>() << " [" << op["signature"].get<std::string>()
                << "]: " << op["verdict"].get<std::string>() << "\n";
    return kExitOk;
  }
  const std::vector<std::filesystem::path> paths(o.results.begin(), o.results.end());
  if (reports::is_fleet_input(paths)) return run_fleet_report(o, policy);
  const std::string& path = o.results.front();
  if (!o.quiet) std::cerr << "worthit report: reading " << path << "\n";
  const ResultsFile results = read_results(path);
  if (results.results.empty()) throw FileError(path, "has no results to report on");
  std::vector<const BenchResult*> records;
  for (const auto& r : results.results) records.push_back(&r);
  auto inputs = decision_inputs(o, policy, workloads_of(results.results), records);

  add_shares_from_results(results, inputs);
  reports::Report report = reports::decide(results, inputs, policy);
  // Input-bound diagnosis of the trace (docs/data-pipeline.md), listed with the report's notes.
  if (!o.trace.empty() && reports::trace_reader_available())
    if (const auto ib = trace::diagnose_input_bound(trace::read_trace(o.trace)); ib.steps_found > 0)
      report.warnings.push_back(std::string("input pipeline: ") + trace::to_string(ib.verdict) +
                                ": " + ib.summary);
  report.created = utc_timestamp();
  report.tool_version = WORTHIT_VERSION;
  report.results_path = path;
  report.trace_path = o.trace;
  report.policy_path = o.policy;
  report.framework_filter = o.framework;

  nlohmann::json j = reports::report_to_json(report);
  std::string hot_md;
  if (!o.trace.empty()) j["hot_ops"] = hot_ops_section(o, policy, &results, &hot_md);
  write_outputs(o, j.dump(1) + "\n",
                reports::report_to_markdown(report) + (hot_md.empty() ? "" : "\n" + hot_md));

  for (const auto& d : report.decisions) {
    std::cout << d.workload << " " << d.size << (d.device != "cpu" ? " " + d.device : "")
              << (d.family.empty() ? "" : " for " + reports::family_display_name(d.family)) << ": "
              << reports::to_string(d.verdict);
    if (d.custom_speedup)
      std::cout << " (custom " << reports::format_ratio(d.custom_speedup->value) << " ["
                << reports::format_ratio(d.custom_speedup->ci_low) << ", "
                << reports::format_ratio(d.custom_speedup->ci_high) << "] vs "
                << d.best_framework->backend << ")";
    else if (d.best_framework && d.verdict == reports::Verdict::use_framework_jit)
      std::cout << " (" << d.best_framework->backend << ")";
    std::cout << "\n";
  }
  for (const auto& w : report.workloads)
    if (!w.changes.empty())
      std::cout << w.workload
                << (w.family.empty() ? "" : " for " + reports::family_display_name(w.family))
                << " across sizes: " << w.summary << "\n";
  for (const auto& w : report.warnings) std::cerr << "worthit report: warning: " << w << "\n";
  return kExitOk;
}

}  // namespace

Verb add_report_verb(CLI::App& app) {
  auto o = std::make_shared<ReportOptions>();
  auto* sub = app.add_subcommand(
      "report",
      "Turn results (and a trace) into verdicts: is a custom kernel worth it here?\n"
      "Given a `worthit fleet run` folder or several results files, decides per machine\n"
      "class and writes the matrix of verdicts over classes (docs/fleet.md).");
  sub->add_option("results", o->results,
                  "results.json from `worthit bench` (optional with --trace: the hot ops alone); "
                  "or a fleet run's folder, or several results files: one decision per machine "
                  "class");
  sub->add_option("--trace", o->trace,
                  "trace.json (worthit profile or torch.profiler): the op's share of step time, "
                  "and a hot_ops section with each hot PyTorch op's headroom bound");
  sub->add_option("--top", o->top, "Hot ops listed from the trace")->capture_default_str();
  sub->add_option("--calibration", o->calibration,
                  "ceilings for the hot ops when the results carry none (default: worthit "
                  "calibrate's file)");
  sub->add_option("--share", o->share,
                  "the op's share of step time when there is no trace, e.g. 0.3 or 30%");
  sub->add_option("--policy", o->policy,
                  "policy JSON with the decision thresholds (default: built in, the same as "
                  "reports/policy/default-policy.json)");
  sub->add_option("-o,--output", o->json_out, "report JSON ('-' for none)")->capture_default_str();
  sub->add_option("--md", o->md_out, "report Markdown ('-' for none)")->capture_default_str();
  sub->add_option("--source-root", o->source_root,
                  "where candidates' repository-relative sources are found (default: the "
                  "worthit source folder, else the current directory)");
  sub->add_option("--framework", o->framework,
                  "decide for this framework family only (pytorch, tensorflow, numpy, ...); "
                  "default: once for each family the results have");
  sub->add_flag("-q,--quiet", o->quiet, "no progress on stderr");
  return {"report", [o] { return run_report(*o); }};
}

}  // namespace worthit::cli
