#include "device_runtime.h"

#include <cstdio>
#include <mutex>
#include <stdexcept>
#include <utility>

namespace worthit::kernels::cuda {

void check(cudaError_t status, const std::string& what) {
  if (status == cudaSuccess) return;
  throw std::runtime_error(what + ": " + cudaGetErrorName(status) + ": " +
                           cudaGetErrorString(status));
}

std::optional<std::string> device_unavailable() {
  static std::once_flag once;
  static std::optional<std::string> reason;
  std::call_once(once, [] {
    int count = 0;
    const cudaError_t status = cudaGetDeviceCount(&count);
    if (status != cudaSuccess) {
      reason = std::string("no CUDA device: cudaGetDeviceCount returned ") +
               cudaGetErrorName(status) + " (" + cudaGetErrorString(status) + ")";
      cudaGetLastError();  // clear it, so later calls do not report it again
    } else if (count == 0) {
      reason = "no CUDA device: cudaGetDeviceCount found 0 devices";
    }
  });
  return reason;
}

DeviceInfo device_info() {
  if (auto why = device_unavailable()) throw std::runtime_error(*why);
  DeviceInfo info;
  check(cudaGetDevice(&info.ordinal), "cudaGetDevice");
  cudaDeviceProp prop{};
  check(cudaGetDeviceProperties(&prop, info.ordinal), "cudaGetDeviceProperties");
  info.name = prop.name;
  info.sm_count = prop.multiProcessorCount;
  info.compute_major = prop.major;
  info.compute_minor = prop.minor;
  info.l2_bytes = static_cast<size_t>(prop.l2CacheSize);
  check(cudaMemGetInfo(&info.free_bytes, &info.total_bytes), "cudaMemGetInfo");
  int driver = 0;
  if (cudaDriverGetVersion(&driver) == cudaSuccess)
    info.driver = std::to_string(driver / 1000) + "." + std::to_string(driver % 1000 / 10);
  return info;
}

std::string format_bytes(double bytes) {
  char buf[32];
  if (bytes >= double(1 << 30))
    std::snprintf(buf, sizeof buf, "%.2f GiB", bytes / double(1 << 30));
  else
    std::snprintf(buf, sizeof buf, "%.1f MiB", bytes / double(1 << 20));
  return buf;
}

DeviceMemory::DeviceMemory(size_t bytes, const std::string& what) : bytes_(bytes) {
  if (bytes == 0) return;
  check(cudaMalloc(&ptr_, bytes), "cudaMalloc of " + format_bytes(double(bytes)) + " for " + what);
}

DeviceMemory::~DeviceMemory() {
  if (ptr_) cudaFree(ptr_);
}

DeviceMemory::DeviceMemory(DeviceMemory&& other) noexcept
    : ptr_(std::exchange(other.ptr_, nullptr)), bytes_(std::exchange(other.bytes_, 0)) {}

DeviceMemory& DeviceMemory::operator=(DeviceMemory&& other) noexcept {
  if (this != &other) {
    if (ptr_) cudaFree(ptr_);
    ptr_ = std::exchange(other.ptr_, nullptr);
    bytes_ = std::exchange(other.bytes_, 0);
  }
  return *this;
}

Stream::Stream() {
  check(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking), "cudaStreamCreate");
}

Stream::~Stream() {
  if (stream_) cudaStreamDestroy(stream_);
}

void Stream::synchronize(const std::string& what) const {
  check(cudaStreamSynchronize(stream_), what);
  check(cudaGetLastError(), what);
}

Event::Event() { check(cudaEventCreate(&event_), "cudaEventCreate"); }

Event::~Event() {
  if (event_) cudaEventDestroy(event_);
}

void Event::record(cudaStream_t stream) {
  check(cudaEventRecord(event_, stream), "cudaEventRecord");
}

double Event::seconds_since(const Event& start) const {
  float ms = 0;
  check(cudaEventElapsedTime(&ms, start.event_, event_), "cudaEventElapsedTime");
  return ms * 1e-3;
}

}  // namespace worthit::kernels::cuda
