// worthit profile [-o trace.json] [--gpu auto|on|off] [--nvtx auto|on|off]
//                 [--torch auto|on|off] -- CMD ARGS...
//
// Runs CMD with the profiler's injection set up in its environment (so every
// descendant process is covered too), lets each process write its own trace
// into a private folder, merges them into one Chrome trace, validates it and
// prints a summary. The exit code is CMD's (128+N when a signal N ended it,
// 127 when it could not be started); 2 for usage errors. docs/profiler.md.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <set>
#include <sstream>

#include "child_process.h"
#include "scratch_folder.h"
#include "verbs.h"
#include "worthit/reports/hot_ops_section.h"
#include "worthit/reports/policy.h"
#include "worthit/results/file_io.h"
#include "worthit/results/json_fields.h"
#include "worthit/results/machine.h"
#include "worthit/trace/analysis.h"
#include "worthit/trace/input_bound.h"
#include "worthit/trace/op_calls.h"
#include "worthit/trace/trace.h"

namespace worthit::cli {
namespace {

namespace fs = std::filesystem;
namespace wt = worthit::trace;

struct ProfileOptions {
  std::string output = "trace.json";
  std::string gpu = "auto";
  std::string nvtx = "auto";
  std::string torch = "auto";
  std::string torch_steps = "sampled";
  int top = 15;
  bool keep_parts = false;
};

// The injection libraries live next to the worthit binary (the build puts
// them there); WORTHIT_LIB_DIR overrides for installs that split them.
fs::path library_dir() {
  if (const char* dir = std::getenv("WORTHIT_LIB_DIR"); dir && *dir) return dir;
  const fs::path exe = self_executable();
  if (exe.empty()) return {};
  std::error_code ec;
  for (const fs::path& d : {exe.parent_path(), exe.parent_path() / "../lib"})
    if (fs::exists(d / "libworthit_profiler.so", ec)) return fs::weakly_canonical(d);
  return exe.parent_path();
}

// What a part's "worthit" metadata says about its process.
struct PartInfo {
  int64_t pid = 0, ppid = 0;
  std::string process;
  uint64_t dropped_cpu = 0, dropped_gpu = 0;
  std::string gpu_capture;
};

PartInfo part_info(const nlohmann::json& m) {
  using json_fields::get_or;
  PartInfo p;
  p.pid = get_or<int64_t>(m, "pid", 0, "worthit");
  p.ppid = get_or<int64_t>(m, "ppid", 0, "worthit");
  p.process = get_or<std::string>(m, "process", "", "worthit");
  if (const auto* d = json_fields::optional_field(m, "dropped", "worthit")) {
    p.dropped_cpu = get_or<uint64_t>(*d, "cpu_records", 0, "worthit.dropped");
    p.dropped_gpu = get_or<uint64_t>(*d, "gpu_records", 0, "worthit.dropped");
  }
  p.gpu_capture = get_or<std::string>(m, "gpu_capture", "", "worthit");
  return p;
}

// A process that began recording (<pid>.started) but left no trace: killed
// by a signal it could not catch, or crashed -- or still running after the
// program ended (a daemon); either way its records are not in the trace.
struct LostProcess {
  int64_t pid = 0, ppid = 0;
  std::string process;
  bool still_running = false;
};

std::vector<LostProcess> lost_processes(const fs::path& dir) {
  std::vector<LostProcess> lost;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (!name.ends_with(".started")) continue;
    const std::string pid = name.substr(0, name.size() - std::string(".started").size());
    if (fs::exists(dir / (pid + ".trace.json"))) continue;
    LostProcess p;
    try {
      std::istringstream line(read_file(entry.path()));
      line >> p.pid >> p.ppid >> std::ws;
      std::getline(line, p.process);
    } catch (const FileError&) {
      // an unreadable marker still marks a lost process
    }
    if (p.pid <= 0) p.pid = std::atoll(pid.c_str());
    p.still_running = p.pid > 0 && ::kill(static_cast<pid_t>(p.pid), 0) == 0;
    lost.push_back(std::move(p));
  }
  std::sort(lost.begin(), lost.end(),
            [](const LostProcess& a, const LostProcess& b) { return a.pid < b.pid; });
  return lost;
}

// Merges every process's part. An unreadable part, or one whose metadata is
// malformed, is a warning (`problems`), never the end of the merge: the
// program's exit code and everyone else's records still come through.
wt::Trace merge_parts(const fs::path& dir, std::vector<std::string>* problems) {
  wt::Trace merged;
  std::vector<fs::path> parts;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().string().ends_with(".trace.json")) parts.push_back(entry.path());
  std::sort(parts.begin(), parts.end());
  nlohmann::json processes = nlohmann::json::array();
  uint64_t dropped_cpu = 0, dropped_gpu = 0;
  std::set<std::string> gpu_capture;
  for (const fs::path& p : parts) {
    wt::Trace part;
    try {
      part = wt::read_trace(p);
    } catch (const std::exception& e) {
      problems->push_back(std::string("a process left an unreadable trace: ") + e.what());
      continue;
    }
    const auto& m = part.metadata;
    PartInfo info;
    try {
      info = part_info(m);
    } catch (const SchemaError& e) {
      problems->push_back(p.string() + ": " + e.what() +
                          "; its events are kept, its process details and dropped counts are not");
    }
    dropped_cpu += info.dropped_cpu;
    dropped_gpu += info.dropped_gpu;
    if (!info.gpu_capture.empty()) gpu_capture.insert(info.gpu_capture);
    processes.push_back({{"pid", info.pid},
                         {"ppid", info.ppid},
                         {"process", info.process},
                         {"events", part.events.size()},
                         {"dropped_cpu_records", info.dropped_cpu},
                         {"dropped_gpu_records", info.dropped_gpu}});
    if (!merged.metadata.contains("machine") && m.contains("machine"))
      merged.metadata["machine"] = m["machine"];
    merged.process_names.insert(part.process_names.begin(), part.process_names.end());
    merged.thread_names.insert(part.thread_names.begin(), part.thread_names.end());
    merged.events.insert(merged.events.end(), std::make_move_iterator(part.events.begin()),
                         std::make_move_iterator(part.events.end()));
  }
  nlohmann::json lost = nlohmann::json::array();
  for (const auto& l : lost_processes(dir))
    lost.push_back({{"pid", l.pid},
                    {"ppid", l.ppid},
                    {"process", l.process},
                    {"still_running", l.still_running}});
  merged.metadata["processes"] = std::move(processes);
  merged.metadata["dropped"] = {{"cpu_records", dropped_cpu}, {"gpu_records", dropped_gpu}};
  merged.metadata["lost_processes"] = std::move(lost);
  if (!gpu_capture.empty())
    merged.metadata["gpu_capture"] =
        std::vector<std::string>(gpu_capture.begin(), gpu_capture.end());
  wt::sort_events(merged);
  return merged;
}

