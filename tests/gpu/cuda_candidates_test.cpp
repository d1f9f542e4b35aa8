// Every CUDA candidate (and libtorch CUDA candidate) against the workload's
// reference, through the same correctness gate as `worthit bench`, at sizes
// that are not multiples of the block, tile or vector widths, and on both
// layernorm paths (registers, streaming) and both scan paths (one chunk,
// several). Skipped, with the reason, where no GPU can be used.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>

#include "cuda/cuda_kernels.h"
#include "worthit/harness/gate.h"
#include "worthit/kernels/builtin.h"

using namespace worthit;

namespace {

class CudaCandidates : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto why = kernels::cuda_device_unavailable()) GTEST_SKIP() << *why;
    kernels::register_builtin(registry_);
  }

  // Gates every device candidate of `workload` at each size; also runs one
  // timed run of each, which must report a positive device time.
  void check_all(const std::string& workload,
                 const std::vector<std::map<std::string, int64_t>>& sizes) {
    const Workload* w = registry_.find_workload(workload);
    ASSERT_NE(w, nullptr);
    int gated = 0;
    for (const auto& params : sizes) {
      const Size size = w->make_size(params);
      SCOPED_TRACE(workload + " " + size.label);
      const Buffers inputs = w->make_inputs(size, 7);
      Buffers expected = w->make_outputs(size);
      w->reference(inputs, expected);
      for (const Candidate* c : registry_.candidates(workload)) {
        if (c->device != "cuda") continue;
        SCOPED_TRACE(c->name());
        if (auto why = c->unavailable()) {
          // Our kernels need only the GPU found in SetUp; libtorch CUDA may
          // be missing from this build.
          EXPECT_NE(c->backend.rfind("libtorch-cuda", 0), std::string::npos)
              << c->name() << " unavailable with a GPU present: " << *why;
          std::printf("[ skipped  ] %s: %s\n", c->name().c_str(), why->c_str());
          continue;
        }
        Buffers outputs = w->make_outputs(size);
        PreparedRun run = c->prepare(inputs, outputs, RunContext{1});
        const Correctness result = run_correctness_gate(*w, run, expected, outputs);
        EXPECT_TRUE(result.passed)
            << result.detail << " (max abs error " << result.max_abs_error << ")";
        ASSERT_TRUE(run.timed_run) << "a device candidate must be device-timed";
        EXPECT_GE(run.calls_per_timed_run, 1);
        EXPECT_GT(run.timed_run(), 0.0);
        ++gated;
      }
    }
    EXPECT_GT(gated, 0);
  }

  Registry registry_;
};

}  // namespace

TEST_F(CudaCandidates, Gelu) {
  // 1027 and 2^20 + 5: a scalar tail after the float4 body.
  check_all("gelu", {{{"n", 1}}, {{"n", 3}}, {{"n", 1027}}, {{"n", (1 << 20) + 5}}});
}

TEST_F(CudaCandidates, BiasResidualLayerNorm) {
  check_all("bias_residual_layernorm",
            {{{"rows", 1}, {"cols", 2}},
             {{"rows", 3}, {"cols", 7}},        // scalar path, one partial warp
             {{"rows", 5}, {"cols", 1023}},     // scalar, 2 columns per thread
             {{"rows", 17}, {"cols", 1024}},    // float4, 256 threads
             {{"rows", 9}, {"cols", 4100}},     // float4, 2 groups per thread, partial block
             {{"rows", 3}, {"cols", 8193}},     // too long for registers (scalar): streaming
             {{"rows", 2}, {"cols", 40000}}});  // too long for registers (float4): streaming
}

TEST_F(CudaCandidates, Matmul) {
  check_all("matmul", {{{"m", 1}, {"n", 1}, {"k", 1}},
                       {{"m", 65}, {"n", 33}, {"k", 17}},
                       {{"m", 100}, {"n", 200}, {"k", 300}},
                       {{"m", 128}, {"n", 128}, {"k", 128}},
                       {{"m", 7}, {"n", 1000}, {"k", 513}}});
}

TEST_F(CudaCandidates, LinearRecurrence) {
  check_all("linear_recurrence",
            {{{"t", 1}, {"b", 1}, {"c", 1}},
             {{"t", 7}, {"b", 3}, {"c", 5}},
             {{"t", 1000}, {"b", 1}, {"c", 3}},      // one step per chunk
             {{"t", 4097}, {"b", 2}, {"c", 33}},     // chunks of uneven length
             {{"t", 3}, {"b", 1000}, {"c", 300}}});  // lanes fill the GPU: one chunk
}

TEST(CudaDevice, CopyBandwidthIsPositive) {
  if (auto why = kernels::cuda_device_unavailable()) GTEST_SKIP() << *why;
  const auto bw = kernels::measure_gpu_copy_bandwidth(size_t{64} << 20, 3);
  EXPECT_GT(bw.gbs, 0);
  EXPECT_FALSE(bw.device.empty());
}

TEST(CudaDevice, UnavailableReasonNamesTheCall) {
  // On a machine without a GPU the reason says what failed; with one it is
  // nullopt. Either way the call returns (no crash without a driver).
  const auto why = kernels::cuda_device_unavailable();
  if (why) EXPECT_NE(why->find("no CUDA device"), std::string::npos) << *why;
}
