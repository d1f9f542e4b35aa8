#include <gtest/gtest.h>

#include "worthit/reports/op_share.h"
#include "worthit/reports/trace_share.h"

namespace worthit::reports {
namespace {

TEST(OpShare, UnionOfOpSlicesInsideSteps) {
  Policy p = default_policy();
  p.op_patterns["gelu"] = {"aten::gelu"};
  // Two steps of 1000 ns; gelu takes 100 + 150 (nested duplicate ignored) and
  // 50 ns outside any step that must not count.
  // The steps are marked by the trace library (worthit::trace::find_steps).
  const std::vector<Slice> slices{
      {"ProfilerStep#1", 0, 1000, true}, {"aten::gelu", 100, 100},
      {"aten::gelu", 120, 50},           {"ProfilerStep#2", 1000, 1000, true},
      {"aten::gelu", 1500, 150},         {"aten::mm", 1200, 300},
      {"aten::gelu", 2500, 50}};
  const auto s = op_share(slices, "gelu", p);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->steps, 2);
  EXPECT_EQ(s->step_ns, 2000);
  EXPECT_EQ(s->op_ns, 250);
  EXPECT_DOUBLE_EQ(s->share, 0.125);
}

TEST(OpShare, WholeSpanWithoutStepsAndNoMatch) {
  const Policy p = default_policy();
  const std::vector<Slice> slices{{"my_softmax_kernel", 0, 300}, {"other", 300, 700}};
  const auto s = op_share(slices, "softmax", p);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->step_source, "whole trace span");
  EXPECT_DOUBLE_EQ(s->share, 0.3);
  EXPECT_FALSE(op_share(slices, "gelu", p));
}

// A real torch.profiler trace of two CPU training steps of Linear -> GELU ->
// LayerNorm -> Linear (fixtures/make_torch_profiler_trace.py): the default op
// patterns give the three workloads in it a share, counting forward ops,
// backward ops and autograd nodes, and the others none.
TEST(OpShare, DefaultPatternsOnARealTorchProfilerTrace) {
  if (!trace_reader_available()) GTEST_SKIP() << "built without the trace reader";
  const auto shares = op_shares_from_trace(
      std::string(WORTHIT_TEST_FIXTURES) + "/torch_profiler_mlp.json",
      {"gelu", "bias_residual_layernorm", "matmul", "linear_recurrence", "csv_parse"},
      default_policy());
  ASSERT_TRUE(shares.count("gelu"));
  ASSERT_TRUE(shares.count("bias_residual_layernorm"));
  ASSERT_TRUE(shares.count("matmul"));
  EXPECT_FALSE(shares.count("linear_recurrence"));
  EXPECT_FALSE(shares.count("csv_parse"));
  // aten::gelu, aten::gelu_backward, GeluBackward0 and its autograd wrapper, twice.
  EXPECT_EQ(shares.at("gelu").op_slices, 8);
  EXPECT_EQ(shares.at("bias_residual_layernorm").op_slices, 10);
  // aten::linear, aten::addmm, aten::mm (backward), AddmmBackward0 and its wrapper.
  EXPECT_EQ(shares.at("matmul").op_slices, 22);
  for (const auto& [w, s] : shares) {
    EXPECT_EQ(s.steps, 2) << w;
    EXPECT_GT(s.share, 0.02) << w;
    EXPECT_LT(s.share, 0.5) << w;
  }
  // Python computed the same unions independently: 10.5%, 6.4%, 21.9%.
  EXPECT_NEAR(shares.at("gelu").share, 0.1046, 0.001);
  EXPECT_NEAR(shares.at("bias_residual_layernorm").share, 0.0636, 0.001);
  EXPECT_NEAR(shares.at("matmul").share, 0.2191, 0.001);
}

TEST(Amdahl, Bound) {
  EXPECT_NEAR(amdahl(0.02, 10), 1.0 / (0.98 + 0.002), 1e-12);
  EXPECT_NEAR(amdahl(0.5, 2), 1.0 / 0.75, 1e-12);
  EXPECT_DOUBLE_EQ(amdahl(0, 100), 1.0);
}

}  // namespace
}  // namespace worthit::reports
