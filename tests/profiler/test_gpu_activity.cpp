// CUPTI record conversion through the replaceable ActivityApi: constructed
// records in, trace events and flows out. No GPU needed.
#include <gtest/gtest.h>

#include <dlfcn.h>

#include "worthit/profiler/gpu_activity.h"
#include "worthit/trace/analysis.h"

namespace gpu = worthit::profiler::gpu;
namespace wt = worthit::trace;

namespace {

// Stands in for CUPTI: delivers prepared records in two buffers at flush,
// and reports dropped records like CUPTI would.
class RecordedActivityApi : public gpu::ActivityApi {
 public:
  explicit RecordedActivityApi(std::vector<gpu::ActivityRecord> records, uint64_t dropped)
      : records_(std::move(records)), dropped_(dropped) {}
  bool start(Sink sink, std::string*) override {
    sink_ = std::move(sink);
    return true;
  }
  void flush() override {
    if (records_.empty()) return;
    const auto half = records_.begin() + std::ptrdiff_t(records_.size() / 2);
    sink_({records_.begin(), half});
    sink_({half, records_.end()});
    records_.clear();
    ++flushes;
  }
  void stop() override {}
  uint64_t dropped_records() const override { return dropped_; }
  int flushes = 0;

 private:
  std::vector<gpu::ActivityRecord> records_;
  uint64_t dropped_;
  Sink sink_;
};

gpu::ActivityRecord rec(gpu::ActivityKind kind, std::string name, int64_t start, int64_t end,
                        uint32_t corr) {
  gpu::ActivityRecord r;
  r.kind = kind;
  r.name = std::move(name);
  r.start_ns = start;
  r.end_ns = end;
  r.correlation_id = corr;
  r.thread_id = 4242;
  r.device = 0;
  r.stream = 7;
  return r;
}

std::vector<gpu::ActivityRecord> sample_records() {
  using K = gpu::ActivityKind;
  std::vector<gpu::ActivityRecord> r;
  // Delivered out of order, as CUPTI does: GPU buffers complete separately.
  auto k = rec(K::kernel, "gemm_kernel", 5000, 9000, 11);
  k.grid[0] = 128;
  k.block[0] = 256;
  r.push_back(k);
  r.push_back(rec(K::runtime, "cudaLaunchKernel", 1000, 3000, 11));
  r.push_back(rec(K::driver, "cuLaunchKernel", 1500, 2800, 11));  // nested, same correlation
  auto copy = rec(K::memcpy, "Memcpy HtoD", 12000, 14000, 12);
  copy.bytes = 1 << 20;
  r.push_back(copy);
  r.push_back(rec(K::runtime, "cudaMemcpyAsync", 10000, 11000, 12));
  auto set = rec(K::memset, "Memset", 15000, 15500, 13);
  set.stream = 9;
  r.push_back(set);
  r.push_back(rec(K::runtime, "cudaMemsetAsync", 14500, 14800, 13));
  r.push_back(rec(K::runtime, "cudaDeviceSynchronize", 16000, 20000, 14));  // no GPU work
  r.push_back(rec(K::synchronization, "cudaDeviceSynchronize", 16100, 19900, 14));
  r.push_back(rec(K::overhead, "CUPTI buffer flush", 21000, 21500, 0));
  return r;
}

}  // namespace

