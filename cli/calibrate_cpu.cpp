// The CPU part of `worthit calibrate`, also run by `worthit bench` once when
// no calibration exists. docs/measurement.md ("Roofline").
#include "calibrate_cpu.h"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <thread>

#include "worthit/harness/gate.h"
#include "worthit/harness/host_probe.h"
#include "worthit/harness/runner.h"
#include "worthit/kernels/builtin.h"
#include "worthit/results/file_io.h"
#include "worthit/results/machine.h"

namespace worthit::cli {
namespace {

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
    // The warm-up call (JIT and packing caches) is timed too: a candidate that
    // takes over a second per call (a slow build, a busy machine) is not
    // repeated, so calibration stays within seconds.
    const auto t0 = std::chrono::steady_clock::now();
    run.run();
    double best_ns =
        std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
    if (best_ns < 1e9)
      for (int i = 0; i < 3; ++i)
        best_ns = std::min(best_ns, measure_once(c->name(), run.run, 0.3).ns_per_call);
    const double gflops = w->flops(size) / best_ns;
    std::fprintf(stderr, "  %-18s %8.1f GFLOP/s at m=n=k=%d\n", c->name().c_str(), gflops, n);
    if (gflops > best) best = gflops, source = c->name() + " m=n=k=" + std::to_string(n);
  }
  return {best, source};
}

// The host probe's fastest of `readings`: part of the reference bench holds a
// run's probes against, to tell a run that stayed in a slow state throughout
// (host_steadiness.h). The VM's states last for seconds, so calibrate takes
// readings before and after the other measurements, and keeps the fastest.
double fastest_host_probe_ns(int readings) {
  double best = probe_host_ns();
  for (int i = 1; i < readings; ++i) best = std::min(best, probe_host_ns());
  return best;
}

}  // namespace

Calibration measure_cpu_calibration(const CpuCalibrateOptions& o) {
  const int threads = o.threads > 0 ? o.threads : physical_core_count();
  omp_set_num_threads(threads);
  std::fprintf(stderr, "worthit calibrate: memory bandwidth, 3 arrays of %d MB, %d threads...\n",
               o.array_mb, threads);
  const double probe_before_ns = fastest_host_probe_ns(200);
  const Bandwidth bw = measure_bandwidth(static_cast<size_t>(o.array_mb) << 20, threads);
  std::fprintf(stderr, "  copy  %7.1f GB/s\n  triad %7.1f GB/s\n", bw.copy_gbs, bw.triad_gbs);
  std::fprintf(stderr, "worthit calibrate: peak FLOP/s with a %dx%d fp32 GEMM...\n", o.gemm_n,
               o.gemm_n);
  auto [gflops, source] = measure_peak_gflops(o.gemm_n, threads);
  const double probe_ns = std::min(probe_before_ns, fastest_host_probe_ns(200));
  std::fprintf(stderr, "worthit calibrate: host probe %.2f ms at its fastest\n", probe_ns / 1e6);
  Calibration c;
  c.host_probe_ns = probe_ns;
  c.memory_bandwidth_gbs = bw.triad_gbs;
  c.copy_bandwidth_gbs = bw.copy_gbs;
  c.peak_gflops = gflops;
  c.peak_source = source;
  c.threads = threads;
  c.created = utc_timestamp();
  return c;
}

// Ceilings measured while other work runs are too low, and every later table
// would compare against them: say so, with the load that was seen.
static void warn_if_busy() {
  std::FILE* f = std::fopen("/proc/loadavg", "r");
  if (!f) return;
  double load = 0;
  const bool read = std::fscanf(f, "%lf", &load) == 1;
  std::fclose(f);
  const int cpus = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  if (read && load >= cpus)
    std::fprintf(stderr,
                 "worthit calibrate: warning: the machine is busy (load average %.1f on %d "
                 "CPUs): the ceilings will be too low; run `worthit calibrate` again when it "
                 "is quiet\n",
                 load, cpus);
}

bool calibrate_machine(const std::filesystem::path& path, const CpuCalibrateOptions& cpu,
                       const GpuCalibrateOptions& gpu, std::FILE* summary) {
  warn_if_busy();
  const Calibration c = measure_cpu_calibration(cpu);
  save_calibration(path, c);
  std::fprintf(summary,
               "memory bandwidth (triad): %.1f GB/s\ncopy bandwidth:           %.1f GB/s\n"
               "peak fp32:                %.1f GFLOP/s (%s)\nsaved to %s\n",
               c.memory_bandwidth_gbs, c.copy_bandwidth_gbs, c.peak_gflops, c.peak_source.c_str(),
               path.c_str());
  return calibrate_gpu(path, gpu, summary);
}

}  // namespace worthit::cli
