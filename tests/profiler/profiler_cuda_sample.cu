// A small CUDA program for the GPU check: copies, a memset, two kernels on
// two streams, a synchronize. Profiled unmodified through CUDA injection.
#include <cstdio>

__global__ void scale(float* x, int n, float a) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) x[i] *= a;
}

__global__ void add_one(float* x, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) x[i] += 1.0f;
}

int main() {
  const int n = 1 << 20;
  float* host = new float[n];
  for (int i = 0; i < n; ++i) host[i] = 1.0f;
  float *a = nullptr, *b = nullptr;
  if (cudaMalloc(&a, n * sizeof(float)) != cudaSuccess ||
      cudaMalloc(&b, n * sizeof(float)) != cudaSuccess) {
    std::fprintf(stderr, "no usable GPU\n");
    return 3;
  }
  cudaStream_t s1, s2;
  cudaStreamCreate(&s1);
  cudaStreamCreate(&s2);
  cudaMemcpy(a, host, n * sizeof(float), cudaMemcpyHostToDevice);
  cudaMemset(b, 0, n * sizeof(float));
  for (int k = 0; k < 10; ++k) {
    scale<<<(n + 255) / 256, 256, 0, s1>>>(a, n, 1.001f);
    add_one<<<(n + 255) / 256, 256, 0, s2>>>(b, n);
  }
  cudaDeviceSynchronize();
  cudaMemcpy(host, a, n * sizeof(float), cudaMemcpyDeviceToHost);
  std::printf("%f\n", host[0]);
  cudaFree(a);
  cudaFree(b);
  delete[] host;
  return 0;
}
