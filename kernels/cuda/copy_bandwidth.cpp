// The GPU's copy bandwidth for `worthit calibrate`: a device-to-device
// cudaMemcpyAsync, timed with CUDA events, bytes read plus bytes written.
#include <algorithm>

#include "cuda/cuda_kernels.h"
#include "cuda/device_runtime.h"

namespace worthit::kernels {

GpuCopyBandwidth measure_gpu_copy_bandwidth(size_t bytes, int passes) {
  const cuda::DeviceInfo info = cuda::device_info();
  bytes = std::min(bytes, info.free_bytes / 4) / 256 * 256;
  cuda::DeviceMemory src(bytes, "the copy source"), dst(bytes, "the copy destination");
  // Random-looking contents: copies of zeros can be faster than real data.
  cuda::check(cudaMemset(src.get(), 0x5A, bytes), "cudaMemset");
  cuda::Stream stream;
  cuda::Event start, stop;
  GpuCopyBandwidth result;
  result.bytes = bytes;
  result.device = info.name;
  result.driver = info.driver;
  for (int pass = 0; pass < std::max(1, passes) + 1; ++pass) {
    start.record(stream.get());
    cuda::check(
        cudaMemcpyAsync(dst.get(), src.get(), bytes, cudaMemcpyDeviceToDevice, stream.get()),
        "cudaMemcpyAsync (device to device)");
    stop.record(stream.get());
    stream.synchronize("the device copy");
    if (pass == 0) continue;  // warm-up
    result.gbs =
        std::max(result.gbs, 2.0 * static_cast<double>(bytes) / stop.seconds_since(start) / 1e9);
  }
  return result;
}

}  // namespace worthit::kernels
