// worthit compare BASE NEW: the statistical regression check for CI. Exit 1
// when a benchmark regressed beyond the threshold with significance
// (docs/ci.md).
#include <cmath>
#include <filesystem>
#include <iostream>

#include <nlohmann/json.hpp>

#include "verbs.h"
#include "worthit/reports/compare.h"
#include "worthit/reports/compare_writers.h"
#include "worthit/reports/fleet_compare.h"
#include "worthit/results/file_io.h"

namespace worthit::cli {

namespace {

struct CompareCliOptions {
  std::string base;
  std::string next;
  std::string threshold = "5%";
  double alpha = 0.01;
  std::string md_out;
  std::string json_out;
  bool quiet = false;
  bool normalize = false;
  std::string control;
};

// "5%" -> 0.05, "0.05" -> 0.05; a bare number of 1 or more is ambiguous.
double parse_threshold(const std::string& text) {
  const Fraction f = parse_fraction(text, "--threshold", "5% or 0.05");
  if (f.value < 0) throw UsageError("--threshold: '" + text + "' is negative");
  if (!f.percent && f.value >= 1)
    throw UsageError("--threshold: '" + text + "' is ambiguous; write " + text +
                     "% or a fraction like 0.05");
  return f.value;
}

// Two `worthit fleet run` folders: the same check, machine class by class.
int run_fleet_compare(const CompareCliOptions& o, const reports::CompareOptions& options) {
  const auto base = reports::read_fleet({o.base});
  const auto next = reports::read_fleet({o.next});
  const auto result = reports::compare_fleets(base, next, options);
  if (!o.quiet) std::cout << reports::fleet_comparison_to_text(result);
  for (const auto& w : result.warnings) std::cerr << "worthit compare: warning: " << w << "\n";
  if (!o.md_out.empty())
    write_file_atomically(o.md_out, reports::fleet_comparison_to_markdown(result));
  if (!o.json_out.empty())
    write_file_atomically(o.json_out, reports::fleet_comparison_to_json(result).dump(1) + "\n");
  int regressed = 0;
  for (const auto& c : result.classes) regressed += c.comparison.regression;
  std::cerr << "worthit compare: " << result.classes.size() << " machine class"
            << (result.classes.size() == 1 ? "" : "es") << " compared: "
            << (result.regression ? "REGRESSION in " + std::to_string(regressed) + " (exit 1)"
                                  : std::string("no significant regression"))
            << "\n";
  return result.regression ? kExitFailure : kExitOk;
}

// Each side may pool several runs: "a.json,b.json,c.json".
std::vector<std::string> split_files(const std::string& list) {
  std::vector<std::string> files;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    const std::string file = list.substr(start, comma - start);
    if (file.empty()) throw UsageError("empty file name in '" + list + "'");
    files.push_back(file);
    start = comma + 1;
  }
  return files;
}

int run_compare(const CompareCliOptions& o) {
  // Outputs first: a missing folder or an output over an input is refused
  // before the inputs are read.
  std::vector<std::filesystem::path> inputs, outputs;
  for (const auto* side : {&o.base, &o.next}) {
    std::error_code ec;
    if (std::filesystem::is_directory(*side, ec)) {  // a fleet run: the folder and its files
      const reports::FleetFiles files = reports::fleet_files({*side});
      inputs.emplace_back(*side);
      inputs.insert(inputs.end(), files.results.begin(), files.results.end());
      inputs.insert(inputs.end(), files.errors.begin(), files.errors.end());
      continue;
    }
    for (const auto& f : split_files(*side)) inputs.emplace_back(f);
  }
  for (const auto* out : {&o.md_out, &o.json_out})
    if (!out->empty()) {
      check_output_path(*out);
      outputs.emplace_back(*out);
    }
  check_outputs_distinct(inputs, outputs);
  reports::CompareOptions options;
  options.threshold = parse_threshold(o.threshold);
  if (!(o.alpha > 0 && o.alpha < 1)) throw UsageError("--alpha must be between 0 and 1");
  options.alpha = o.alpha;
  options.normalize = o.normalize || !o.control.empty();
  options.control = o.control;
  std::error_code ec;
  const bool base_dir = std::filesystem::is_directory(o.base, ec);
  const bool new_dir = std::filesystem::is_directory(o.next, ec);
  if (base_dir && new_dir) return run_fleet_compare(o, options);
  if (base_dir || new_dir)
    throw UsageError(std::string(base_dir ? o.base : o.next) +
                     " is a folder (a fleet run): compare it with another fleet run's folder");
  std::vector<std::string> pool_warnings;
  auto read_side = [&](const std::string& list) {
    std::vector<reports::BenchmarkSet> runs;
    for (const auto& file : split_files(list)) runs.push_back(reports::read_benchmark_set(file));
    return reports::pool_runs(runs, pool_warnings);
  };
  const auto base = read_side(o.base);
  const auto next = read_side(o.next);
  auto result = reports::compare(base, next, options);
  result.warnings.insert(result.warnings.begin(), pool_warnings.begin(), pool_warnings.end());
  if (!o.quiet) std::cout << reports::comparison_to_text(result);
  for (const auto& w : result.warnings) std::cerr << "worthit compare: warning: " << w << "\n";
  if (!o.md_out.empty()) write_file_atomically(o.md_out, reports::comparison_to_markdown(result));
  if (!o.json_out.empty())
    write_file_atomically(o.json_out, reports::comparison_to_json(result).dump(1) + "\n");
  std::string counts;
  for (const auto& [kind, n] : result.counts)
    counts += (counts.empty() ? "" : ", ") + std::to_string(n) + " " + kind;
  std::cerr << "worthit compare: " << counts << ": "
            << (result.regression ? "REGRESSION (exit 1)" : "no significant regression") << "\n";
  return result.regression ? kExitFailure : kExitOk;
}

}  // namespace

Verb add_compare_verb(CLI::App& app) {
  auto o = std::make_shared<CompareCliOptions>();
  auto* sub = app.add_subcommand(
      "compare",
      "Statistical regression check for CI: exit 1 when NEW is significantly slower.\n"
      "Two `worthit fleet run` folders are compared machine class by class.\n"
      "Make each side with `worthit bench --processes 5`: one process cannot show how\n"
      "much the next differs, and the interval resamples whole processes (docs/ci.md).");
  sub->add_option("base", o->base,
                  "baseline: worthit results.json or Google Benchmark JSON; several runs "
                  "of the same build, comma-separated, are pooled (each run counts as a process)")
      ->required();
  sub->add_option("new", o->next, "candidate run(s), the same kind of file")->required();
  sub->add_option("--threshold", o->threshold, "smallest change that counts, e.g. 5% or 0.05")
      ->capture_default_str();
  sub->add_option("--alpha", o->alpha, "significance level of the Mann-Whitney U test")
      ->capture_default_str();
  sub->add_option("--md", o->md_out, "write a Markdown summary (CI job summary, PR comment)");
  sub->add_option("--json", o->json_out, "write the comparison as JSON");
  sub->add_flag("--normalize", o->normalize,
                "drift correction for shared or noisy machines (worthit results): compare each "
                "candidate relative to the rest of its workload and size, round by round");
  sub->add_option("--control", o->control,
                  "with --normalize: backends (glob) that serve as the reference, e.g. libtorch; "
                  "implies --normalize");
  sub->add_flag("-q,--quiet", o->quiet, "no per-benchmark table on stdout");
  return {"compare", [o] { return run_compare(*o); }};
}

}  // namespace worthit::cli
