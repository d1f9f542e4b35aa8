// Every candidate of every built-in workload passes the correctness gate
// against the double-precision reference, on the quick sizes and on awkward
// sizes, with several thread counts.
#include <gtest/gtest.h>

#include <cctype>
#include <ostream>
#include <string>
#include <vector>

#include "kernel_test_support.h"
#include "worthit/harness/gate.h"

namespace worthit::test {
namespace {

struct GateCase {
  std::string workload;
  std::string backend;
};

// Readable names in ctest's listing instead of the struct's bytes.
void PrintTo(const GateCase& c, std::ostream* os) { *os << c.workload << "/" << c.backend; }

// One test per candidate (each test is a process under ctest, and loading
// libtorch costs seconds); the sizes and thread counts loop inside.
std::vector<GateCase> all_cases() {
  std::vector<GateCase> cases;
  for (const char* name : kCpuWorkloads)
    for (const Candidate* c : builtin_registry().candidates(name)) {
      if (c->device != "cpu") continue;  // GPU candidates are tested with the CUDA code
      cases.push_back({name, c->backend});
    }
  return cases;
}

class CandidateGate : public ::testing::TestWithParam<GateCase> {};

TEST_P(CandidateGate, MatchesReferenceOnQuickAndAwkwardSizes) {
  const GateCase& gc = GetParam();
  const Workload& w = *builtin_registry().find_workload(gc.workload);
  const Candidate& c = find_candidate(gc.workload, gc.backend);
  if (auto why = c.unavailable()) GTEST_SKIP() << *why;

  std::vector<std::pair<std::map<std::string, int64_t>, int>> runs;  // size, threads
  for (const Size& s : w.quick_sizes()) runs.push_back({s.params, 2});
  for (const auto& p : awkward_sizes(gc.workload))
    for (int threads : {1, 3}) runs.push_back({p, threads});

  int checked = 0;
  for (const auto& [params, threads] : runs) {
    const Size size = w.make_size(params);
    SCOPED_TRACE(c.name() + " at " + size.label + ", " + std::to_string(threads) + " threads");
    if (c.skip(size)) continue;
    const Buffers inputs = w.make_inputs(size, 7);
    Buffers expected = w.make_outputs(size);
    w.reference(inputs, expected);
    Buffers outputs = w.make_outputs(size);
    RunContext ctx;
    ctx.threads = threads;
    const PreparedRun run = c.prepare(inputs, outputs, ctx);
    const Correctness first = run_correctness_gate(w, run, expected, outputs);
    EXPECT_TRUE(first.passed) << first.detail;
    EXPECT_EQ(first.nonfinite, 0);
    // A second call on the same prepared run (as timing does) is still right.
    const Correctness second = run_correctness_gate(w, run, expected, outputs);
    EXPECT_TRUE(second.passed) << "second call: " << second.detail;
    ++checked;
  }
  EXPECT_GT(checked, 0) << "every size skipped";
}

INSTANTIATE_TEST_SUITE_P(Builtin, CandidateGate, ::testing::ValuesIn(all_cases()),
                         [](const auto& info) {
                           std::string s = info.param.workload + "_" + info.param.backend;
                           for (char& ch : s)
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return s;
                         });

// The framework candidates are registered in every build; without libtorch
// they say why they cannot run, and the skip names the reason.
class TorchCandidate : public ::testing::TestWithParam<std::pair<std::string, std::string>> {};

TEST_P(TorchCandidate, AvailableOrSaysWhy) {
  const auto& [workload, backend] = GetParam();
  const Candidate& c = find_candidate(workload, backend);
  EXPECT_TRUE(c.framework);
  if (auto why = c.unavailable()) {
    EXPECT_NE(why->find("libtorch"), std::string::npos) << *why;
    GTEST_SKIP() << *why;  // "built without libtorch (...)"
  }
  const Workload& w = *builtin_registry().find_workload(workload);
  const Size size = w.quick_sizes().front();
  const Buffers inputs = w.make_inputs(size, 1);
  Buffers expected = w.make_outputs(size);
  w.reference(inputs, expected);
  Buffers outputs = w.make_outputs(size);
  const PreparedRun run = c.prepare(inputs, outputs, RunContext{});
  EXPECT_TRUE(run_correctness_gate(w, run, expected, outputs).passed);
}

INSTANTIATE_TEST_SUITE_P(
    Builtin, TorchCandidate,
    ::testing::Values(std::pair<std::string, std::string>{"gelu", "libtorch"},
                      std::pair<std::string, std::string>{"gelu", "torchscript"},
                      std::pair<std::string, std::string>{"bias_residual_layernorm", "libtorch"},
                      std::pair<std::string, std::string>{"bias_residual_layernorm", "torchscript"},
                      std::pair<std::string, std::string>{"matmul", "libtorch"},
                      std::pair<std::string, std::string>{"linear_recurrence", "libtorch"},
                      std::pair<std::string, std::string>{"linear_recurrence", "torchscript"}),
    [](const auto& info) { return info.param.first + "_" + info.param.second; });

}  // namespace
}  // namespace worthit::test
