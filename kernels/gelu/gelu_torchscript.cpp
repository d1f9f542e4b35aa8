// torchscript gelu: the op inside a TorchScript function. It returns a new
// tensor each call (what a scripted model does); publish copies it out, untimed.
#include <c10/core/InferenceMode.h>

#include "gelu/gelu_workload.h"
#include "src/prepared_run.h"
#include "src/torch_bridge.h"

namespace worthit::kernels {

namespace {

constexpr const char* kSource = R"(
def gelu(x: Tensor) -> Tensor:
    return torch.gelu(x, approximate='tanh')
)";

}  // namespace

Candidate gelu_torchscript_candidate() {
  Candidate c;
  c.workload = "gelu";
  c.backend = "torchscript";
  c.framework = true;
  c.family = "pytorch";
  c.description = "torch::jit::compile'd function calling torch.gelu(x, approximate='tanh')";
  c.sources = {"kernels/gelu/gelu_torchscript.cpp"};
  c.toolchains = {"libtorch"};
  c.unavailable = [] { return std::optional<std::string>(); };
  c.skip = [](const Size&) { return std::optional<std::string>(); };
  c.prepare = [](const Buffers& in, Buffers& out, const RunContext&) {
    auto fn = std::make_shared<TorchScriptFunction>(kSource, "gelu");
    auto result = std::make_shared<at::Tensor>();
    at::Tensor x = as_tensor(in[0]);
    Buffer* y = &out[0];
    auto run = [fn, result, x] {
      c10::InferenceMode guard;
      *result = (*fn)({x});
    };
    // The profiling executor specialises the graph over its first calls.
    for (int i = 0; i < 3; ++i) run();
    return prepared(run, [result, y] { copy_to_buffer(*result, *y); });
  };
  return c;
}

}  // namespace worthit::kernels
