// libtorch gelu: ATen's own vectorised kernel, writing into our output
// (at::gelu_out), in inference mode as a deployment would run it.
#include <ATen/ops/gelu.h>
#include <c10/core/InferenceMode.h>

#include "gelu/gelu_workload.h"
#include "src/prepared_run.h"
#include "src/torch_bridge.h"

namespace worthit::kernels {

Candidate gelu_libtorch_candidate() {
  Candidate c;
  c.workload = "gelu";
  c.backend = "libtorch";
  c.framework = true;
  c.family = "pytorch";
  c.description = "at::gelu_out(y, x, \"tanh\")";
  c.sources = {"kernels/gelu/gelu_libtorch.cpp"};
  c.toolchains = {"libtorch"};
  c.unavailable = [] { return std::optional<std::string>(); };
  c.skip = [](const Size&) { return std::optional<std::string>(); };
  c.prepare = [](const Buffers& in, Buffers& out, const RunContext&) {
    at::Tensor x = as_tensor(in[0]);
    at::Tensor y = as_tensor(out[0]);
    return prepared([x, y]() mutable {
      c10::InferenceMode guard;
      at::gelu_out(y, x, "tanh");
    });
  };
  return c;
}

}  // namespace worthit::kernels
