// libtorch's RECORD_FUNCTION under an active (CPU) profiler, for comparison
// with WORTHIT_SCOPE in the same run.
#include <ATen/record_function.h>
#include <benchmark/benchmark.h>
#include <torch/csrc/autograd/profiler_kineto.h>

static void BM_TorchRecordFunctionProfiling(benchmark::State& state) {
  using namespace torch::autograd::profiler;
  ProfilerConfig config(ProfilerState::KINETO, false, false, false, false, false);
  prepareProfiler(config, {torch::profiler::impl::ActivityType::CPU});
  enableProfiler(config, {torch::profiler::impl::ActivityType::CPU});
  for (auto _ : state) {
    RECORD_FUNCTION("bench scope", std::vector<c10::IValue>());
    benchmark::ClobberMemory();
  }
  auto result = disableProfiler();
  state.counters["recorded"] = double(result ? result->events().size() : 0);
}
BENCHMARK(BM_TorchRecordFunctionProfiling)->Iterations(2'000'000);
