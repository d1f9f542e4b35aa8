// torchscript linear_recurrence: the step loop inside a scripted function,
// writing each step into the output with out=. The interpreter still issues
// one indexing op per tensor and one addcmul per step.
#include <c10/core/InferenceMode.h>

#include <string>

#include "recurrence/recurrence_workload.h"
#include "src/prepared_run.h"
#include "src/torch_bridge.h"

namespace worthit::kernels {

namespace {

constexpr const char* kSource = R"(
def linear_recurrence(a: Tensor, x: Tensor, h: Tensor) -> Tensor:
    h[0].copy_(x[0])
    for t in range(1, a.size(0)):
        torch.addcmul(x[t], a[t], h[t - 1], out=h[t])
    return h
)";

// The interpreter costs ~12 us per step here (indexing ops and addcmul), and
// prepare runs the scan 3 times: longer scans would take most of a minute.
constexpr int64_t kMaxSteps = 32768;

}  // namespace

Candidate recurrence_torchscript_candidate() {
  Candidate c;
  c.workload = "linear_recurrence";
  c.backend = "torchscript";
  c.framework = true;
  c.family = "pytorch";
  c.description = "torch::jit::compile'd loop of torch.addcmul(..., out=h[t])";
  c.sources = {"kernels/recurrence/recurrence_torchscript.cpp"};
  c.toolchains = {"libtorch"};
  c.unavailable = [] { return std::optional<std::string>(); };
  c.skip = [](const Size& s) -> std::optional<std::string> {
    if (s.at("t") > kMaxSteps)
      return "t " + std::to_string(s.at("t")) + " > " + std::to_string(kMaxSteps) +
             ": ~12 us per interpreted step, capped so the run stays bounded";
    return std::nullopt;
  };
  c.prepare = [](const Buffers& in, Buffers& out, const RunContext&) {
    auto fn = std::make_shared<TorchScriptFunction>(kSource, "linear_recurrence");
    std::vector<at::Tensor> args{as_tensor(in[kRecA]), as_tensor(in[kRecX]), as_tensor(out[0])};
    auto run = [fn, args] {
      c10::InferenceMode guard;
      (*fn)(args);
    };
    for (int i = 0; i < 3; ++i) run();
    return prepared(run);
  };
  return c;
}

}  // namespace worthit::kernels
