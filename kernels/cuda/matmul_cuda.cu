// matmul on the GPU: the textbook tiled kernel. Each block computes a 64x64
// tile of C from 64x16 tiles of A and 16x64 tiles of B staged in shared
// memory; each thread accumulates a 4x4 patch in registers. No tensor cores,
// no double buffering: the "should I write my own GEMM?" baseline that cuBLAS
// (through libtorch) is expected to beat by a wide margin.
#include "cuda_launch.h"

namespace worthit::kernels::cuda {
namespace {

constexpr int kTileM = 64, kTileN = 64, kTileK = 16;
constexpr int kThreadM = 4, kThreadN = 4;
constexpr int kThreads = (kTileM / kThreadM) * (kTileN / kThreadN);  // 256

__global__ void __launch_bounds__(kThreads, 2)
    matmul_tiled(const float* __restrict__ a, const float* __restrict__ b, float* __restrict__ c,
                 int64_t m, int64_t n, int64_t k) {
  // A's tile is stored transposed (k-major) so that the inner loop reads
  // four consecutive rows at once; +4 pads the rows against bank conflicts.
  __shared__ float as[kTileK][kTileM + 4];
  __shared__ float bs[kTileK][kTileN];
  const int tx = threadIdx.x % (kTileN / kThreadN);
  const int ty = threadIdx.x / (kTileN / kThreadN);
  const int64_t row0 = static_cast<int64_t>(blockIdx.y) * kTileM;
  const int64_t col0 = static_cast<int64_t>(blockIdx.x) * kTileN;
  float acc[kThreadM][kThreadN] = {};

  for (int64_t k0 = 0; k0 < k; k0 += kTileK) {
    // Each thread stages 4 elements of each tile; consecutive threads read
    // consecutive addresses of a row. Out-of-range elements are zero.
#pragma unroll
    for (int i = 0; i < kTileM * kTileK / kThreads; ++i) {
      const int e = threadIdx.x + i * kThreads;
      const int r = e / kTileK, cc = e % kTileK;
      const int64_t gr = row0 + r, gc = k0 + cc;
      as[cc][r] = (gr < m && gc < k) ? a[gr * k + gc] : 0.0f;
    }
#pragma unroll
    for (int i = 0; i < kTileK * kTileN / kThreads; ++i) {
      const int e = threadIdx.x + i * kThreads;
      const int r = e / kTileN, cc = e % kTileN;
      const int64_t gr = k0 + r, gc = col0 + cc;
      bs[r][cc] = (gr < k && gc < n) ? b[gr * n + gc] : 0.0f;
    }
    __syncthreads();
#pragma unroll
    for (int kk = 0; kk < kTileK; ++kk) {
      float av[kThreadM], bv[kThreadN];
#pragma unroll
      for (int i = 0; i < kThreadM; ++i) av[i] = as[kk][ty * kThreadM + i];
#pragma unroll
      for (int j = 0; j < kThreadN; ++j) bv[j] = bs[kk][tx * kThreadN + j];
#pragma unroll
      for (int i = 0; i < kThreadM; ++i)
#pragma unroll
        for (int j = 0; j < kThreadN; ++j) acc[i][j] = fmaf(av[i], bv[j], acc[i][j]);
    }
    __syncthreads();
  }
#pragma unroll
  for (int i = 0; i < kThreadM; ++i) {
    const int64_t gr = row0 + ty * kThreadM + i;
    if (gr >= m) continue;
#pragma unroll
    for (int j = 0; j < kThreadN; ++j) {
      const int64_t gc = col0 + tx * kThreadN + j;
      if (gc < n) c[gr * n + gc] = acc[i][j];
    }
  }
}

}  // namespace

cudaError_t launch_matmul(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k,
                          cudaStream_t stream) {
  if (m <= 0 || n <= 0) return cudaSuccess;
  const int64_t grid_x = (n + kTileN - 1) / kTileN, grid_y = (m + kTileM - 1) / kTileM;
  if (grid_y > 65535 || grid_x > 0x7fffffff) return cudaErrorInvalidConfiguration;
  const dim3 grid(static_cast<unsigned>(grid_x), static_cast<unsigned>(grid_y));
  matmul_tiled<<<grid, kThreads, 0, stream>>>(a, b, c, m, n, k);
  return cudaGetLastError();
}

}  // namespace worthit::kernels::cuda
