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
  EXPECT_EQ(to_json(shipped), to_json(default_policy()));
  // Read as plain JSON too: every field of the built-in policy is spelled out
  // in the file, so neither can lean on the other's defaults.
  EXPECT_EQ(parse_json_file(WORTHIT_TEST_DEFAULT_POLICY), to_json(default_policy()));
}

// Op patterns are keyed by the names of the built-in workloads, so a trace
// can give each of them a share.
TEST(Policy, OpPatternsAreKeyedByBuiltInWorkloads) {
  const Policy p = default_policy();
  for (const char* w : {"gelu", "bias_residual_layernorm", "matmul", "linear_recurrence",
                        "csv_parse", "image_augment"})
    EXPECT_TRUE(p.op_patterns.count(w)) << w;
  EXPECT_EQ(p.op_patterns.size(), 6u);
}

TEST(Policy, OpPatternsAndFamiliesMergePerKey) {
  const auto p = policy_from_json(nlohmann::json::parse(
      R"({"trace": {"op_patterns": {"gelu": ["my_gelu"]}},
          "framework_families": {"jax": ["jax*"]}})"));
  EXPECT_EQ(p.op_patterns.at("gelu"), std::vector<std::string>{"my_gelu"});
  EXPECT_EQ(p.op_patterns.at("matmul"), default_policy().op_patterns.at("matmul"));
  EXPECT_EQ(framework_family(p, "", "jax-jit"), "jax");
  EXPECT_EQ(framework_family(p, "", "torch"), "pytorch");
}

TEST(Policy, FrameworkFamilies) {
  const Policy p = default_policy();
  for (const char* b :
       {"torch", "torch.compile", "torch.jit", "libtorch", "torchscript", "libtorch-cuda",
        "libtorch-cuda-cold", "torch-ops", "torchvision-v2", "my-torch"})
    EXPECT_EQ(framework_family(p, "", b), "pytorch") << b;
  for (const char* b : {"tensorflow", "tensorflow-xla", "tf-decode-csv", "tf-image"})
    EXPECT_EQ(framework_family(p, "", b), "tensorflow") << b;
  for (const char* b : {"numpy", "numpy-loadtxt", "pandas-c", "pandas-pyarrow", "my-numpy-gelu"})
    EXPECT_EQ(framework_family(p, "", b), "numpy") << b;
  EXPECT_EQ(framework_family(p, "", "python-csv"), "python");
  EXPECT_EQ(framework_family(p, "", "my-kernel"), "other");
  EXPECT_EQ(framework_family(p, "jax", "my-kernel"), "jax");  // declared wins
  EXPECT_TRUE(is_shared_family(p, "python"));
  EXPECT_FALSE(is_shared_family(p, "pytorch"));
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
  EXPECT_TRUE(is_jit_backend(p, "torch.jit"));
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