TEST(GpuActivity, RecordsBecomeEventsLanesAndFlows) {
  auto api = std::make_unique<RecordedActivityApi>(sample_records(), 3);
  auto* raw = api.get();
  gpu::GpuProfiler profiler(std::move(api));
  ASSERT_TRUE(profiler.start(nullptr));
  wt::Trace t;
  t.metadata["pid"] = 77;
  profiler.append_to(t);
  EXPECT_EQ(raw->flushes, 1);

  EXPECT_EQ(t.metadata["dropped"]["gpu_records"], 3);
  std::map<std::string, const wt::Event*> by_name;
  int starts = 0, finishes = 0;
  for (const auto& e : t.events) {
    EXPECT_EQ(e.pid, 77);
    if (e.phase == 's') ++starts;
    if (e.phase == 'f') ++finishes;
    if (e.phase == 'X') by_name[e.name] = &e;
  }
  // Three launches with GPU work -> three flows; the sync call has none.
  EXPECT_EQ(starts, 3);
  EXPECT_EQ(finishes, 3);
  const wt::Event& kernel = *by_name.at("gemm_kernel");
  EXPECT_EQ(kernel.category, wt::category::kKernel);
  EXPECT_EQ(kernel.tid, gpu::gpu_stream_tid(0, 7));
  EXPECT_EQ(kernel.dur_ns, 4000);
  EXPECT_EQ(kernel.args["correlation"], 11);
  EXPECT_EQ(kernel.args["grid"][0], 128);
  EXPECT_EQ(by_name.at("cudaLaunchKernel")->tid, 4242);
  EXPECT_EQ(by_name.at("cudaLaunchKernel")->category, wt::category::kCudaRuntime);
  EXPECT_EQ(by_name.at("cuLaunchKernel")->category, wt::category::kCudaDriver);
  EXPECT_EQ(by_name.at("Memcpy HtoD")->args["bytes"], 1 << 20);
  EXPECT_EQ(by_name.at("Memset")->tid, gpu::gpu_stream_tid(0, 9));
  EXPECT_EQ(by_name.at("CUPTI buffer flush")->category, wt::category::kOverhead);
  EXPECT_EQ(t.thread_names.at({77, gpu::gpu_stream_tid(0, 7)}), "GPU 0 stream 7");

  // The flow starts on the outer runtime call, at its start, and ends at the kernel.
  for (const auto& e : t.events)
    if (e.phase == 's' && e.id == ((uint64_t(77) << 32) | 11)) {
      EXPECT_EQ(e.tid, 4242);
      EXPECT_EQ(e.ts_ns, 1000);
    } else if (e.phase == 'f' && e.id == ((uint64_t(77) << 32) | 11)) {
      EXPECT_EQ(e.tid, gpu::gpu_stream_tid(0, 7));
      EXPECT_EQ(e.ts_ns, 5000);
    }

  const auto problems = wt::validate_trace(t);
  EXPECT_TRUE(problems.empty()) << problems.front();

  const auto g = wt::gpu_summary(t);
  EXPECT_TRUE(g.has_gpu);
  EXPECT_EQ(g.busy_ns, 4000 + 2000 + 500);
  ASSERT_EQ(g.kernels.size(), 1u);
  EXPECT_EQ(g.kernels[0].name, "gemm_kernel");
  EXPECT_EQ(g.launch_count, 1);  // runtime + nested driver call: one launch
  EXPECT_EQ(g.launch_api_ns, 2000);
  EXPECT_EQ(g.launch_latency_count, 1);
  EXPECT_EQ(g.launch_latency_ns, 4000);
  EXPECT_EQ(g.sync_ns, 3800);
  EXPECT_EQ(g.memcpy_count, 1);
  EXPECT_EQ(g.memset_count, 1);
}

TEST(GpuActivity, RoundTripsThroughTheFile) {
  gpu::GpuProfiler profiler(std::make_unique<RecordedActivityApi>(sample_records(), 0));
  ASSERT_TRUE(profiler.start(nullptr));
  wt::Trace t;
  t.metadata["pid"] = 5;
  profiler.append_to(t);
  const wt::Trace back = wt::parse_trace(wt::trace_to_json(t));
  EXPECT_EQ(back.events.size(), t.events.size());
  EXPECT_TRUE(wt::validate_trace(back).empty());
  EXPECT_EQ(wt::gpu_summary(back).busy_ns, wt::gpu_summary(t).busy_ns);
}

// The CUPTI injection library loads (its libcupti dependency resolves) and
// exports the entry point the CUDA driver calls. Capturing needs a GPU: see
// ProfileVerb.GpuProgramShowsKernelsCopiesAndFlows.
TEST(GpuActivity, CudaInjectionLibraryLoads) {
  const std::string lib = WORTHIT_CUDA_LIB;
  if (lib.empty())
    GTEST_SKIP() << "built without CUPTI (WORTHIT_WITH_CUPTI=OFF, or no CUPTI in the toolkit or "
                    "venv): no CUDA injection library";
  void* handle = dlopen(lib.c_str(), RTLD_NOW | RTLD_LOCAL);
  ASSERT_TRUE(handle) << dlerror();
  EXPECT_TRUE(dlsym(handle, "InitializeInjection"));
}
