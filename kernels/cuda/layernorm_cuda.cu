// bias_residual_layernorm on the GPU in one fused pass: one block per row,
// the row's x + bias + residual kept in registers between the two
// reductions (mean, then the variance about it), so x and residual are read
// once and y written once. Rows too long for registers take a streaming
// kernel that re-reads them (from L2, mostly).
#include "cuda_launch.h"

namespace worthit::kernels::cuda {
namespace {

constexpr int kMaxThreads = 512;
constexpr int kStreamingThreads = 1024;

__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
  for (int offset = 16; offset > 0; offset >>= 1) v += __shfl_xor_sync(0xffffffffu, v, offset);
  return v;
}

// Every thread gets the block's sum. Each warp reduces the per-warp partials
// itself, so no barrier is needed after the read; the leading barrier keeps a
// previous call's reads of `partials` ahead of this call's writes.
__device__ float block_sum(float v, float* partials) {
  v = warp_sum(v);
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  const int warps = (blockDim.x + 31) >> 5;
  __syncthreads();
  if (lane == 0) partials[warp] = v;
  __syncthreads();
  return warp_sum(lane < warps ? partials[lane] : 0.0f);
}

template <int V>
__device__ __forceinline__ void load(const float* __restrict__ p, float (&v)[V]) {
  if constexpr (V == 4) {
    const float4 t = *reinterpret_cast<const float4*>(p);
    v[0] = t.x, v[1] = t.y, v[2] = t.z, v[3] = t.w;
  } else {
    v[0] = *p;
  }
}

template <int V>
__device__ __forceinline__ void store(float* __restrict__ p, const float (&v)[V]) {
  if constexpr (V == 4)
    *reinterpret_cast<float4*>(p) = make_float4(v[0], v[1], v[2], v[3]);
  else
    *p = v[0];
}

// A thread holds K groups of V consecutive columns: group k starts at column
// V * (threadIdx.x + k * blockDim.x), so a warp's accesses are contiguous.
template <int V, int K>
__global__ void __launch_bounds__(kMaxThreads)
    layernorm_in_registers(const float* __restrict__ x, const float* __restrict__ bias,
                           const float* __restrict__ residual, const float* __restrict__ gamma,
                           const float* __restrict__ beta, float* __restrict__ y, int64_t cols,
                           float eps) {
  __shared__ float partials[32];
  const int64_t offset = static_cast<int64_t>(blockIdx.x) * cols;
  const int groups = static_cast<int>(cols / V);
  float s[K][V];
  float sum = 0;
#pragma unroll
  for (int k = 0; k < K; ++k) {
    const int g = threadIdx.x + k * blockDim.x;
    if (g < groups) {
      float xv[V], rv[V], bv[V];
      load<V>(x + offset + g * V, xv);
      load<V>(residual + offset + g * V, rv);
      load<V>(bias + g * V, bv);
#pragma unroll
      for (int j = 0; j < V; ++j) {
        s[k][j] = xv[j] + bv[j] + rv[j];
        sum += s[k][j];
      }
    }
  }
  const float mean = block_sum(sum, partials) / static_cast<float>(cols);
  float sq = 0;
#pragma unroll
  for (int k = 0; k < K; ++k) {
    if (threadIdx.x + k * blockDim.x < groups) {
#pragma unroll
      for (int j = 0; j < V; ++j) {
        const float d = s[k][j] - mean;
        sq += d * d;
      }
    }
  }
  const float rstd = rsqrtf(block_sum(sq, partials) / static_cast<float>(cols) + eps);
#pragma unroll
  for (int k = 0; k < K; ++k) {
    const int g = threadIdx.x + k * blockDim.x;
    if (g < groups) {
      float gv[V], bv[V], out[V];
      load<V>(gamma + g * V, gv);
      load<V>(beta + g * V, bv);
#pragma unroll
      for (int j = 0; j < V; ++j) out[j] = (s[k][j] - mean) * rstd * gv[j] + bv[j];
      store<V>(y + offset + g * V, out);
    }
  }
}

// Rows longer than the register path holds: three sweeps over the row.
__global__ void __launch_bounds__(kStreamingThreads)
    layernorm_streaming(const float* __restrict__ x, const float* __restrict__ bias,
                        const float* __restrict__ residual, const float* __restrict__ gamma,
                        const float* __restrict__ beta, float* __restrict__ y, int64_t cols,
                        float eps) {
  __shared__ float partials[32];
  const int64_t offset = static_cast<int64_t>(blockIdx.x) * cols;
  float sum = 0;
  for (int64_t c = threadIdx.x; c < cols; c += blockDim.x)
    sum += x[offset + c] + bias[c] + residual[offset + c];
  const float mean = block_sum(sum, partials) / static_cast<float>(cols);
  float sq = 0;
  for (int64_t c = threadIdx.x; c < cols; c += blockDim.x) {
    const float d = x[offset + c] + bias[c] + residual[offset + c] - mean;
    sq += d * d;
  }
  const float rstd = rsqrtf(block_sum(sq, partials) / static_cast<float>(cols) + eps);
  for (int64_t c = threadIdx.x; c < cols; c += blockDim.x)
    y[offset + c] =
        (x[offset + c] + bias[c] + residual[offset + c] - mean) * rstd * gamma[c] + beta[c];
}

template <int V>
cudaError_t launch_in_registers(int k, int threads, unsigned rows, const float* x,
                                const float* bias, const float* residual, const float* gamma,
                                const float* beta, float* y, int64_t cols, float eps,
                                cudaStream_t stream) {
  switch (k) {
    case 1:
      layernorm_in_registers<V, 1>
          <<<rows, threads, 0, stream>>>(x, bias, residual, gamma, beta, y, cols, eps);
      break;
    case 2:
      layernorm_in_registers<V, 2>
          <<<rows, threads, 0, stream>>>(x, bias, residual, gamma, beta, y, cols, eps);
      break;
    case 4:
      layernorm_in_registers<V, 4>
          <<<rows, threads, 0, stream>>>(x, bias, residual, gamma, beta, y, cols, eps);
      break;
    case 8:
      layernorm_in_registers<V, 8>
          <<<rows, threads, 0, stream>>>(x, bias, residual, gamma, beta, y, cols, eps);
      break;
    default:
      layernorm_in_registers<V, 16>
          <<<rows, threads, 0, stream>>>(x, bias, residual, gamma, beta, y, cols, eps);
      break;
  }
  return cudaGetLastError();
}

}  // namespace

