// libtorch linear_recurrence: the eager way, one ATen op per step, at its
// best: the per-step views are made once in prepare (untimed), each step is a
// single at::addcmul_out (h_t = x_t + a_t * h_(t-1)) written straight into the
// output, in inference mode.
#include <ATen/ops/addcmul.h>
#include <c10/core/InferenceMode.h>

#include "recurrence/recurrence_workload.h"
#include "src/prepared_run.h"
#include "src/torch_bridge.h"

namespace worthit::kernels {

Candidate recurrence_libtorch_candidate() {
  Candidate c;
  c.workload = "linear_recurrence";
  c.backend = "libtorch";
  c.framework = true;
  c.family = "pytorch";
  c.description = "loop of T at::addcmul_out calls over preallocated per-step views";
  c.sources = {"kernels/recurrence/recurrence_libtorch.cpp"};
  c.toolchains = {"libtorch"};
  c.unavailable = [] { return std::optional<std::string>(); };
  c.skip = [](const Size&) { return std::optional<std::string>(); };
  c.prepare = [](const Buffers& in, Buffers& out, const RunContext&) {
    struct State {
      std::vector<at::Tensor> a, x, h;
    };
    auto st = std::make_shared<State>();
    st->a = as_tensor(in[kRecA]).unbind(0);
    st->x = as_tensor(in[kRecX]).unbind(0);
    st->h = as_tensor(out[0]).unbind(0);
    return prepared([st] {
      c10::InferenceMode guard;
      st->h[0].copy_(st->x[0]);
      for (size_t t = 1; t < st->h.size(); ++t)
        at::addcmul_out(st->h[t], st->x[t], st->a[t], st->h[t - 1]);
    });
  };
  return c;
}

}  // namespace worthit::kernels
