// worthit calibrate: measure this machine's ceilings (memory bandwidth and
// peak FLOP/s) for the roofline columns of `worthit bench`.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>

#include "calibrate_gpu.h"
#include "verbs.h"
#include "worthit/harness/gate.h"
#include "worthit/harness/runner.h"
#include "worthit/kernels/builtin.h"
#include "worthit/results/file_io.h"
#include "worthit/results/machine.h"

namespace worthit::cli {
namespace {

struct CalibrateArgs {
  std::string output;
  int threads = 0;
  int array_mb = 256;
  int gemm_n = 2048;
  GpuCalibrateOptions gpu;  // calibrate_gpu.h
};

struct Bandwidth {
  double copy_gbs = 0;
  double triad_gbs = 0;
};

// STREAM-style copy and triad over arrays far larger than the last-level
// cache; best of several passes, bytes counted as STREAM does (no
// write-allocate traffic).
Bandwidth measure_bandwidth(size_t bytes_per_array, int threads) {
  const size_t n = bytes_per_array / sizeof(double);
  auto alloc = [n] { return std::unique_ptr<double[]>(new double[n]); };
  auto a = alloc(), b = alloc(), c = alloc();
  double* pa = a.get();
  double* pb = b.get();
  double* pc = c.get();
  const auto sn = static_cast<std::ptrdiff_t>(n);
#pragma omp parallel for num_threads(threads) schedule(static)
  for (std::ptrdiff_t i = 0; i < sn; ++i) pa[i] = 1.0, pb[i] = 2.0, pc[i] = 0.5;
  Bandwidth best;
  double expected_a = 1.0;  // what every element of a holds after the passes
  for (int pass = 0; pass < 8; ++pass) {
    expected_a = 2.0 + 3.0 * expected_a;
    auto t0 = std::chrono::steady_clock::now();
#pragma omp parallel for num_threads(threads) schedule(static)
    for (std::ptrdiff_t i = 0; i < sn; ++i) pc[i] = pa[i];
    auto t1 = std::chrono::steady_clock::now();
#pragma omp parallel for num_threads(threads) schedule(static)
    for (std::ptrdiff_t i = 0; i < sn; ++i) pa[i] = pb[i] + 3.0 * pc[i];
    auto t2 = std::chrono::steady_clock::now();
    const double copy_s = std::chrono::duration<double>(t1 - t0).count();
    const double triad_s = std::chrono::duration<double>(t2 - t1).count();
    best.copy_gbs = std::max(best.copy_gbs, 2.0 * n * sizeof(double) / copy_s / 1e9);
    best.triad_gbs = std::max(best.triad_gbs, 3.0 * n * sizeof(double) / triad_s / 1e9);
  }
  if (pa[n / 2] != expected_a || pc[n - 1] != (expected_a - 2.0) / 3.0)
    std::cerr << "worthit calibrate: warning: triad check failed\n";
  return best;
}

// Peak FLOP/s from the fastest correct matmul candidate this build has
// (libtorch's when built with it), at a size where GEMM is compute-bound.
std::pair<double, std::string> measure_peak_gflops(int n, int threads) {
  Registry registry;
  kernels::register_builtin(registry);
  registry.set_threads(threads);
  const Workload* w = registry.find_workload("matmul");
  if (!w) return {0, "no matmul workload"};
  const Size size = w->make_size({{"m", n}, {"n", n}, {"k", n}});
  const Buffers inputs = w->make_inputs(size, 1);
  double best = 0;
  std::string source;
  for (const Candidate* c : registry.candidates("matmul")) {
    if (c->device != "cpu" || (c->unavailable && c->unavailable()) || (c->skip && c->skip(size)))
      continue;
    if (c->backend != "libtorch" && c->backend != "cpp-simd") continue;
    Buffers outputs = w->make_outputs(size);
    PreparedRun run = c->prepare(inputs, outputs, RunContext{threads});
    run.run();  // warm-up (and JIT/packing caches)
    double best_ns = 1e300;
    for (int i = 0; i < 3; ++i)
      best_ns = std::min(best_ns, measure_once(c->name(), run.run, 0.3).ns_per_call);
    const double gflops = w->flops(size) / best_ns;
    std::fprintf(stderr, "  %-18s %8.1f GFLOP/s at m=n=k=%d\n", c->name().c_str(), gflops, n);
    if (gflops > best) best = gflops, source = c->name() + " m=n=k=" + std::to_string(n);
  }
  return {best, source};
}

int run_calibrate(const CalibrateArgs& args) {
  const int threads = args.threads > 0 ? args.threads : physical_core_count();
  omp_set_num_threads(threads);
  const auto path =
      args.output.empty() ? default_calibration_path() : std::filesystem::path(args.output);
  // A named output is checked before the measurements (the default's folder
  // is created when the file is saved).
  if (!args.output.empty()) check_output_path(path);
  std::fprintf(stderr, "worthit calibrate: memory bandwidth, 3 arrays of %d MB, %d threads...\n",
               args.array_mb, threads);
  const Bandwidth bw = measure_bandwidth(static_cast<size_t>(args.array_mb) << 20, threads);
  std::fprintf(stderr, "  copy  %7.1f GB/s\n  triad %7.1f GB/s\n", bw.copy_gbs, bw.triad_gbs);
  std::fprintf(stderr, "worthit calibrate: peak FLOP/s with a %dx%d fp32 GEMM...\n", args.gemm_n,
               args.gemm_n);
  auto [gflops, source] = measure_peak_gflops(args.gemm_n, threads);
  Calibration c;
  c.memory_bandwidth_gbs = bw.triad_gbs;
  c.copy_bandwidth_gbs = bw.copy_gbs;
  c.peak_gflops = gflops;
  c.peak_source = source;
  c.threads = threads;
  c.created = utc_timestamp();
  save_calibration(path, c);
  std::printf(
      "memory bandwidth (triad): %.1f GB/s\ncopy bandwidth:           %.1f GB/s\n"
      "peak fp32:                %.1f GFLOP/s (%s)\nsaved to %s\n",
      c.memory_bandwidth_gbs, c.copy_bandwidth_gbs, c.peak_gflops, source.c_str(), path.c_str());
  return calibrate_gpu(path, args.gpu) ? kExitOk : kExitFailure;
}

}  // namespace

Verb add_calibrate_verb(CLI::App& app) {
  auto args = std::make_shared<CalibrateArgs>();
  auto* cmd = app.add_subcommand(
      "calibrate", "Measure this machine's memory bandwidth and peak FLOP/s (roofline ceilings)");
  cmd->add_option(
      "-o,--output", args->output,
      "Where to store them (default $WORTHIT_CALIBRATION or ~/.cache/worthit/calibration.json)");
  cmd->add_option("-t,--threads", args->threads, "Threads (default: physical cores)")
      ->check(CLI::Range(1, 4096));
  cmd->add_option("--array-mb", args->array_mb, "Size of each bandwidth array in MB (default 256)")
      ->check(CLI::Range(16, 65536));
  cmd->add_option("--gemm-n", args->gemm_n, "GEMM size for peak FLOP/s (default 2048)")
      ->check(CLI::Range(64, 16384));
  add_gpu_calibrate_options(*cmd, args->gpu);
  return {"calibrate", [args] { return run_calibrate(*args); }};
}

}  // namespace worthit::cli