std::string fmt_time(int64_t ns) {
  char buf[32];
  const double v = double(ns);
  if (ns >= 1'000'000'000)
    std::snprintf(buf, sizeof buf, "%.3f s", v / 1e9);
  else if (ns >= 1'000'000)
    std::snprintf(buf, sizeof buf, "%.3f ms", v / 1e6);
  else if (ns >= 1'000)
    std::snprintf(buf, sizeof buf, "%.2f us", v / 1e3);
  else
    std::snprintf(buf, sizeof buf, "%lld ns", static_cast<long long>(ns));
  return buf;
}

std::string clip(const std::string& s, size_t n) {
  return s.size() <= n ? s : s.substr(0, n - 3) + "...";
}

void print_ranges(std::vector<wt::RangeStat> stats, bool by_self, int top) {
  if (by_self)
    std::stable_sort(stats.begin(), stats.end(),
                     [](const auto& a, const auto& b) { return a.self_ns > b.self_ns; });
  std::printf("\nTop ranges by %s time:\n", by_self ? "self" : "total");
  std::printf("  %-44s %8s %12s %12s %12s %12s\n", "name", "count", "total", "self", "mean", "max");
  for (int i = 0; i < top && i < int(stats.size()); ++i) {
    const auto& s = stats[size_t(i)];
    std::printf(
        "  %-44s %8lld %12s %12s %12s %12s\n", clip(s.name, 44).c_str(),
        static_cast<long long>(s.count), fmt_time(s.total_ns).c_str(), fmt_time(s.self_ns).c_str(),
        fmt_time(s.total_ns / std::max<int64_t>(s.count, 1)).c_str(), fmt_time(s.max_ns).c_str());
  }
}

// How the PyTorch ops were captured, then the hot ops with their headroom
// (docs/hot-ops.md), against this machine's calibrated ceilings.
void print_torch_ops(const wt::Trace& t, const ProfileOptions& o) {
  const wt::TorchCapture c = wt::torch_capture(t);
  if (c.processes > 0) {
    std::printf("\nPyTorch ops: %lld captured in %lld process(es) (torch %s",
                static_cast<long long>(c.ops), static_cast<long long>(c.processes),
                c.torch_version.c_str());
    if (c.observer > 0)
      std::printf(", %lld by the ATen observer", static_cast<long long>(c.observer));
    if (c.fallback > 0)
      std::printf(", %lld through torch.profiler", static_cast<long long>(c.fallback));
    if (c.intra_op_threads > 0)
      std::printf(", %lld intra-op threads", static_cast<long long>(c.intra_op_threads));
    std::printf(")\n");
    for (const auto& why : c.reasons) std::printf("  note: %s\n", why.c_str());
    if (c.dropped_ops > 0)
      std::printf("  %lld ops were dropped (buffers full): the op table is incomplete\n",
                  static_cast<long long>(c.dropped_ops));
  } else if (o.torch != "off") {
    bool any = false;
    for (const auto& e : t.events) any = any || wt::is_torch_op(e);
    if (!any) return;  // not a PyTorch program (or it never imported torch)
  }
  std::vector<wt::Ceiling> ceilings;
  try {
    ceilings = reports::calibrated_ceilings(default_calibration_path());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "worthit profile: warning: ignoring calibration: %s\n", e.what());
  }
  const reports::Policy policy = reports::default_policy();
  const auto hot = reports::analyze_hot_ops(t, policy, ceilings, size_t(std::max(o.top, 1)));
  if (!hot.has_ops) return;
  std::fputs(reports::hot_ops_to_text(hot, ceilings, reports::headroom_bar(policy)).c_str(),
             stdout);
}

void print_summary(const wt::Trace& t, const ProfileOptions& o, int exit_code, double seconds) {
  const auto& procs = t.metadata["processes"];
  std::printf(
      "\nworthit profile: %s: %zu events from %zu process(es); the program exited with %d after "
      "%.3f s\n",
      o.output.c_str(), t.events.size(), procs.size(), exit_code, seconds);
  const auto stats = wt::range_stats(t);
  const auto& lost = t.metadata["lost_processes"];
  if (stats.empty()) {
    // Only claim the program recorded nothing when nothing says otherwise.
    if (!lost.empty())
      std::printf(
          "No ranges in the trace: %zu process(es) began recording but ended without writing "
          "their trace (killed by a signal, or crashed); what they recorded is lost.\n",
          lost.size());
    else if (exit_code > 128)
      std::printf(
          "No ranges recorded: the program was ended by signal %d before anything was "
          "written.\n",
          exit_code - 128);
    else
      std::printf(
          "No ranges recorded: the program made no NVTX calls, used no worthit.scope / "
          "WORTHIT_SCOPE, and no CUDA work was captured.\n");
  } else {
    print_ranges(stats, false, o.top);
    print_ranges(stats, true, o.top);
    std::printf("\nThread busy share (time inside top-level ranges / trace span):\n");
    const auto busy = wt::thread_busy(t);
    for (int i = 0; i < o.top && i < int(busy.size()); ++i) {
      const auto& b = busy[size_t(i)];
      std::string name = b.name;
      if (name.empty())
        if (auto it = t.process_names.find(b.pid); it != t.process_names.end()) name = it->second;
      std::printf("  pid %-8lld tid %-10lld %-32s %12s %6.1f%%\n", static_cast<long long>(b.pid),
                  static_cast<long long>(b.tid), clip(name, 32).c_str(),
                  fmt_time(b.busy_ns).c_str(), 100.0 * b.share);
    }
  }
  print_torch_ops(t, o);
  // Input-bound diagnosis (docs/data-pipeline.md): only when the trace has steps or data ranges.
  if (const auto ib = wt::diagnose_input_bound(t); ib.steps_found > 0 || ib.data_ranges > 0)
    std::printf("\nInput pipeline: %s: %s\n", wt::to_string(ib.verdict), ib.summary.c_str());
  const auto g = wt::gpu_summary(t);
  if (g.has_gpu) {
    std::printf("\nGPU: busy %.1f%% of %s (%s of kernels, copies and memsets)\n",
                100.0 * g.busy_share, fmt_time(g.span_ns).c_str(), fmt_time(g.busy_ns).c_str());
    std::printf("  idle gaps, largest first:");
    for (const auto& gap : g.largest_gaps) std::printf(" %s", fmt_time(gap.dur_ns).c_str());
    std::printf("\n  kernels by total time:\n");
    for (int i = 0; i < o.top && i < int(g.kernels.size()); ++i)
      std::printf("    %-60s %8lld %12s\n", clip(g.kernels[size_t(i)].name, 60).c_str(),
                  static_cast<long long>(g.kernels[size_t(i)].count),
                  fmt_time(g.kernels[size_t(i)].total_ns).c_str());
    std::printf("  copies: %lld (%s), memsets: %lld (%s), synchronization: %s\n",
                static_cast<long long>(g.memcpy_count), fmt_time(g.memcpy_ns).c_str(),
                static_cast<long long>(g.memset_count), fmt_time(g.memset_ns).c_str(),
                fmt_time(g.sync_ns).c_str());
    if (g.launch_count > 0)
      std::printf(
          "  launch overhead: %lld launch calls, %s each on the CPU; launch to kernel start %s on "
          "average\n",
          static_cast<long long>(g.launch_count),
          fmt_time(g.launch_api_ns / g.launch_count).c_str(),
          g.launch_latency_count ? fmt_time(g.launch_latency_ns / g.launch_latency_count).c_str()
                                 : "n/a");
  } else if (o.gpu != "off") {
    std::printf("\nGPU: no GPU activity captured%s\n",
                t.metadata.contains("gpu_capture") ? "" : " (no process initialized CUDA)");
  }
  const auto& d = t.metadata["dropped"];
  const uint64_t cpu = d.value("cpu_records", uint64_t{0});
  const uint64_t gpu = d.value("gpu_records", uint64_t{0});
  std::string lost_note;
  if (!lost.empty())
    lost_note = "; " + std::to_string(lost.size()) +
                " process(es) lost all their records (ended without writing a trace)";
  std::printf("\nDropped records: %llu CPU, %llu GPU%s%s\n", static_cast<unsigned long long>(cpu),
              static_cast<unsigned long long>(gpu), lost_note.c_str(),
              cpu + gpu > 0 || !lost.empty() ? "  <- the trace is incomplete" : "");
  for (const auto& l : lost)
    std::printf("  lost: pid %lld (%s), started by pid %lld: %s\n",
                static_cast<long long>(l.value("pid", int64_t{0})),
                l.value("process", std::string("?")).c_str(),
                static_cast<long long>(l.value("ppid", int64_t{0})),
                l.value("still_running", false) ? "still running when the program ended"
                                                : "ended without writing its trace");
}

int run_profile(const ProfileOptions& o, std::vector<std::string> command) {
  if (!command.empty() && command.front() == "--") command.erase(command.begin());
  if (command.empty())
    throw UsageError("no command to profile (usage: worthit profile [options] -- CMD ARGS...)");
  if (o.gpu != "auto" && o.gpu != "on" && o.gpu != "off")
    throw UsageError("--gpu must be auto, on or off, not '" + o.gpu + "'");
  if (o.nvtx != "auto" && o.nvtx != "on" && o.nvtx != "off")
    throw UsageError("--nvtx must be auto, on or off, not '" + o.nvtx + "'");
  if (o.torch != "auto" && o.torch != "on" && o.torch != "off")
    throw UsageError("--torch must be auto, on or off, not '" + o.torch + "'");
  if (o.torch_steps != "sampled" && o.torch_steps != "all")
    throw UsageError("--torch-steps must be sampled or all, not '" + o.torch_steps + "'");

  const fs::path libs = library_dir();
  const fs::path runtime = libs / "libworthit_profiler.so";
  const fs::path nvtx = libs / "libworthit_nvtx.so";
  const fs::path cuda = libs / "libworthit_cuda.so";
  if (!fs::exists(runtime))
    throw UsageError("profiler runtime not found: " + runtime.string() + " (set WORTHIT_LIB_DIR)");
  if (o.nvtx == "on" && !fs::exists(nvtx))
    throw UsageError("--nvtx on, but this build has no NVTX injection (" + nvtx.string() +
                     "); use --nvtx off");
  if (o.gpu == "on" && !fs::exists(cuda))
    throw UsageError("--gpu on, but this build has no CUPTI capture (" + cuda.string() + ")");
  const fs::path startup = libs / "startup";
  const fs::path aten = libs / "libworthit_aten.so";
  if (o.torch != "off" && !fs::exists(startup / "sitecustomize.py"))
    throw UsageError("the PyTorch start-up hook is missing (" + startup.string() +
                     "); reinstall worthit or use --torch off");
  if (o.torch == "on" && !fs::exists(aten))
    throw UsageError("--torch on, but this build has no ATen observer (" + aten.string() +
                     "); --torch auto captures through torch.profiler instead");

  // Checked before the program runs: a run is not repeatable for free.
  check_output_path(o.output);
  const fs::path output = fs::absolute(o.output);
  // The per-process traces; removed on every way out unless --keep-parts.
  ScratchFolder scratch(output.parent_path(), ".worthit-profile-");
  if (o.keep_parts) scratch.keep();
  const fs::path& parts = scratch.path();

  std::vector<std::pair<std::string, std::string>> env = {
      {"WORTHIT_PROFILE_DIR", parts.string()},
      {"WORTHIT_PROFILER_LIB", runtime.string()},
  };
  if (o.nvtx == "auto" && !fs::exists(nvtx))
    std::cerr << "worthit profile: note: this build has no NVTX injection (" << nvtx.string()
              << "); NVTX ranges are not captured, WORTHIT_SCOPE ranges are\n";
  if (o.nvtx != "off" && fs::exists(nvtx)) env.emplace_back("NVTX_INJECTION64_PATH", nvtx.string());
  if (o.gpu != "off" && fs::exists(cuda)) env.emplace_back("CUDA_INJECTION64_PATH", cuda.string());
  if (o.torch != "off") {
    // Python runs the hook's sitecustomize.py at start-up; it waits for
    // `import torch` (docs/profiler.md, "PyTorch ops").
    const char* old = std::getenv("PYTHONPATH");
    env.emplace_back("PYTHONPATH",
                     startup.string() + (old && *old ? ":" + std::string(old) : std::string()));
    env.emplace_back("WORTHIT_TORCH", o.torch);
    env.emplace_back("WORTHIT_TORCH_STEPS", o.torch_steps);
    if (fs::exists(aten)) env.emplace_back("WORTHIT_ATEN_LIB", aten.string());
  }
  // Processes that leave through _exit (forked workers, os._exit) skip
  // atexit; the preloaded wrapper lets the runtime flush first.
  if (const fs::path exit_hook = libs / "libworthit_exit.so"; fs::exists(exit_hook)) {
    const char* preload = std::getenv("LD_PRELOAD");
    env.emplace_back(
        "LD_PRELOAD",
        exit_hook.string() + (preload && *preload ? std::string(":") + preload : std::string()));
    // AddressSanitizer refuses to start unless its runtime is the first
    // library; the wrapper is not instrumented and intercepts only _exit.
    const char* asan = std::getenv("ASAN_OPTIONS");
    env.emplace_back("ASAN_OPTIONS", std::string(asan && *asan ? asan + std::string(":") : "") +
                                         "verify_asan_link_order=0");
  }

  const auto start = std::chrono::steady_clock::now();
  const int exit_code = run_child(command, env, "profile");
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::vector<std::string> merge_problems;
  wt::Trace merged = merge_parts(parts, &merge_problems);
  wt::stamp_metadata(merged);
  merged.metadata["command"] = command;
  merged.metadata["exit_code"] = exit_code;
  merged.metadata["wall_seconds"] = seconds;
  wt::write_trace(output, merged);
  for (const auto& u : merge_problems)
    std::fprintf(stderr, "worthit profile: warning: %s\n", u.c_str());
  const auto problems = wt::validate_trace(merged);
  for (const auto& p : problems)
    std::fprintf(stderr, "worthit profile: warning: trace check: %s\n", p.c_str());
  print_summary(merged, o, exit_code, seconds);
  std::fflush(stdout);
  return exit_code;
}

}  // namespace

