// worthit bench: run workloads, write results.json, print the table.
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>

#include "build_config.h"
#include "builtin_costs.h"
#include "calibrate_cpu.h"
#include "calibrate_gpu.h"
#include "child_process.h"
#include "python_workers.h"
#include "scratch_folder.h"
#include "trace_workloads.h"
#include "verbs.h"
#include "worthit/harness/console_table.h"
#include "worthit/harness/host_probe.h"
#include "worthit/harness/runner.h"
#include "worthit/kernels/builtin.h"
#include "worthit/results/file_io.h"
#include "worthit/results/machine.h"
#include "worthit/results/process_merge.h"
#include "worthit/results/results_json.h"
#include "worthit/results/unavailable.h"

namespace worthit::cli {
namespace {

struct BenchArgs {
  BenchOptions options;
  std::string output = "results.json";
  std::string calibration;
  bool repetitions_given = false;
  bool min_time_given = false;
  bool target_ci_given = false;
  bool max_time_given = false;
  bool warmup_given = false;
  bool no_table = false;
  bool no_calibrate = false;
  int processes = 1;
  std::string from_trace;  // --from-trace: the trace's hot ops as workloads
  int top = 5;
  std::string min_share = "1%";
};

// A private folder, removed with everything in it.
struct TempFolder {
  std::filesystem::path path;
  TempFolder() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "worthit-bench-XXXXXX").string();
    if (!::mkdtemp(tmpl.data()))
      throw FileError(tmpl, std::string("cannot create: ") + std::strerror(errno));
    path = tmpl;
  }
  ~TempFolder() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

// --no-calibrate, or WORTHIT_NO_CALIBRATE=1 for scripts and test suites that
// run many short benches and want no ceilings.
bool calibration_disabled(const BenchArgs& args) {
  const char* env = std::getenv("WORTHIT_NO_CALIBRATE");
  return args.no_calibrate || (env && std::string(env) == "1");
}

// The first bench on a machine measures its ceilings (seconds when idle) and
// keeps them where `worthit calibrate` would, so every table shows % of them.
void calibrate_once(const std::filesystem::path& path, const ProgressFn& progress) {
  progress("no calibration at " + path.string() +
           ": measuring this machine's ceilings once, memory bandwidth and a 2048^3 GEMM "
           "(`worthit calibrate` redoes it, --no-calibrate skips it)");
  const auto start = std::chrono::steady_clock::now();
  try {
    calibrate_machine(path, CpuCalibrateOptions{}, GpuCalibrateOptions{}, stderr);
  } catch (const std::exception& e) {
    progress(std::string("warning: calibration failed, tables show no ceilings: ") + e.what());
    return;
  }
  char took[64];
  std::snprintf(took, sizeof took, "%.1f s",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  progress(std::string("calibrated in ") + took + ", saved to " + path.string());
}

// Globs that match nothing are almost always typos: refuse them up front.
void check_globs(const Registry& registry, const BenchOptions& o,
                 const std::vector<PythonBackendInfo>& python) {
  std::set<std::string> workloads, backends;
  for (const Workload* w : registry.workloads()) {
    workloads.insert(w->name());
    for (const Candidate* c : registry.candidates(w->name())) {
      backends.insert(c->backend);
      backends.insert(c->name());
    }
  }
  for (const auto& p : python) {
    workloads.insert(p.workload);
    backends.insert(p.backend);
    backends.insert(p.workload + "/" + p.backend);
  }
  auto check = [](const std::vector<std::string>& globs, const std::set<std::string>& names,
                  const char* what) {
    for (const auto& g : globs) {
      bool hit = false;
      for (const auto& n : names) hit = hit || glob_match(g, n);
      if (!hit)
        throw UsageError(std::string("no ") + what + " matches '" + g + "' (see 'worthit list')");
    }
  };
  check(o.workload_globs, workloads, "workload");
  check(o.backend_globs, backends, "backend");
}

// The arguments that make a child bench process run exactly this selection,
// with every default already resolved.
std::vector<std::string> child_command(const BenchArgs& args, const std::string& calibration,
                                       const std::filesystem::path& output) {
  const BenchOptions& o = args.options;
  char min_time[32];
  std::snprintf(min_time, sizeof min_time, "%.17g", o.min_time_s);
  // /proc/self/exe rather than its target: it still works when a rebuild
  // replaced the binary while this bench was running.
  std::vector<std::string> cmd = {"/proc/self/exe",
                                  "bench",
                                  "--processes=1",
                                  "--no-table",
                                  "--output=" + output.string(),
                                  "--threads=" + std::to_string(o.threads),
                                  "--repetitions=" + std::to_string(o.repetitions),
                                  std::string("--min-time=") + min_time,
                                  "--seed=" + std::to_string(o.seed)};
  char sampling[64];
  std::snprintf(sampling, sizeof sampling, "%.17g", o.target_ci);
  cmd.push_back(std::string("--target-ci=") + sampling);
  std::snprintf(sampling, sizeof sampling, "%.17g", o.max_time_s);
  cmd.push_back(std::string("--max-time=") + sampling);
  std::snprintf(sampling, sizeof sampling, "%.17g", o.warmup_s);
  cmd.push_back(std::string("--warmup=") + sampling);
  if (o.verbose) cmd.push_back("--verbose");
  if (!calibration.empty())
    cmd.push_back("--calibration=" + calibration);
  else
    cmd.push_back("--no-calibrate");
  if (o.quick) cmd.push_back("--quick");
  for (const auto& g : o.workload_globs) cmd.push_back("--workload=" + g);
  for (const auto& g : o.backend_globs) cmd.push_back("--backend=" + g);
  for (const auto& s : o.sizes) cmd.push_back("--sizes=" + s);
  for (const auto& p : o.plugins) cmd.push_back("--plugin=" + p);
  if (!args.from_trace.empty()) {
    cmd.push_back("--from-trace=" + args.from_trace);
    cmd.push_back("--top=" + std::to_string(args.top));
    cmd.push_back("--min-share=" + args.min_share);
  }
  return cmd;
}

// --processes N: N fresh copies of this bench, one after the other, each with
// its own memory layout, pooled into one file (docs/measurement.md).
ResultsFile bench_in_processes(const BenchArgs& args, const std::string& calibration,
                               const ProgressFn& progress) {
  namespace fs = std::filesystem;
  if (self_executable().empty())
    throw std::runtime_error("--processes needs /proc/self/exe to start copies of worthit");
  const fs::path output = fs::absolute(args.output);
  // Removed on every way out; if this bench is killed, its watchdog kills the
  // running child bench's process group (workers included) and removes it.
  ScratchFolder scratch(output.parent_path(), ".worthit-bench-");
  const fs::path& parts = scratch.path();

  std::vector<ResultsFile> runs;
  for (int p = 0; p < args.processes; ++p) {
    const std::string label =
        "process " + std::to_string(p + 1) + "/" + std::to_string(args.processes);
    progress(label + ": starting a fresh worthit bench");
    const fs::path part = parts / ("process-" + std::to_string(p + 1) + ".json");
    const int rc = run_child(child_command(args, calibration, part), {}, "bench", &scratch);
    // 1 means some candidate was incorrect or failed: its rows say which.
    if (rc != kExitOk && rc != kExitFailure)
      throw std::runtime_error(label + " failed (exit " + std::to_string(rc) + ")");
    runs.push_back(read_results(part));
  }
  return merge_process_results(runs);
}

// One line per failure, not one per size: a candidate that fails the same
// way at every size is reported once, with the count at the end. Failure
// lines end in "<backend> error: <reason>" (or "incorrect: "), after the
// "[k/n] <workload> <size>: " of their case.
class FailureLog {
 public:
  explicit FailureLog(ProgressFn progress) : progress_(std::move(progress)) {}
  void operator()(const std::string& line) {
    size_t at = std::string::npos, len = 0;
    for (const char* marker : {" error: ", " incorrect: "})
      if (const size_t p = line.find(marker); p != std::string::npos && p < at)
        at = p, len = std::strlen(marker);
    const size_t open = line.find("] ");
    if (at == std::string::npos || open == std::string::npos || line.front() != '[')
      return progress_(line);
    const size_t start = line.find_last_of(" ", at - 1);
    const std::string backend = line.substr(start + 1, at - start - 1);
    const std::string workload = line.substr(open + 2, line.find(' ', open + 2) - open - 2);
    const std::string key = workload + "/" + backend + "\n" + line.substr(at + len);
    if (++seen_[key] == 1) progress_(line);
  }
  void summary() const {
    for (const auto& [key, n] : seen_)
      if (n > 1)
        progress_(key.substr(0, key.find('\n')) + " failed the same way at " + std::to_string(n) +
                  " sizes (reported once above): " + key.substr(key.find('\n') + 1));
  }

 private:
  ProgressFn progress_;
  std::map<std::string, int> seen_;
};

int run_bench(BenchArgs& args) {
  BenchOptions& o = args.options;
  if (o.quick) {
    if (!args.repetitions_given) o.repetitions = 5;
    if (!args.min_time_given) o.min_time_s = 0.01;
    if (!args.target_ci_given) o.target_ci = 0.05;
    if (!args.max_time_given) o.max_time_s = 1;
    if (!args.warmup_given) o.warmup_s = 0;  // a smoke run: time over steadiness
  }
  // -r N alone is a fixed count; with --target-ci it is the minimum.
  if (args.repetitions_given && !args.target_ci_given) o.target_ci = 0;
  if (o.threads <= 0) o.threads = physical_core_count();
  if (o.workload_globs.empty()) o.workload_globs = {"*"};
  if (o.backend_globs.empty()) o.backend_globs = {"*"};
  // The output is checked before the run, not after it: a missing folder or
  // an output over an input would otherwise cost the whole run.
  check_output_path(args.output);
  {
    std::vector<std::filesystem::path> inputs(o.plugins.begin(), o.plugins.end());
    inputs.emplace_back(args.calibration);
    check_outputs_distinct(inputs, {args.output});
  }
  // A calibration named on the command line must exist and be readable; the
  // default one is optional.
  if (!args.calibration.empty() && !std::filesystem::exists(args.calibration))
    throw UsageError("--calibration: " + args.calibration +
                     " does not exist (write it with `worthit calibrate -o " + args.calibration +
                     "`)");

  Registry registry;
  kernels::register_builtin(registry);
  // --from-trace: the trace's hot ops are the workloads, defined on the Python
  // side at their recorded shapes (python/worthit/trace_ops.py).
  std::unique_ptr<TempFolder> trace_dir;
  if (!args.from_trace.empty()) {
    const double min_share = parse_fraction(args.min_share, "--min-share", "0.01 or 1%").value;
    if (min_share < 0 || min_share > 1)
      throw UsageError("--min-share: " + args.min_share + " is outside 0..1 (0%..100%)");
    if (args.top < 1) throw UsageError("--top must be at least 1");
    const TraceWorkloads tw = trace_workloads(args.from_trace, size_t(args.top), min_share);
    for (const auto& note : tw.notes) std::cerr << "worthit bench: " << note << "\n";
    if (tw.names.empty())
      throw UsageError(args.from_trace + ": no hot ATen op with a cost model takes at least " +
                       args.min_share +
                       " of the step (lower --min-share, or profile with worthit profile)");
    trace_dir = std::make_unique<TempFolder>();
    o.trace_ops = (trace_dir->path / "trace-ops.json").string();
    write_file_atomically(o.trace_ops, tw.specs.dump(1));
    if (o.workload_globs == std::vector<std::string>{"*"}) o.workload_globs = tw.names;
    for (size_t i = 0; i < tw.names.size(); ++i)
      std::cerr << "worthit bench: from the trace: " << tw.names[i] << " ("
                << tw.specs["ops"][i]["share"].get<double>() * 100 << "% of the step)\n";
  }
  // The listing includes the trace's workloads, so the globs are checked against them too.
  const PythonListing python = list_python_backends(o.plugins, o.verbose, o.trace_ops);
  check_globs(registry, o, python.backends);

  Selection selection;
  try {
    // The trace's workloads have no C++ candidates.
    if (args.from_trace.empty()) selection = select(registry, o);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }

  const auto start = std::chrono::steady_clock::now();
  auto print = [start](const std::string& line) {
    const double t =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::fprintf(stderr, "[%7.1fs] %s\n", t, line.c_str());
  };
  FailureLog failures(print);
  auto progress = [&failures](const std::string& line) { failures(line); };
  // The CPU's ceilings, and the GPU's that `worthit calibrate` keeps beside
  // them (calibration-cuda.json); each result is annotated with its device's.
  const auto cal_path = args.calibration.empty() ? default_calibration_path()
                                                 : std::filesystem::path(args.calibration);
  std::error_code exists_ec;
  if (args.calibration.empty() && !calibration_disabled(args) &&
      !std::filesystem::exists(cal_path, exists_ec))
    calibrate_once(cal_path, progress);
  auto load = [](const std::filesystem::path& path) -> std::optional<Calibration> {
    try {
      return load_calibration(path);
    } catch (const FileError& e) {
      std::cerr << "worthit bench: warning: ignoring calibration: " << e.what() << "\n";
      return std::nullopt;
    }
  };
  const std::optional<Calibration> calibration =
      args.calibration.empty() ? load(cal_path) : load_calibration(cal_path);
  const std::optional<Calibration> gpu_calibration = load(gpu_calibration_path(cal_path));
  std::vector<Calibration> calibrations;
  for (const auto& c : {calibration, gpu_calibration})
    if (c) calibrations.push_back(*c);

  char target[64];
  std::snprintf(target, sizeof target, "%g%%", o.target_ci * 100);
  char budget[64];
  std::snprintf(budget, sizeof budget, "%g s", o.max_time_s);
  print("threads " + std::to_string(o.threads) + ", " +
        (o.target_ci > 0 ? "at least " + std::to_string(o.repetitions) +
                               " repetitions, then until the median is known to +-" + target +
                               " or " + budget + " per workload and size,"
                         : std::to_string(o.repetitions) + " repetitions") +
        " of >= " + std::to_string(o.min_time_s) + " s" +
        (args.processes > 1 ? " in each of " + std::to_string(args.processes) + " processes"
                            : std::string()) +
        ", seed " + std::to_string(o.seed));

  ResultsFile file;
  file.created = utc_timestamp();
  file.tool_version = WORTHIT_VERSION;
  file.machine = collect_machine_fingerprint();
  file.machine.torch_version = built_torch_version();
  file.settings.threads = o.threads;
  file.settings.repetitions = o.repetitions;
  file.settings.adaptive = o.target_ci > 0;
  file.settings.target_ci = o.target_ci;
  file.settings.max_time_s = o.max_time_s;
  file.settings.min_time_s = o.min_time_s;
  file.settings.warmup_s = o.warmup_s;
  file.settings.seed = o.seed;
  file.settings.quick = o.quick;
  file.settings.workload_globs = o.workload_globs;
  file.settings.backend_globs = o.backend_globs;
  file.calibration = calibration;
  file.gpu_calibration = gpu_calibration;
  if (args.processes > 1) {
    ResultsFile pooled =
        bench_in_processes(args, calibration ? cal_path.string() : std::string(), progress);
    file.settings.processes = pooled.settings.processes;
    file.machine.libraries = pooled.machine.libraries;
    file.host = std::move(pooled.host);
    file.results = std::move(pooled.results);
  } else {
    // One schedule over this process's C++ candidates and every Python
    // worker group: each workload and size is sampled in shared rounds.
    auto local = make_local_participant(registry, selection, o);
    PythonWorkers workers(o, python, progress);
    std::vector<Participant*> participants{local.get()};
    for (Participant* p : workers.participants()) participants.push_back(p);
    std::vector<double> probes;
    file.results = run_schedule(participants, o.sampling(), progress,
                                [&] { probes.push_back(probe_host_ns()); });
    if (!probes.empty())
      file.host = summarize_host_probes(probes, calibration ? calibration->host_probe_ns : 0);
    for (auto& r : workers.rows_without_case()) file.results.push_back(std::move(r));
    for (const auto& [lib, version] : workers.finish()) file.machine.libraries[lib] = version;
    record_builtin_costs(file.results);
  }
  annotate_results(file.results, calibrations);
  failures.summary();
  for (const auto& u : summarize_unavailable(file.results)) print(describe(u));
  if (file.host) print(describe(*file.host));

  write_results(args.output, file);
  if (!args.no_table) print_results_table(std::cout, file);
  int bad = 0;
  for (const auto& r : file.results)
    bad += r.status == ResultStatus::incorrect || r.status == ResultStatus::error;
  print("wrote " + args.output + " (" + std::to_string(file.results.size()) + " results" +
        (bad ? ", " + std::to_string(bad) + " incorrect or failed" : std::string()) + ")");
  return bad ? kExitFailure : kExitOk;
}

}  // namespace

Verb add_bench_verb(CLI::App& app) {
  auto args = std::make_shared<BenchArgs>();
  auto* cmd = app.add_subcommand(
      "bench",
      "Run workloads' candidates on identical inputs and write results.json.\n"
      "Exit status: 0 when every candidate ran correctly, 1 when any was incorrect or\n"
      "failed, 2 on bad arguments.");
  auto& o = args->options;
  cmd->add_option("-w,--workload", o.workload_globs, "Workloads to run (glob, repeatable)");
  cmd->add_option(
      "-b,--backend", o.backend_globs,
      "Backends or candidates to run (glob, repeatable), e.g. 'cpp-*' or 'gelu/libtorch'");
  cmd->add_option(
      "-s,--sizes", o.sizes,
      "Sizes as key=value[,key=value] (K/M/G suffixes), e.g. n=1M or m=512,n=512,k=512");
  cmd->add_option("-t,--threads", o.threads,
                  "Threads for every candidate (default: physical cores)")
      ->check(CLI::Range(1, 4096));
  cmd->add_option("--min-time", o.min_time_s, "Minimum seconds per repetition (default 0.05)")
      ->check(CLI::Range(1e-6, 3600.0))
      ->each([a = args.get()](const std::string&) { a->min_time_given = true; });
  cmd->add_option("-r,--repetitions", o.repetitions,
                  "Repetitions per candidate: exactly N; with --target-ci, at least N\n"
                  "(default: at least 5, adaptive)")
      ->check(CLI::Range(1, 100000))
      ->each([a = args.get()](const std::string&) { a->repetitions_given = true; });
  cmd->add_option("--target-ci", o.target_ci,
                  "Keep sampling a candidate until the 95% interval of its median is within\n"
                  "this fraction of it (default 0.02: +-2%; 0: a fixed count)")
      ->check(CLI::Range(0.0, 1.0))
      ->each([a = args.get()](const std::string&) { a->target_ci_given = true; });
  cmd->add_option("--max-time", o.max_time_s,
                  "Sampling budget in seconds per workload and size, all candidates together\n"
                  "(default 8; the minimum repetitions are always taken; 0: none)")
      ->check(CLI::Range(0.0, 86400.0))
      ->each([a = args.get()](const std::string&) { a->max_time_given = true; });
  cmd->add_option("--warmup", o.warmup_s,
                  "Seconds each repetition runs its candidate untimed before timing it (one call\n"
                  "at least), while idle cores wake up and the idle threads of what ran before\n"
                  "stop spinning (default 0.01; 0: none, the default with --quick)")
      ->check(CLI::Range(0.0, 10.0))
      ->each([a = args.get()](const std::string&) { a->warmup_given = true; });
  cmd->add_option("--processes", args->processes,
                  "Run the whole selection in N fresh processes, one after the other, and pool\n"
                  "their samples (default 1). Each process has its own memory layout, which moves\n"
                  "some kernels' times by a few percent; use 5 for `worthit compare` in CI")
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--seed", o.seed, "Input generator seed (default 42)");
  cmd->add_flag("-q,--quick", o.quick,
                "Small sizes, repetitions of 0.01 s until +-5% or 1 s per size: a smoke run");
  cmd->add_flag("-v,--verbose", o.verbose,
                "Show the Python workers' own output and plugins' tracebacks on stderr");
  cmd->add_option("--plugin", o.plugins, "Python file adding candidates or workloads (repeatable)")
      ->check(CLI::ExistingFile);
  cmd->add_option("-o,--output", args->output, "Results file (default results.json)");
  cmd->add_option("--calibration", args->calibration,
                  "Calibration file (default: the one 'worthit calibrate' wrote)");
  cmd->add_flag("--no-table", args->no_table, "Do not print the console table");
  cmd->add_option("--from-trace", args->from_trace,
                  "Bench the hot ATen ops of a trace (worthit profile) at their recorded shapes:\n"
                  "torch eager, torch.compile and plugin candidates naming the op; results carry\n"
                  "the op's share of the step for `worthit report` (docs/hot-ops.md)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--top", args->top, "With --from-trace: how many hot ops (default 5)");
  cmd->add_option("--min-share", args->min_share,
                  "With --from-trace: the least share of the step an op needs (default 1%)");
  cmd->add_flag("--no-calibrate", args->no_calibrate,
                "Do not measure this machine's ceilings when no calibration exists (otherwise\n"
                "the first bench does, once); WORTHIT_NO_CALIBRATE=1 does the same");
  return {"bench", [args] { return run_bench(*args); }};
}

}  // namespace worthit::cli
