// Device helpers of the GPU timing (device_timing.cpp): an L2 flush and a
// busy wait that keeps the stream occupied while the host queues work.
#include <algorithm>

#include "cuda_launch.h"

namespace worthit::kernels::cuda {
namespace {

// Read-modify-write, so every line is fetched into L2 and dirtied there,
// evicting whatever the previous call left.
__global__ void touch(uint4* __restrict__ p, int64_t n) {
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    uint4 v = p[i];
    v.x += 1;
    p[i] = v;
  }
}

__device__ __forceinline__ uint64_t global_timer_ns() {
  uint64_t t;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
  return t;
}

__global__ void busy_wait(uint64_t nanoseconds) {
  const uint64_t start = global_timer_ns();
  while (global_timer_ns() - start < nanoseconds) {
  }
}

}  // namespace

cudaError_t launch_l2_flush(void* scratch, size_t bytes, cudaStream_t stream) {
  const auto n = static_cast<int64_t>(bytes / sizeof(uint4));
  if (n == 0) return cudaSuccess;
  const auto blocks = static_cast<unsigned>(std::min<int64_t>((n + 255) / 256, 4096));
  touch<<<blocks, 256, 0, stream>>>(static_cast<uint4*>(scratch), n);
  return cudaGetLastError();
}

cudaError_t launch_busy_wait(uint64_t nanoseconds, cudaStream_t stream) {
  busy_wait<<<1, 1, 0, stream>>>(nanoseconds);
  return cudaGetLastError();
}

}  // namespace worthit::kernels::cuda
