#include "worthit/kernels/builtin.h"

#include <omp.h>

#include <memory>
#include <stdexcept>

#include "augment/augment_workload.h"
#include "csv/csv_workload.h"
#include "gelu/gelu_workload.h"
#include "layernorm/layernorm_workload.h"
#include "matmul/matmul_workload.h"
#include "recurrence/recurrence_workload.h"
#ifdef WORTHIT_HAVE_TORCH
#include "src/torch_threads.h"
#endif
#ifdef WORTHIT_HAVE_CUDA
#include "cuda/cuda_kernels.h"
#endif

namespace worthit::kernels {

namespace {

#ifndef WORTHIT_HAVE_TORCH
// A build without libtorch still lists the framework candidates, with the
// reason they cannot run: a visible gap, not a silent one.
Candidate torch_missing(const std::string& workload, const std::string& backend) {
  Candidate c;
  c.workload = workload;
  c.backend = backend;
  c.framework = true;
  c.family = "pytorch";
  c.description = "needs libtorch";
  c.toolchains = {"libtorch"};
  c.unavailable = [] {
    return std::optional<std::string>(
        "built without libtorch (configure with the torch wheel: WORTHIT_PYTHON or "
        "scripts/setup)");
  };
  c.skip = [](const Size&) { return std::optional<std::string>(); };
  c.prepare = [name = c.name()](const Buffers&, Buffers&, const RunContext&) -> PreparedRun {
    throw std::runtime_error(name + ": built without libtorch");
  };
  return c;
}
#endif

}  // namespace

void register_builtin(Registry& registry) {
  registry.add_workload(std::make_shared<GeluWorkload>());
  registry.add_workload(std::make_shared<BiasResidualLayerNormWorkload>());
  registry.add_workload(std::make_shared<MatmulWorkload>());
  registry.add_workload(std::make_shared<LinearRecurrenceWorkload>());

  registry.add_candidate(gelu_scalar_candidate());
  registry.add_candidate(gelu_simd_candidate());
  registry.add_candidate(layernorm_scalar_candidate());
  registry.add_candidate(layernorm_simd_candidate());
  registry.add_candidate(matmul_scalar_candidate());
  registry.add_candidate(matmul_simd_candidate());
  registry.add_candidate(recurrence_scalar_candidate());
  registry.add_candidate(recurrence_simd_candidate());

  // Data-pipeline workloads (docs/data-pipeline.md).
  registry.add_workload(std::make_shared<CsvParseWorkload>());
  registry.add_workload(std::make_shared<ImageAugmentWorkload>());
  registry.add_candidate(augment_fused_candidate());
#ifdef WORTHIT_HAVE_FAST_FLOAT
  registry.add_candidate(csv_fast_float_candidate());
#else
  registry.add_candidate([] {
    Candidate c;
    c.workload = "csv_parse";
    c.backend = "cpp-fast-float";
    c.toolchains = {"openmp", "fast_float"};
    c.unavailable = [] {
      return std::optional<std::string>("built without fast_float (libfast-float-dev)");
    };
    c.skip = [](const Size&) { return std::optional<std::string>(); };
    c.prepare = [](const Buffers&, Buffers&, const RunContext&) -> PreparedRun {
      throw std::runtime_error("csv_parse/cpp-fast-float: built without fast_float");
    };
    return c;
  }());
#endif

#ifdef WORTHIT_HAVE_TORCH
  registry.add_candidate(gelu_libtorch_candidate());
  registry.add_candidate(gelu_torchscript_candidate());
  registry.add_candidate(layernorm_libtorch_candidate());
  registry.add_candidate(layernorm_torchscript_candidate());
  registry.add_candidate(matmul_libtorch_candidate());
  registry.add_candidate(recurrence_libtorch_candidate());
  registry.add_candidate(recurrence_torchscript_candidate());
  registry.add_thread_setter(set_torch_threads);
#else
  for (const char* w : {"gelu", "bias_residual_layernorm", "matmul", "linear_recurrence"})
    registry.add_candidate(torch_missing(w, "libtorch"));
  for (const char* w : {"gelu", "bias_residual_layernorm", "linear_recurrence"})
    registry.add_candidate(torch_missing(w, "torchscript"));
#endif

#ifdef WORTHIT_HAVE_CUDA
  register_cuda_kernels(registry);
#endif

  // Our own kernels take the count from RunContext too; this keeps OpenMP's
  // default in line for anything that does not.
  registry.add_thread_setter([](int threads) {
    if (threads > 0) omp_set_num_threads(threads);
  });
}

}  // namespace worthit::kernels
