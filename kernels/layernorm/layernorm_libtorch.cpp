// libtorch bias_residual_layernorm: eager ATen at its best: preallocated
// intermediates and out= variants (no allocation in the timed call), in
// inference mode. Still three passes over memory: x + residual, + bias, then
// the layer norm.
#include <ATen/ops/add.h>
#include <ATen/ops/empty.h>
#include <ATen/ops/native_layer_norm.h>
#include <c10/core/InferenceMode.h>

#include "layernorm/layernorm_workload.h"
#include "src/prepared_run.h"
#include "src/torch_bridge.h"

namespace worthit::kernels {

Candidate layernorm_libtorch_candidate() {
  Candidate c;
  c.workload = "bias_residual_layernorm";
  c.backend = "libtorch";
  c.framework = true;
  c.family = "pytorch";
  c.description = "at::add_out x2 into a preallocated tensor, then at::native_layer_norm_out";
  c.sources = {"kernels/layernorm/layernorm_libtorch.cpp"};
  c.toolchains = {"libtorch"};
  c.unavailable = [] { return std::optional<std::string>(); };
  c.skip = [](const Size&) { return std::optional<std::string>(); };
  c.prepare = [](const Buffers& in, Buffers& out, const RunContext&) {
    struct State {
      at::Tensor x, bias, res, gamma, beta, y, sum, mean, rstd;
    };
    auto st = std::make_shared<State>();
    st->x = as_tensor(in[kLnX]);
    st->bias = as_tensor(in[kLnBias]);
    st->res = as_tensor(in[kLnResidual]);
    st->gamma = as_tensor(in[kLnGamma]);
    st->beta = as_tensor(in[kLnBeta]);
    st->y = as_tensor(out[0]);
    const int64_t rows = st->x.size(0);
    st->sum = at::empty({rows, st->x.size(1)}, st->x.options());
    st->mean = at::empty({rows, 1}, st->x.options());
    st->rstd = at::empty({rows, 1}, st->x.options());
    return prepared([st] {
      c10::InferenceMode guard;
      at::add_out(st->sum, st->x, st->res);
      at::add_out(st->sum, st->sum, st->bias);
      at::native_layer_norm_out(st->y, st->mean, st->rstd, st->sum, {st->x.size(1)}, st->gamma,
                                st->beta, kLayerNormEps);
    });
  };
  return c;
}

}  // namespace worthit::kernels