Verb add_profile_verb(CLI::App& app) {
  auto* sub = app.add_subcommand("profile",
                                 "Run a command with CPU scope, NVTX and CUDA (CUPTI) capture; "
                                 "write a Chrome trace and print a summary. "
                                 "Exit code: the command's (128+N if signal N ended it, 127 if it "
                                 "could not start); 2 for usage errors.");
  auto opts = std::make_shared<ProfileOptions>();
  sub->add_option("-o,--output", opts->output, "Trace file to write (Chrome Trace Event JSON)")
      ->capture_default_str();
  sub->add_option("--gpu", opts->gpu,
                  "CUPTI GPU capture: auto (when CUDA is used), on (required), off")
      ->capture_default_str();
  sub->add_option("--nvtx", opts->nvtx,
                  "NVTX range capture through injection: auto (when this build has it), on "
                  "(an error without it) or off")
      ->capture_default_str();
  sub->add_option("--torch", opts->torch,
                  "PyTorch op capture in Python programs (every ATen op with its shapes): auto "
                  "(when the program imports torch), on (an error without the ATen observer) or "
                  "off")
      ->capture_default_str();
  sub->add_option("--torch-steps", opts->torch_steps,
                  "Which training steps the ATen capture records: sampled (the first two and every "
                  "tenth, every op in them; +3% step time where every step costs +38%) or all "
                  "(docs/hot-ops.md, \"Sampled steps\")")
      ->capture_default_str();
  sub->add_option("--top", opts->top, "Rows per summary table")->capture_default_str();
  sub->add_flag("--keep-parts", opts->keep_parts, "Keep the per-process traces next to the output");
  auto command = std::make_shared<std::vector<std::string>>();
  sub->add_option("command", *command, "The program and its arguments, after --")->expected(-1);
  // Everything after "--" is the command, passed through untouched.
  sub->footer("Usage: worthit profile [options] -- CMD ARGS...");
  return {"profile", [opts, command] { return run_profile(*opts, *command); }};
}

}  // namespace worthit::cli
