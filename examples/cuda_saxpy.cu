// A small CUDA program for `worthit profile` (scripts/gpu-check, docs/gpu.md):
// NVTX ranges around host-to-device copies, a few saxpy launches on two
// streams and a copy back, so a trace shows NVTX ranges, runtime calls,
// kernels and copies linked by correlation ids. Unmodified by the profiler:
// it only includes the header-only NVTX3 API.
//
//   nvcc -O2 -arch=sm_90 examples/cuda_saxpy.cu -o cuda_saxpy && ./cuda_saxpy
#include <cuda_runtime.h>
#include <nvtx3/nvToolsExt.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

#define CHECK(call)                                                      \
  do {                                                                   \
    const cudaError_t status_ = (call);                                  \
    if (status_ != cudaSuccess) {                                        \
      std::fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #call, \
                   cudaGetErrorString(status_));                         \
      std::exit(3);                                                      \
    }                                                                    \
  } while (0)

__global__ void saxpy(int n, float a, const float* x, float* y) {
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x)
    y[i] = a * x[i] + y[i];
}

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 1 << 24;
  const int rounds = 20;
  std::vector<float> x(n, 1.0f), y(n, 2.0f);
  float *dx = nullptr, *dy = nullptr;
  cudaStream_t streams[2];

  nvtxRangePushA("setup");
  CHECK(cudaMalloc(&dx, n * sizeof(float)));
  CHECK(cudaMalloc(&dy, n * sizeof(float)));
  for (auto& s : streams) CHECK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
  CHECK(cudaMemcpy(dx, x.data(), n * sizeof(float), cudaMemcpyHostToDevice));
  CHECK(cudaMemcpy(dy, y.data(), n * sizeof(float), cudaMemcpyHostToDevice));
  nvtxRangePop();

  nvtxRangePushA("saxpy rounds");
  const int half = n / 2;
  for (int r = 0; r < rounds; ++r) {
    // The two halves on two streams: kernels that may overlap on the timeline.
    saxpy<<<264, 256, 0, streams[0]>>>(half, 0.5f, dx, dy);
    saxpy<<<264, 256, 0, streams[1]>>>(n - half, 0.5f, dx + half, dy + half);
  }
  CHECK(cudaGetLastError());
  CHECK(cudaDeviceSynchronize());
  nvtxRangePop();

  nvtxRangePushA("copy back");
  CHECK(cudaMemcpy(y.data(), dy, n * sizeof(float), cudaMemcpyDeviceToHost));
  nvtxRangePop();

  const float want = 2.0f + rounds * 0.5f;
  int wrong = 0;
  for (int i = 0; i < n; ++i) wrong += std::fabs(y[i] - want) > 1e-5f;
  std::printf("saxpy: n=%d, %d rounds, %s\n", n, rounds, wrong ? "WRONG" : "ok");
  for (auto& s : streams) CHECK(cudaStreamDestroy(s));
  CHECK(cudaFree(dx));
  CHECK(cudaFree(dy));
  return wrong ? 1 : 0;
}
