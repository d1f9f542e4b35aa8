#include "calibrate_gpu.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "worthit/harness/runner.h"
#include "worthit/kernels/builtin.h"
#include "worthit/results/file_io.h"
#include "worthit/results/machine.h"
#ifdef WORTHIT_HAVE_CUDA
#include "cuda/cuda_kernels.h"
#endif

namespace worthit::cli {

void add_gpu_calibrate_options(CLI::App& cmd, GpuCalibrateOptions& o) {
  cmd.add_option("--gpu", o.mode, "GPU ceilings: auto (when a GPU is usable), on (required), off")
      ->check(CLI::IsMember({"auto", "on", "off"}));
  cmd.add_option("--gpu-copy-mb", o.copy_mb, "Size of each GPU copy buffer in MB (default 2048)")
      ->check(CLI::Range(16, 1 << 20));
  cmd.add_option("--gpu-gemm-n", o.gemm_n, "GPU matmul size for peak FLOP/s (default 8192)")
      ->check(CLI::Range(256, 32768));
}

namespace {

bool skipped(const GpuCalibrateOptions& o, const std::string& why) {
  std::fprintf(stderr, "worthit calibrate: GPU skipped: %s\n", why.c_str());
  return o.mode != "on";
}

#ifdef WORTHIT_HAVE_CUDA
// The fastest device matmul candidate at m = n = k = n, by device time.
std::pair<double, std::string> gpu_peak_gflops(int n) {
  Registry registry;
  kernels::register_builtin(registry);
  const Workload* w = registry.find_workload("matmul");
  if (!w) return {0, "no matmul workload"};
  const Size size = w->make_size({{"m", n}, {"n", n}, {"k", n}});
  const Buffers inputs = w->make_inputs(size, 1);
  double best = 0;
  std::string source;
  for (const Candidate* c : registry.candidates("matmul")) {
    if (c->device != "cuda" || (c->backend != "libtorch-cuda" && c->backend != "cuda")) continue;
    if (auto why = c->unavailable()) {
      std::fprintf(stderr, "  %-22s unavailable: %s\n", c->name().c_str(), why->c_str());
      continue;
    }
    try {
      Buffers outputs = w->make_outputs(size);
      PreparedRun run = c->prepare(inputs, outputs, RunContext{1});
      double best_ns = 1e300;
      for (int i = 0; i < 3; ++i)
        best_ns = std::min(
            best_ns, measure_device_once(c->name(), run.timed_run, run.calls_per_timed_run, 0.2)
                         .ns_per_call);
      const double gflops = w->flops(size) / best_ns;
      std::fprintf(stderr, "  %-22s %9.1f GFLOP/s at m=n=k=%d\n", c->name().c_str(), gflops, n);
      if (gflops > best) best = gflops, source = c->name() + " m=n=k=" + std::to_string(n);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "  %-22s failed: %s\n", c->name().c_str(), e.what());
    }
  }
  return {best, source};
}
#endif

}  // namespace

bool calibrate_gpu(const std::filesystem::path& cpu_path, const GpuCalibrateOptions& o,
                   std::FILE* summary) {
  if (o.mode == "off") return true;
#ifndef WORTHIT_HAVE_CUDA
  (void)cpu_path;
  (void)summary;
  return skipped(o, "built without CUDA");
#else
  if (auto why = kernels::cuda_device_unavailable()) return skipped(o, *why);
  try {
    std::fprintf(stderr, "worthit calibrate: GPU copy bandwidth, 2 buffers of %d MB...\n",
                 o.copy_mb);
    const auto bw = kernels::measure_gpu_copy_bandwidth(static_cast<size_t>(o.copy_mb) << 20, 10);
    std::fprintf(stderr, "  %s: device-to-device copy %.1f GB/s (read + write)\n",
                 bw.device.c_str(), bw.gbs);
    std::fprintf(stderr, "worthit calibrate: GPU peak FLOP/s with a %dx%d fp32 matmul...\n",
                 o.gemm_n, o.gemm_n);
    auto [gflops, source] = gpu_peak_gflops(o.gemm_n);
    Calibration c;
    c.device = "cuda";
    c.memory_bandwidth_gbs = bw.gbs;  // the copy is the GPU's bandwidth ceiling
    c.copy_bandwidth_gbs = bw.gbs;
    c.peak_gflops = gflops;
    c.peak_source = source.empty() ? bw.device : source + " on " + bw.device;
    c.threads = 0;
    c.created = utc_timestamp();
    const auto path = gpu_calibration_path(cpu_path);
    save_calibration(path, c);
    std::fprintf(summary,
                 "GPU (%s, driver %s):\n  copy bandwidth:           %.1f GB/s\n"
                 "  peak fp32:                %.1f GFLOP/s (%s)\nsaved to %s\n",
                 bw.device.c_str(), bw.driver.c_str(), c.copy_bandwidth_gbs, c.peak_gflops,
                 source.c_str(), path.c_str());
    return true;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "worthit calibrate: GPU failed: %s\n", e.what());
    return o.mode != "on";
  }
#endif
}

}  // namespace worthit::cli
