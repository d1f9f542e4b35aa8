#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "worthit/reports/policy.h"
#include "worthit/results/file_io.h"

namespace worthit::reports {
namespace {

// The shipped file and the built-in default must say the same thing, since
// `worthit report` without --policy uses the built-in one.
TEST(Policy, ShippedDefaultFileEqualsBuiltInDefault) {
  const Policy shipped = load_policy(WORTHIT_TEST_DEFAULT_POLICY);
  nlohmann::json a = to_json(shipped), b = to_json(default_policy());
  a["trace"].erase("op_patterns");
  b["trace"].erase("op_patterns");
  EXPECT_EQ(a, b);
  EXPECT_FALSE(shipped.op_patterns.empty());
}

TEST(Policy, OverridesKeepOtherDefaults) {
  const auto p = policy_from_json(
      nlohmann::json::parse(R"({"min_end_to_end_gain": 0.2, "required_speedup": {"high": 3}})"));
  EXPECT_DOUBLE_EQ(p.min_end_to_end_gain, 0.2);
  EXPECT_DOUBLE_EQ(p.required_speedup.at("high"), 3);
  EXPECT_DOUBLE_EQ(p.required_speedup.at("low"), default_policy().required_speedup.at("low"));
  EXPECT_EQ(p.min_samples, default_policy().min_samples);
}

TEST(Policy, RejectsTyposAndBadValues) {
  EXPECT_THROW(policy_from_json(nlohmann::json::parse(R"({"min_end_to_end_gian": 0.2})")),
               SchemaError);
  EXPECT_THROW(policy_from_json(nlohmann::json::parse(R"({"required_speedup": {"huge": 3}})")),
               SchemaError);
  EXPECT_THROW(policy_from_json(nlohmann::json::parse(R"({"max_cv": "high"})")), SchemaError);
  EXPECT_THROW(policy_from_json(nlohmann::json::parse(R"({"confidence": 1.5})")), SchemaError);
}

TEST(Policy, JitBackendsByGlob) {
  const Policy p = default_policy();
  EXPECT_TRUE(is_jit_backend(p, "torch.compile"));
  EXPECT_TRUE(is_jit_backend(p, "torchscript"));
  EXPECT_TRUE(is_jit_backend(p, "tensorflow-xla"));
  EXPECT_FALSE(is_jit_backend(p, "libtorch"));
  EXPECT_FALSE(is_jit_backend(p, "numpy"));
}

TEST(Glob, StarAndQuestionMark) {
  EXPECT_TRUE(glob_match("ProfilerStep*", "ProfilerStep#3"));
  EXPECT_TRUE(glob_match("*gelu*", "void gelu_kernel<float>"));
  EXPECT_TRUE(glob_match("a?c", "abc"));
  EXPECT_FALSE(glob_match("a?c", "ac"));
  EXPECT_FALSE(glob_match("step*", "ProfilerStep#1"));
  EXPECT_TRUE(glob_match("*", ""));
}

}  // namespace
}  // namespace worthit::reports
