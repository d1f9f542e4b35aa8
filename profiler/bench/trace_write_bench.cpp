// Trace writing throughput: 1M scope-like events (names, categories, tids,
// ns timestamps) serialized and written atomically. Bar: >= 2M events/s.
#include <benchmark/benchmark.h>

#include <filesystem>

#include "worthit/trace/trace.h"

namespace wt = worthit::trace;

static wt::Trace make_trace(int64_t n) {
  static const char* const names[] = {"forward", "backward", "aten::addmm", "optimizer.step",
                                      "data"};
  wt::Trace t;
  t.events.reserve(size_t(n));
  for (int64_t i = 0; i < n; ++i) {
    wt::Event e;
    e.name = names[i % 5];
    e.category = "scope";
    e.phase = 'X';
    e.pid = 4242;
    e.tid = 4242 + i % 8;
    e.ts_ns = 1'000'000'000'000 + i * 1337;
    e.dur_ns = 1000 + i % 977;
    t.events.push_back(std::move(e));
  }
  return t;
}

static void BM_WriteTrace(benchmark::State& state) {
  const wt::Trace t = make_trace(state.range(0));
  const auto path = std::filesystem::temp_directory_path() / "worthit_write_bench.json";
  for (auto _ : state) wt::write_trace(path, t);
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.counters["bytes"] = double(std::filesystem::file_size(path));
  std::filesystem::remove(path);
}
BENCHMARK(BM_WriteTrace)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->UseRealTime();

static void BM_ReadTrace(benchmark::State& state) {
  const auto path = std::filesystem::temp_directory_path() / "worthit_read_bench.json";
  wt::write_trace(path, make_trace(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(wt::read_trace(path));
  state.SetItemsProcessed(state.iterations() * state.range(0));
  std::filesystem::remove(path);
}
BENCHMARK(BM_ReadTrace)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->UseRealTime();
