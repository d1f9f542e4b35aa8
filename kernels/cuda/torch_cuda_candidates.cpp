// libtorch CUDA candidates (libworthit_torch_cuda.so): ATen on the device, the
// framework's best eager variant (out= ops, preallocated intermediates,
// inference mode), on the buffers and stream of the shared GPU timing
// (device_timing.h), so they are measured exactly like our kernels. Loaded
// with dlopen by torch_cuda_loader.cpp.
#include <ATen/ops/add.h>
#include <ATen/ops/addcmul.h>
#include <ATen/ops/empty.h>
#include <ATen/ops/from_blob.h>
#include <ATen/ops/gelu.h>
#include <ATen/ops/matmul.h>
#include <ATen/ops/native_layer_norm.h>
#include <c10/core/InferenceMode.h>
#include <c10/cuda/CUDAFunctions.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>

#include <map>
#include <memory>
#include <stdexcept>

#include "cuda/device_runtime.h"
#include "cuda/torch_cuda_plugin_api.h"
#include "layernorm/layernorm_workload.h"
#include "recurrence/recurrence_workload.h"

namespace worthit::kernels::cuda {

namespace {

at::TensorOptions device_floats() {
  return at::TensorOptions().dtype(at::kFloat).device(at::kCUDA, c10::cuda::current_device());
}

// A tensor viewing device memory of the shared timing's buffers (no copy).
at::Tensor view(const void* ptr, const std::vector<int64_t>& shape) {
  return at::from_blob(const_cast<void*>(ptr), shape, device_floats());
}

// ATen's ops run on whatever stream is current: make it the timing's one.
struct OnStream {
  explicit OnStream(cudaStream_t s)
      : guard(c10::cuda::getStreamFromExternal(s, c10::cuda::current_device())) {}
  c10::cuda::CUDAStreamGuard guard;
  c10::InferenceMode inference;
};

// Per-slot tensors, made in bind (untimed) and used by launch.
template <class Tensors>
struct SlotTensors {
  std::map<int, Tensors> slots;
  Tensors& at(const DeviceCase& dc) { return slots.at(dc.slot); }
};

DeviceComputation gelu(const Buffers& in, const Buffers&) {
  struct T {
    at::Tensor x, y;
  };
  auto st = std::make_shared<SlotTensors<T>>();
  const auto shape = in[0].shape();
  return {[st, shape](const DeviceCase& dc) {
            st->slots[dc.slot] = {view(dc.in(0), shape), view(dc.out(0), shape)};
          },
          [st](const DeviceCase& dc, cudaStream_t s) {
            OnStream on(s);
            T& t = st->at(dc);
            at::gelu_out(t.y, t.x, "tanh");
          }};
}

DeviceComputation layernorm(const Buffers& in, const Buffers&) {
  struct T {
    at::Tensor x, bias, res, gamma, beta, y;
  };
  auto st = std::make_shared<SlotTensors<T>>();
  const auto shape = in[kLnX].shape(), vec = in[kLnBias].shape();
  const int64_t rows = shape[0], cols = shape[1];
  // Intermediates shared by the slots: x + residual + bias, mean, rstd.
  auto sum = std::make_shared<at::Tensor>(at::empty({rows, cols}, device_floats()));
  auto mean = std::make_shared<at::Tensor>(at::empty({rows, 1}, device_floats()));
  auto rstd = std::make_shared<at::Tensor>(at::empty({rows, 1}, device_floats()));
  return {[st, shape, vec](const DeviceCase& dc) {
            st->slots[dc.slot] = {view(dc.in(kLnX), shape),        view(dc.in(kLnBias), vec),
                                  view(dc.in(kLnResidual), shape), view(dc.in(kLnGamma), vec),
                                  view(dc.in(kLnBeta), vec),       view(dc.out(0), shape)};
          },
          [st, sum, mean, rstd, cols](const DeviceCase& dc, cudaStream_t s) {
            OnStream on(s);
            T& t = st->at(dc);
            at::add_out(*sum, t.x, t.res);
            at::add_out(*sum, *sum, t.bias);
            at::native_layer_norm_out(t.y, *mean, *rstd, *sum, {cols}, t.gamma, t.beta,
                                      kLayerNormEps);
          }};
}

DeviceComputation matmul(const Buffers& in, const Buffers& out) {
  struct T {
    at::Tensor a, b, c;
  };
  auto st = std::make_shared<SlotTensors<T>>();
  const auto sa = in[0].shape(), sb = in[1].shape(), sc = out[0].shape();
  return {[st, sa, sb, sc](const DeviceCase& dc) {
            st->slots[dc.slot] = {view(dc.in(0), sa), view(dc.in(1), sb), view(dc.out(0), sc)};
          },
          [st](const DeviceCase& dc, cudaStream_t s) {
            OnStream on(s);
            T& t = st->at(dc);
            at::matmul_out(t.c, t.a, t.b);
          }};
}

DeviceComputation recurrence(const Buffers& in, const Buffers&) {
  struct T {
    std::vector<at::Tensor> a, x, h;
  };
  auto st = std::make_shared<SlotTensors<T>>();
  const auto shape = in[kRecA].shape();
  return {[st, shape](const DeviceCase& dc) {
            st->slots[dc.slot] = {view(dc.in(kRecA), shape).unbind(0),
                                  view(dc.in(kRecX), shape).unbind(0),
                                  view(dc.out(0), shape).unbind(0)};
          },
          [st](const DeviceCase& dc, cudaStream_t s) {
            OnStream on(s);
            T& t = st->at(dc);
            t.h[0].copy_(t.x[0]);
            for (size_t i = 1; i < t.h.size(); ++i)
              at::addcmul_out(t.h[i], t.x[i], t.a[i], t.h[i - 1]);
          }};
}

std::string unavailable() {
  if (auto why = device_unavailable()) return *why;
  if (c10::cuda::device_count() == 0) return "libtorch sees no CUDA device";
  return {};
}

PreparedRun prepare(const std::string& workload, Timing timing, const Buffers& in, Buffers& out) {
  using Factory = DeviceComputation (*)(const Buffers&, const Buffers&);
  static const std::map<std::string, Factory> factories = {{"gelu", gelu},
                                                           {"bias_residual_layernorm", layernorm},
                                                           {"matmul", matmul},
                                                           {"linear_recurrence", recurrence}};
  auto it = factories.find(workload);
  if (it == factories.end())
    throw std::runtime_error("libtorch-cuda has no candidate for " + workload);
  // ATen errors (c10::Error) derive from std::exception: the runner records them.
  return make_device_run(in, out, timing, it->second(in, out));
}

const TorchCudaPluginApi kApi{kTorchCudaPluginAbi, WORTHIT_TORCH_VERSION, unavailable, prepare};

}  // namespace

}  // namespace worthit::kernels::cuda

extern "C" __attribute__((visibility("default"))) const worthit::kernels::cuda::TorchCudaPluginApi*
worthit_torch_cuda_plugin() {
  return &worthit::kernels::cuda::kApi;
}
