// worthit calibrate: measure this machine's ceilings (memory bandwidth and
// peak FLOP/s) for the roofline columns of `worthit bench`.
#include <cstdio>
#include <memory>

#include "calibrate_cpu.h"
#include "calibrate_gpu.h"
#include "verbs.h"
#include "worthit/results/file_io.h"
#include "worthit/results/machine.h"

namespace worthit::cli {
namespace {

struct CalibrateArgs {
  std::string output;
  CpuCalibrateOptions cpu;
  GpuCalibrateOptions gpu;  // calibrate_gpu.h
};

int run_calibrate(const CalibrateArgs& args) {
  const auto path =
      args.output.empty() ? default_calibration_path() : std::filesystem::path(args.output);
  // A named output is checked before the measurements (the default's folder
  // is created when the file is saved).
  if (!args.output.empty()) check_output_path(path);
  return calibrate_machine(path, args.cpu, args.gpu, stdout) ? kExitOk : kExitFailure;
}

}  // namespace

Verb add_calibrate_verb(CLI::App& app) {
  auto args = std::make_shared<CalibrateArgs>();
  auto* cmd = app.add_subcommand(
      "calibrate", "Measure this machine's memory bandwidth and peak FLOP/s (roofline ceilings)");
  cmd->add_option(
      "-o,--output", args->output,
      "Where to store them (default $WORTHIT_CALIBRATION or ~/.cache/worthit/calibration.json)");
  cmd->add_option("-t,--threads", args->cpu.threads, "Threads (default: physical cores)")
      ->check(CLI::Range(1, 4096));
  cmd->add_option("--array-mb", args->cpu.array_mb,
                  "Size of each bandwidth array in MB (default 256)")
      ->check(CLI::Range(16, 65536));
  cmd->add_option("--gemm-n", args->cpu.gemm_n, "GEMM size for peak FLOP/s (default 2048)")
      ->check(CLI::Range(64, 16384));
  add_gpu_calibrate_options(*cmd, args->gpu);
  return {"calibrate", [args] { return run_calibrate(*args); }};
}

}  // namespace worthit::cli
