// WORTHIT_PROFILING undefined: the macro must compile to nothing.
#undef WORTHIT_PROFILING
#include <benchmark/benchmark.h>

#include "worthit/profiler/profiler.h"

static void BM_ScopeCompiledOut(benchmark::State& state) {
  for (auto _ : state) {
    WORTHIT_SCOPE("bench scope");
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_ScopeCompiledOut);

static void BM_EmptyLoop(benchmark::State& state) {
  for (auto _ : state) benchmark::ClobberMemory();
}
BENCHMARK(BM_EmptyLoop);
