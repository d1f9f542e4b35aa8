// Launch wrappers for the CUDA kernels: the only interface between the .cu
// files (device code, nvcc) and the host code (plain C++). Each wrapper
// enqueues its kernel(s) on `stream` and returns the launch status
// (cudaGetLastError); none synchronises.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace worthit::kernels::cuda {

// gelu_cuda.cu: y[i] = gelu_tanh(x[i]), i < n.
cudaError_t launch_gelu(const float* x, float* y, int64_t n, cudaStream_t stream);

// layernorm_cuda.cu: y = LayerNorm(x + bias + residual) per row, one fused
// pass (x and residual read once when a row fits in registers).
cudaError_t launch_bias_residual_layernorm(const float* x, const float* bias, const float* residual,
                                           const float* gamma, const float* beta, float* y,
                                           int64_t rows, int64_t cols, float eps,
                                           cudaStream_t stream);

// matmul_cuda.cu: C = A B, row-major, A [m, k], B [k, n], C [m, n]; a tiled
// shared-memory kernel.
cudaError_t launch_matmul(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k,
                          cudaStream_t stream);

// recurrence_cuda.cu: h_t = a_t * h_(t-1) + x_t over `steps` steps of `lanes`
// independent lanes, [steps, lanes] row-major, as a chunked parallel scan.
// The scan needs scratch space: recurrence_scratch_floats() floats.
int64_t recurrence_chunks(int64_t steps, int64_t lanes, int sm_count);
int64_t recurrence_scratch_floats(int64_t steps, int64_t lanes, int sm_count);
cudaError_t launch_linear_recurrence(const float* a, const float* x, float* h, int64_t steps,
                                     int64_t lanes, float* scratch, int sm_count,
                                     cudaStream_t stream);

// timing_kernels.cu: reads and writes `bytes` of `scratch` so that the L2
// holds none of a candidate's data afterwards.
cudaError_t launch_l2_flush(void* scratch, size_t bytes, cudaStream_t stream);
// Keeps the stream busy for about `nanoseconds`, so that the host can queue a
// start event and the measured launches behind it without the GPU idling in
// between (launch latency stays out of the measurement).
cudaError_t launch_busy_wait(uint64_t nanoseconds, cudaStream_t stream);

}  // namespace worthit::kernels::cuda
