// torchscript bias_residual_layernorm: the model code as a scripted function.
// It allocates its intermediates and result each call, as scripted models do;
// publish copies the result out, untimed. (TorchScript's CPU fuser needs an
// LLVM-enabled build, which the PyPI wheel is not, so nothing fuses here.)
#include <c10/core/InferenceMode.h>

#include "layernorm/layernorm_workload.h"
#include "src/prepared_run.h"
#include "src/torch_bridge.h"

namespace worthit::kernels {

namespace {

constexpr const char* kSource = R"(
def bias_residual_layernorm(x: Tensor, bias: Tensor, residual: Tensor, gamma: Tensor,
                            beta: Tensor) -> Tensor:
    return torch.layer_norm(x + bias + residual, [x.size(-1)], gamma, beta, 1e-5)
)";

}  // namespace

Candidate layernorm_torchscript_candidate() {
  Candidate c;
  c.workload = "bias_residual_layernorm";
  c.backend = "torchscript";
  c.framework = true;
  c.family = "pytorch";
  c.description = "torch::jit::compile'd torch.layer_norm(x + bias + residual, ...)";
  c.sources = {"kernels/layernorm/layernorm_torchscript.cpp"};
  c.toolchains = {"libtorch"};
  c.unavailable = [] { return std::optional<std::string>(); };
  c.skip = [](const Size&) { return std::optional<std::string>(); };
  c.prepare = [](const Buffers& in, Buffers& out, const RunContext&) {
    auto fn = std::make_shared<TorchScriptFunction>(kSource, "bias_residual_layernorm");
    auto result = std::make_shared<at::Tensor>();
    std::vector<at::Tensor> args{as_tensor(in[kLnX]), as_tensor(in[kLnBias]),
                                 as_tensor(in[kLnResidual]), as_tensor(in[kLnGamma]),
                                 as_tensor(in[kLnBeta])};
    Buffer* y = &out[0];
    auto run = [fn, result, args] {
      c10::InferenceMode guard;
      *result = (*fn)(args);
    };
    for (int i = 0; i < 3; ++i) run();
    return prepared(run, [result, y] { copy_to_buffer(*result, *y); });
  };
  return c;
}

}  // namespace worthit::kernels