cudaError_t launch_bias_residual_layernorm(const float* x, const float* bias, const float* residual,
                                           const float* gamma, const float* beta, float* y,
                                           int64_t rows, int64_t cols, float eps,
                                           cudaStream_t stream) {
  if (rows <= 0 || cols <= 0) return cudaSuccess;
  if (rows > 0x7fffffff) return cudaErrorInvalidConfiguration;
  const auto grid = static_cast<unsigned>(rows);
  uintptr_t addresses = 0;
  for (const float* p : {x, bias, residual, gamma, beta, static_cast<const float*>(y)})
    addresses |= reinterpret_cast<uintptr_t>(p);
  const int v = (cols % 4 == 0 && addresses % 16 == 0) ? 4 : 1;
  const int64_t groups = cols / v;
  // The fewest groups per thread that keep the block at <= kMaxThreads.
  for (int k = 1; k <= 16; k *= 2) {
    const int64_t threads = ((groups + k - 1) / k + 31) / 32 * 32;
    if (threads > kMaxThreads) continue;
    const int t = static_cast<int>(threads);
    return v == 4 ? launch_in_registers<4>(k, t, grid, x, bias, residual, gamma, beta, y, cols, eps,
                                           stream)
                  : launch_in_registers<1>(k, t, grid, x, bias, residual, gamma, beta, y, cols, eps,
                                           stream);
  }
  layernorm_streaming<<<grid, kStreamingThreads, 0, stream>>>(x, bias, residual, gamma, beta, y,
                                                              cols, eps);
  return cudaGetLastError();
}

}  // namespace worthit::kernels::cuda
