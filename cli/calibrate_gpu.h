// The GPU part of `worthit calibrate`: device-to-device copy bandwidth and a
// large fp32 matmul's FLOP/s (cuBLAS through libtorch CUDA, else our tiled
// kernel), saved as a Calibration with device "cuda" next to the CPU one
// (calibration-cuda.json beside calibration.json). docs/gpu.md.
#pragma once

#include <cstdio>
#include <filesystem>
#include <string>

#include <CLI/CLI.hpp>

#include "worthit/results/machine.h"

namespace worthit::cli {

struct GpuCalibrateOptions {
  std::string mode = "auto";  // auto: when a GPU is usable; on: required; off
  int copy_mb = 2048;         // per copy buffer
  int gemm_n = 8192;          // m = n = k of the matmul
};

void add_gpu_calibrate_options(CLI::App& cmd, GpuCalibrateOptions& options);

// Where the GPU ceilings go: worthit::gpu_calibration_path (results/machine.h).
using worthit::gpu_calibration_path;

// Measures and saves the GPU ceilings, saying what it does on stderr and
// writing the figures to `summary`. Returns false when mode is "on" and no GPU
// could be used (the reason printed); a skipped GPU under "auto" is not a
// failure.
bool calibrate_gpu(const std::filesystem::path& cpu_path, const GpuCalibrateOptions& options,
                   std::FILE* summary = stdout);

}  // namespace worthit::cli
