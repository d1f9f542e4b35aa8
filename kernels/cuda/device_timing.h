// Turns a device computation into the harness's PreparedRun: the inputs
// copied to the device, the outputs poisoned there (so the gate catches an
// unwritten element), the result copied back by the publish step, and the
// timed call measured with CUDA events (docs/gpu.md):
//
//   hot   back-to-back calls, `calls_per_timed_run` of them between two
//         events; when one case's buffers are smaller than twice the L2,
//         calls rotate over several copies of them, so the L2 does not
//         flatter the number.
//   cold  one call between two events, after a kernel that rewrites twice
//         the L2's size of scratch memory (the L2 flushed).
//
// Both start behind a short busy-wait (hot) or the flush (cold), so the GPU
// is never idle between the start event and the first launch.
#pragma once

#include <cuda_runtime_api.h>

#include <functional>
#include <string>
#include <vector>

#include "worthit/harness/candidate.h"

namespace worthit::kernels::cuda {

enum class Timing { hot, cold };

// The backend name for a timing: "cuda" -> "cuda" or "cuda-cold".
std::string backend_name(const std::string& base, Timing timing);

// The device copies of one case's buffers (one rotation slot).
struct DeviceCase {
  int slot = 0;
  std::vector<const void*> inputs;
  std::vector<void*> outputs;
  const float* in(size_t i) const { return static_cast<const float*>(inputs.at(i)); }
  float* out(size_t i) const { return static_cast<float*>(outputs.at(i)); }
};

struct DeviceComputation {
  // Optional, untimed: called once per rotation slot in prepare, e.g. to wrap
  // the slot's buffers in framework tensors.
  std::function<void(const DeviceCase&)> bind;
  // Enqueues one call on `stream`; throws (check()) when a launch fails.
  std::function<void(const DeviceCase&, cudaStream_t)> launch;
};

// Rotation slots for a case of `case_bytes` (inputs and outputs): enough
// copies to exceed twice the L2, at most 16, within a quarter of the free
// memory; 1 for cold timing.
int rotation_slots(Timing timing, double case_bytes, size_t l2_bytes, size_t free_bytes);
// Calls per hot timed_run: about 256 MiB of traffic, between 1 and 1000.
int64_t hot_calls_per_run(double case_bytes);

// Throws std::runtime_error (the CUDA call and its message) on any failure.
PreparedRun make_device_run(const Buffers& inputs, Buffers& outputs, Timing timing,
                            DeviceComputation computation);

}  // namespace worthit::kernels::cuda
