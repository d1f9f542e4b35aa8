#include <gtest/gtest.h>

#include "worthit/reports/op_share.h"

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

TEST(Amdahl, Bound) {
  EXPECT_NEAR(amdahl(0.02, 10), 1.0 / (0.98 + 0.002), 1e-12);
  EXPECT_NEAR(amdahl(0.5, 2), 1.0 / 0.75, 1e-12);
  EXPECT_DOUBLE_EQ(amdahl(0, 100), 1.0);
}

}  // namespace
}  // namespace worthit::reports
