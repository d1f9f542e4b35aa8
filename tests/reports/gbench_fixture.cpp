// A real Google Benchmark binary for the compare tests. The environment
// variable WORTHIT_TEST_WORK_FACTOR multiplies the work per iteration, which
// plants a slowdown of that factor.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <vector>

namespace {

double work_factor() {
  const char* s = std::getenv("WORTHIT_TEST_WORK_FACTOR");
  return s ? std::atof(s) : 1.0;
}

void BM_Sum(benchmark::State& state) {
  const auto n = static_cast<size_t>(state.range(0) * work_factor());
  std::vector<float> v(n, 1.0f);
  for (auto _ : state) {
    float s = 0;
    for (float x : v) s += x;
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_Sum)->Arg(4096)->Arg(16384);

}  // namespace

BENCHMARK_MAIN();
