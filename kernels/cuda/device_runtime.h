// Host-side CUDA runtime helpers of the CUDA candidates: checked calls,
// device discovery, and owning handles for device memory, streams and
// events. Plain C++ over the CUDA runtime API (no device code).
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <optional>
#include <string>

namespace worthit::kernels::cuda {

// Throws std::runtime_error("<what>: <cudaErrorName>: <CUDA's message>")
// unless `status` is cudaSuccess.
void check(cudaError_t status, const std::string& what);

// nullopt when a CUDA device can be used here; otherwise why not, e.g. "no
// CUDA device: cudaGetDeviceCount returned cudaErrorNoDevice (no
// CUDA-capable device is detected)". Asked once per process; safe to call
// on machines without a GPU driver (the runtime loads libcuda lazily).
std::optional<std::string> device_unavailable();

struct DeviceInfo {
  std::string name;
  int ordinal = 0;
  int sm_count = 0;
  int compute_major = 0, compute_minor = 0;
  size_t l2_bytes = 0;
  size_t free_bytes = 0, total_bytes = 0;
  std::string driver;  // "13.0" from cudaDriverGetVersion
};
// The current device; throws when there is none. Free memory is read anew
// on every call.
DeviceInfo device_info();

// "1.50 GiB", for messages.
std::string format_bytes(double bytes);

// cudaMalloc'd memory; freed on destruction.
class DeviceMemory {
 public:
  DeviceMemory() = default;
  // `what` names the allocation in the error message.
  DeviceMemory(size_t bytes, const std::string& what);
  ~DeviceMemory();
  DeviceMemory(DeviceMemory&& other) noexcept;
  DeviceMemory& operator=(DeviceMemory&& other) noexcept;
  DeviceMemory(const DeviceMemory&) = delete;
  DeviceMemory& operator=(const DeviceMemory&) = delete;

  void* get() const { return ptr_; }
  size_t bytes() const { return bytes_; }
  template <class T>
  T* as() const {
    return static_cast<T*>(ptr_);
  }

 private:
  void* ptr_ = nullptr;
  size_t bytes_ = 0;
};

// A non-blocking stream (it never waits for the legacy default stream).
class Stream {
 public:
  Stream();
  ~Stream();
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  cudaStream_t get() const { return stream_; }
  // Waits for the stream and throws on any error raised by its work.
  void synchronize(const std::string& what) const;

 private:
  cudaStream_t stream_ = nullptr;
};

class Event {
 public:
  Event();
  ~Event();
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;
  void record(cudaStream_t stream);
  // Seconds from `start` to this event; both must have completed.
  double seconds_since(const Event& start) const;

 private:
  cudaEvent_t event_ = nullptr;
};

}  // namespace worthit::kernels::cuda
