// What capturing one ATen op costs: a small at::add with no observer, with an
// empty RecordFunction callback that asks for inputs and outputs (torch's own
// machinery, which any observer pays), with worthit's ATen observer, and under
// torch.profiler with record_shapes. Run in one process, so their ratios are
// measured under the same load:
//   profiler_bench --benchmark_filter=AtenCapture --benchmark_repetitions=5
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/record_function.h>
#include <benchmark/benchmark.h>
#include <dlfcn.h>
#include <torch/csrc/autograd/profiler_kineto.h>

#include <cstdlib>

#include "worthit/profiler/profiler.h"

namespace {

void run_adds(benchmark::State& state) {
  at::set_num_threads(1);
  const at::Tensor x = at::zeros({8});
  for (auto _ : state) benchmark::DoNotOptimize(at::add(x, 1));
}

std::unique_ptr<at::ObserverContext> empty_start(const at::RecordFunction&) { return nullptr; }
void empty_end(const at::RecordFunction&, at::ObserverContext*) {}

}  // namespace

static void BM_AtenCaptureNone(benchmark::State& state) { run_adds(state); }
BENCHMARK(BM_AtenCaptureNone);

static void BM_AtenCaptureEmptyCallback(benchmark::State& state) {
  const auto handle = at::addGlobalCallback(at::RecordFunctionCallback(empty_start, empty_end)
                                                .needsInputs(true)
                                                .needsOutputs(true)
                                                .needsIds(true));
  run_adds(state);
  at::removeCallback(handle);
}
BENCHMARK(BM_AtenCaptureEmptyCallback);

static void BM_AtenCaptureTorchProfilerShapes(benchmark::State& state) {
  using namespace torch::autograd::profiler;
  ProfilerConfig config(ProfilerState::KINETO, /*report_input_shapes=*/true, false, false, false,
                        false);
  prepareProfiler(config, {torch::profiler::impl::ActivityType::CPU});
  enableProfiler(config, {torch::profiler::impl::ActivityType::CPU});
  run_adds(state);
  auto result = disableProfiler();
  state.counters["recorded"] = double(result ? result->events().size() : 0);
}
BENCHMARK(BM_AtenCaptureTorchProfilerShapes)->Iterations(200'000);

// Last: the observer stays installed once it is.
static void BM_AtenCaptureWorthitObserver(benchmark::State& state) {
  static bool installed = [] {
    worthit::profiler::enable("/dev/null");
    void* lib = ::dlopen(WORTHIT_ATEN_LIB, RTLD_NOW);
    auto install =
        lib ? reinterpret_cast<int (*)()>(::dlsym(lib, "worthit_aten_install")) : nullptr;
    return install && install() == 0;
  }();
  if (!installed) {
    state.SkipWithError("the ATen observer did not install");
    return;
  }
  run_adds(state);
  worthit::profiler::reset();  // the records are not what is measured
}
BENCHMARK(BM_AtenCaptureWorthitObserver)->Iterations(200'000);
