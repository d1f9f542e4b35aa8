// This machine's CPU ceilings (memory bandwidth, peak fp32 FLOP/s) for the
// roofline columns: measured by `worthit calibrate`, and by `worthit bench`
// once when no calibration exists yet.
#pragma once

#include <cstdio>
#include <filesystem>

#include "calibrate_gpu.h"
#include "worthit/results/record.h"

namespace worthit::cli {

struct CpuCalibrateOptions {
  int threads = 0;     // 0: physical cores
  int array_mb = 256;  // per bandwidth array, far larger than the last-level cache
  int gemm_n = 2048;   // m = n = k of the peak-FLOP/s GEMM
};

// Measures the CPU ceilings, saying what it does on stderr.
Calibration measure_cpu_calibration(const CpuCalibrateOptions& options);

// Measures and saves the CPU ceilings at `path` and the GPU's beside them
// (calibrate_gpu), writing the figures to `summary`. Returns false when the
// GPU part was required and failed.
bool calibrate_machine(const std::filesystem::path& path, const CpuCalibrateOptions& cpu,
                       const GpuCalibrateOptions& gpu, std::FILE* summary);

}  // namespace worthit::cli
