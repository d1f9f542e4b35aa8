// libtorch matmul: at::matmul_out, which dispatches to MKL / oneDNN sgemm.
#include <ATen/ops/matmul.h>
#include <c10/core/InferenceMode.h>

#include "matmul/matmul_workload.h"
#include "src/prepared_run.h"
#include "src/torch_bridge.h"

namespace worthit::kernels {

Candidate matmul_libtorch_candidate() {
  Candidate c;
  c.workload = "matmul";
  c.backend = "libtorch";
  c.framework = true;
  c.family = "pytorch";
  c.description = "at::matmul_out(c, a, b) (MKL / oneDNN sgemm)";
  c.sources = {"kernels/matmul/matmul_libtorch.cpp"};
  c.toolchains = {"libtorch"};
  c.unavailable = [] { return std::optional<std::string>(); };
  c.skip = [](const Size&) { return std::optional<std::string>(); };
  c.prepare = [](const Buffers& in, Buffers& out, const RunContext&) {
    at::Tensor a = as_tensor(in[0]);
    at::Tensor b = as_tensor(in[1]);
    at::Tensor cc = as_tensor(out[0]);
    return prepared([a, b, cc]() mutable {
      c10::InferenceMode guard;
      at::matmul_out(cc, a, b);
    });
  };
  return c;
}

}  // namespace worthit::kernels
