// linear_recurrence on the GPU as a parallel scan over T. One step is the
// affine map h -> a h + x; composing two steps gives another affine map,
// (a1, x1) then (a2, x2) = (a1 a2, a2 x1 + x2), an associative operation, so
// T can be split into chunks scanned independently:
//   1. per (chunk, lane): the chunk's composed map (A, B);
//   2. per lane: the carry into each chunk, a short scan over the chunks;
//   3. per (chunk, lane): the chunk again from its carry, writing every h_t.
// Lanes (batch x channels) are contiguous at each step, so consecutive
// threads take consecutive lanes and every access is coalesced. When there
// are enough lanes to fill the GPU, a single chunk remains and phase 3 alone
// runs: one read of a and x, one write of h.
#include <algorithm>

#include "cuda_launch.h"

namespace worthit::kernels::cuda {
namespace {

constexpr int kThreads = 256;
constexpr int kMaxChunks = 4096;
constexpr int kCarryBatch = 8;  // chunk maps loaded ahead in phase 2

struct Plan {
  int64_t chunks;
  int64_t chunk_len;
};

Plan plan_for(int64_t steps, int64_t lanes, int sm_count) {
  // Enough (chunk, lane) threads to fill every multiprocessor twice over.
  const int64_t target = std::max<int64_t>(1, sm_count) * 2048;
  int64_t chunks =
      std::clamp<int64_t>((target + lanes - 1) / lanes, 1, std::min<int64_t>(steps, kMaxChunks));
  const int64_t len = (steps + chunks - 1) / chunks;
  return {(steps + len - 1) / len, len};
}

__global__ void __launch_bounds__(kThreads)
    chunk_maps(const float* __restrict__ a, const float* __restrict__ x, float* __restrict__ map_a,
               float* __restrict__ map_b, int64_t steps, int64_t lanes, int64_t chunks,
               int64_t len) {
  const int64_t idx = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (idx >= chunks * lanes) return;
  const int64_t lane = idx % lanes, chunk = idx / lanes;
  const int64_t t1 = min(steps, (chunk + 1) * len);
  float ca = 1.0f, cb = 0.0f;
#pragma unroll 8
  for (int64_t t = chunk * len; t < t1; ++t) {
    const float at = a[t * lanes + lane];
    cb = fmaf(at, cb, x[t * lanes + lane]);
    ca *= at;
  }
  map_a[idx] = ca;
  map_b[idx] = cb;
}

// carry[j] = h at the end of chunk j - 1 (0 for the first chunk).
__global__ void __launch_bounds__(kThreads)
    chunk_carries(const float* __restrict__ map_a, const float* __restrict__ map_b,
                  float* __restrict__ carry, int64_t lanes, int64_t chunks) {
  const int64_t lane = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (lane >= lanes) return;
  float h = 0.0f;
  for (int64_t j0 = 0; j0 < chunks; j0 += kCarryBatch) {
    float ma[kCarryBatch], mb[kCarryBatch];
#pragma unroll
    for (int i = 0; i < kCarryBatch; ++i) {
      const int64_t j = j0 + i;
      ma[i] = j < chunks ? map_a[j * lanes + lane] : 1.0f;
      mb[i] = j < chunks ? map_b[j * lanes + lane] : 0.0f;
    }
#pragma unroll
    for (int i = 0; i < kCarryBatch; ++i) {
      const int64_t j = j0 + i;
      if (j < chunks) carry[j * lanes + lane] = h;
      h = fmaf(ma[i], h, mb[i]);
    }
  }
}

__global__ void __launch_bounds__(kThreads)
    chunk_scan(const float* __restrict__ a, const float* __restrict__ x,
               const float* __restrict__ carry, float* __restrict__ h, int64_t steps, int64_t lanes,
               int64_t chunks, int64_t len) {
  const int64_t idx = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (idx >= chunks * lanes) return;
  const int64_t lane = idx % lanes, chunk = idx / lanes;
  const int64_t t1 = min(steps, (chunk + 1) * len);
  float s = carry ? carry[idx] : 0.0f;
#pragma unroll 8
  for (int64_t t = chunk * len; t < t1; ++t) {
    const int64_t i = t * lanes + lane;
    s = fmaf(a[i], s, x[i]);
    h[i] = s;
  }
}

unsigned blocks_for(int64_t threads) {
  return static_cast<unsigned>((threads + kThreads - 1) / kThreads);
}

}  // namespace

int64_t recurrence_chunks(int64_t steps, int64_t lanes, int sm_count) {
  return plan_for(steps, lanes, sm_count).chunks;
}

int64_t recurrence_scratch_floats(int64_t steps, int64_t lanes, int sm_count) {
  const Plan p = plan_for(steps, lanes, sm_count);
  return p.chunks > 1 ? 3 * p.chunks * lanes : 0;
}

cudaError_t launch_linear_recurrence(const float* a, const float* x, float* h, int64_t steps,
                                     int64_t lanes, float* scratch, int sm_count,
                                     cudaStream_t stream) {
  if (steps <= 0 || lanes <= 0) return cudaSuccess;
  const Plan p = plan_for(steps, lanes, sm_count);
  if (blocks_for(p.chunks * lanes) == 0 ||
      (p.chunks * lanes + kThreads - 1) / kThreads > 0x7fffffff)
    return cudaErrorInvalidConfiguration;
  if (p.chunks == 1) {
    chunk_scan<<<blocks_for(lanes), kThreads, 0, stream>>>(a, x, nullptr, h, steps, lanes, 1,
                                                           steps);
    return cudaGetLastError();
  }
  if (!scratch) return cudaErrorInvalidValue;
  float* map_a = scratch;
  float* map_b = scratch + p.chunks * lanes;
  float* carry = scratch + 2 * p.chunks * lanes;
  const unsigned grid = blocks_for(p.chunks * lanes);
  chunk_maps<<<grid, kThreads, 0, stream>>>(a, x, map_a, map_b, steps, lanes, p.chunks,
                                            p.chunk_len);
  if (cudaError_t e = cudaGetLastError(); e != cudaSuccess) return e;
  chunk_carries<<<blocks_for(lanes), kThreads, 0, stream>>>(map_a, map_b, carry, lanes, p.chunks);
  if (cudaError_t e = cudaGetLastError(); e != cudaSuccess) return e;
  chunk_scan<<<grid, kThreads, 0, stream>>>(a, x, carry, h, steps, lanes, p.chunks, p.chunk_len);
  return cudaGetLastError();
}

}  // namespace worthit::kernels::cuda
