// Registration of our CUDA candidates: each workload's buffers bound to its
// launch wrapper (cuda_launch.h), timed hot and cold (device_timing.h).
#include <stdexcept>

#include "cuda/cuda_kernels.h"
#include "cuda/cuda_launch.h"
#include "cuda/device_runtime.h"
#include "cuda/device_timing.h"
#include "cuda/torch_cuda_loader.h"
#include "layernorm/layernorm_workload.h"
#include "recurrence/recurrence_workload.h"

namespace worthit::kernels {

namespace {

using cuda::DeviceCase;
using cuda::DeviceComputation;
using cuda::Timing;

// Builds the launch for one case of the workload (shapes read off the
// buffers, scratch allocated here, untimed).
using ComputationFactory =
    std::function<DeviceComputation(const Buffers& inputs, const Buffers& outputs)>;

DeviceComputation gelu_computation(const Buffers& in, const Buffers&) {
  const int64_t n = in[0].numel();
  return {{}, [n](const DeviceCase& dc, cudaStream_t s) {
            cuda::check(cuda::launch_gelu(dc.in(0), dc.out(0), n, s), "launching gelu");
          }};
}

DeviceComputation layernorm_computation(const Buffers& in, const Buffers&) {
  const int64_t rows = in[kLnX].shape()[0], cols = in[kLnX].shape()[1];
  return {{}, [rows, cols](const DeviceCase& dc, cudaStream_t s) {
            cuda::check(cuda::launch_bias_residual_layernorm(dc.in(kLnX), dc.in(kLnBias),
                                                             dc.in(kLnResidual), dc.in(kLnGamma),
                                                             dc.in(kLnBeta), dc.out(0), rows, cols,
                                                             static_cast<float>(kLayerNormEps), s),
                        "launching bias_residual_layernorm");
          }};
}

DeviceComputation matmul_computation(const Buffers& in, const Buffers&) {
  const int64_t m = in[0].shape()[0], k = in[0].shape()[1], n = in[1].shape()[1];
  return {{}, [m, n, k](const DeviceCase& dc, cudaStream_t s) {
            cuda::check(cuda::launch_matmul(dc.in(0), dc.in(1), dc.out(0), m, n, k, s),
                        "launching matmul");
          }};
}

DeviceComputation recurrence_computation(const Buffers& in, const Buffers&) {
  const int64_t steps = in[kRecA].shape()[0];
  const int64_t lanes = in[kRecA].numel() / steps;
  const int sms = cuda::device_info().sm_count;
  // The chunk maps and carries, shared by every rotation slot (calls on one
  // stream never overlap).
  auto scratch = std::make_shared<cuda::DeviceMemory>(
      static_cast<size_t>(cuda::recurrence_scratch_floats(steps, lanes, sms)) * sizeof(float),
      "the scan's chunk carries");
  return {{}, [steps, lanes, sms, scratch](const DeviceCase& dc, cudaStream_t s) {
            cuda::check(cuda::launch_linear_recurrence(dc.in(kRecA), dc.in(kRecX), dc.out(0), steps,
                                                       lanes, scratch->as<float>(), sms, s),
                        "launching linear_recurrence");
          }};
}

Candidate cuda_candidate(const std::string& workload, const std::string& source,
                         const std::string& description, Timing timing,
                         ComputationFactory factory) {
  Candidate c;
  c.workload = workload;
  c.backend = cuda::backend_name("cuda", timing);
  c.language = "cuda";
  c.framework = false;
  c.device = "cuda";
  c.description = description + (timing == Timing::cold ? " (L2 flushed before each call)" : "");
  c.sources = {"kernels/cuda/" + source};
  c.toolchains = {"nvcc"};
  c.unavailable = [] { return cuda::device_unavailable(); };
  c.skip = [](const Size&) { return std::optional<std::string>(); };
  c.prepare = [timing, factory](const Buffers& in, Buffers& out, const RunContext&) {
    return cuda::make_device_run(in, out, timing, factory(in, out));
  };
  return c;
}

}  // namespace

std::optional<std::string> cuda_device_unavailable() { return cuda::device_unavailable(); }

void register_cuda_kernels(Registry& registry) {
  for (Timing timing : {Timing::hot, Timing::cold}) {
    if (registry.find_workload("gelu"))
      registry.add_candidate(cuda_candidate(
          "gelu", "gelu_cuda.cu", "float4 loads, x / (1 + exp(-2u))", timing, gelu_computation));
    if (registry.find_workload("bias_residual_layernorm"))
      registry.add_candidate(
          cuda_candidate("bias_residual_layernorm", "layernorm_cuda.cu",
                         "one fused pass, a block per row, warp-shuffle reductions", timing,
                         layernorm_computation));
    if (registry.find_workload("matmul"))
      registry.add_candidate(cuda_candidate(
          "matmul", "matmul_cuda.cu", "64x64 shared-memory tiles, 4x4 per thread, no tensor cores",
          timing, matmul_computation));
    if (registry.find_workload("linear_recurrence"))
      registry.add_candidate(
          cuda_candidate("linear_recurrence", "recurrence_cuda.cu",
                         "chunked parallel scan over T of the affine maps (a, x)", timing,
                         recurrence_computation));
  }
  cuda::register_torch_cuda_candidates(registry);
}

}  // namespace worthit::kernels
