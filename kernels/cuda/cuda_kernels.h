// The GPU part of the built-in kernels: CUDA candidates of every workload,
// libtorch CUDA candidates, and the device measurements `worthit calibrate`
// needs. Plain C++: no CUDA header, so builtin.cpp and the CLI include it
// without the toolkit's headers. Exists only in builds with CUDA
// (WORTHIT_HAVE_CUDA).
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "worthit/harness/registry.h"

namespace worthit::kernels {

// Adds, for each built-in workload already in `registry`, the candidates
// "cuda" and "cuda-cold" (our kernels, hot and L2-flushed timing) and
// "libtorch-cuda" and "libtorch-cuda-cold" (ATen on the device). Without a
// usable GPU (or libtorch CUDA) they are listed as unavailable, with the
// reason. Nothing here needs a GPU driver until a candidate is used.
void register_cuda_kernels(Registry& registry);

// nullopt when a CUDA device can be used, else why not.
std::optional<std::string> cuda_device_unavailable();

struct GpuCopyBandwidth {
  double gbs = 0;      // bytes read + bytes written per second / 1e9, best pass
  size_t bytes = 0;    // per buffer
  std::string device;  // the device's name
  std::string driver;  // CUDA driver version
};
// Device-to-device cudaMemcpyAsync between two buffers of `bytes` (capped at
// a quarter of the free memory each), timed with CUDA events; the best of
// `passes`. Throws std::runtime_error naming the failed CUDA call.
GpuCopyBandwidth measure_gpu_copy_bandwidth(size_t bytes, int passes);

}  // namespace worthit::kernels
