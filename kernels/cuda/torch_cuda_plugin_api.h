// The interface of libworthit_torch_cuda.so, the libtorch CUDA candidates.
// They live in a library of their own, loaded with dlopen when first used,
// because libtorch_cuda pulls in cuBLAS, cuDNN, NCCL and the rest of the
// wheel's CUDA libraries: the worthit binary must start, list and run CPU
// work on machines where those (or the GPU driver) are missing.
#pragma once

#include <string>

#include "cuda/device_timing.h"
#include "worthit/harness/candidate.h"

namespace worthit::kernels::cuda {

inline constexpr int kTorchCudaPluginAbi = 1;
inline constexpr const char* kTorchCudaPluginSymbol = "worthit_torch_cuda_plugin";
inline constexpr const char* kTorchCudaPluginFile = "libworthit_torch_cuda.so";

struct TorchCudaPluginApi {
  int abi = kTorchCudaPluginAbi;
  const char* torch_version = "";
  // Empty when libtorch can use a CUDA device here, else why not.
  std::string (*unavailable)() = nullptr;
  // The PreparedRun of `workload` on the device; throws std::runtime_error.
  PreparedRun (*prepare)(const std::string& workload, Timing timing, const Buffers& inputs,
                         Buffers& outputs) = nullptr;
};

using TorchCudaPluginEntry = const TorchCudaPluginApi* (*)();

}  // namespace worthit::kernels::cuda
