// An NVTX push/pop pair through our injection (bar: <= 3x two timer reads).
// The injection is set through the environment before NVTX's first call, as
// `worthit profile` would set it for an unmodified program.
#include <benchmark/benchmark.h>
#include <nvtx3/nvToolsExt.h>

#include <cstdlib>
#include <filesystem>

#include "worthit/profiler/profiler.h"
#include "worthit/trace/trace.h"

namespace {
// Runs before main, before NVTX initializes itself on its first call.
const bool g_injection_set = [] {
  ::setenv("NVTX_INJECTION64_PATH", WORTHIT_NVTX_LIB, 1);
  return true;
}();
}  // namespace

static void BM_NvtxPushPopInjected(benchmark::State& state) {
  worthit::profiler::enable(std::filesystem::temp_directory_path() / "worthit_nvtx_bench.json");
  for (auto _ : state) {
    nvtxRangePushA("bench range");
    nvtxRangePop();
  }
  state.counters["recorded"] = double(worthit::profiler::snapshot().events.size());
  worthit::profiler::reset();
  worthit::profiler::disable();
}
BENCHMARK(BM_NvtxPushPopInjected);

static void BM_NvtxDomainPushPopRegisteredInjected(benchmark::State& state) {
  worthit::profiler::enable(std::filesystem::temp_directory_path() / "worthit_nvtx_bench.json");
  nvtxDomainHandle_t d = nvtxDomainCreateA("bench");
  nvtxEventAttributes_t a{};
  a.version = NVTX_VERSION;
  a.size = NVTX_EVENT_ATTRIB_STRUCT_SIZE;
  a.messageType = NVTX_MESSAGE_TYPE_REGISTERED;
  a.message.registered = nvtxDomainRegisterStringA(d, "bench range");
  for (auto _ : state) {
    nvtxDomainRangePushEx(d, &a);
    nvtxDomainRangePop(d);
  }
  worthit::profiler::reset();
  worthit::profiler::disable();
}
BENCHMARK(BM_NvtxDomainPushPopRegisteredInjected);
