// Scope cost against its floor: two raw reads of the same clock. The ratio
// of the two is the bar (<= 1.5x), so both run in the same process and run.
#define WORTHIT_PROFILING 1
#include <benchmark/benchmark.h>

#include <filesystem>

#include "worthit/profiler/profiler.h"
#include "worthit/trace/trace.h"

namespace wp = worthit::profiler;

static void BM_TwoTimerReads(benchmark::State& state) {
  for (auto _ : state) {
    int64_t a = wp::now_ns();
    benchmark::DoNotOptimize(a);
    int64_t b = wp::now_ns();
    benchmark::DoNotOptimize(b);
  }
}
BENCHMARK(BM_TwoTimerReads);

static void BM_ScopeEnabled(benchmark::State& state) {
  wp::enable(std::filesystem::temp_directory_path() / "worthit_scope_bench.json");
  for (auto _ : state) {
    WORTHIT_SCOPE("bench scope");
    benchmark::ClobberMemory();
  }
  state.counters["recorded"] = double(wp::snapshot().events.size());
  wp::reset();
  wp::disable();
}
BENCHMARK(BM_ScopeEnabled);

// Compiled in, runtime not enabled (a program built with profiling that runs
// outside `worthit profile`).
static void BM_ScopeCompiledInDisabled(benchmark::State& state) {
  wp::disable();
  for (auto _ : state) {
    WORTHIT_SCOPE("bench scope");
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_ScopeCompiledInDisabled);
