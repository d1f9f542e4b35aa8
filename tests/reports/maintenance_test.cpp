// Maintenance metrics on fixture sources (tests/reports/fixtures/src); the
// expected numbers are counted by hand in each fixture's comments.
#include <gtest/gtest.h>

#include <algorithm>

#include "worthit/reports/maintenance.h"

namespace worthit::reports {
namespace {

const std::filesystem::path kRoot = WORTHIT_TEST_FIXTURES;

FileMetrics measure(const std::string& file) {
  auto m = measure_sources({"src/" + file}, {}, kRoot, default_policy());
  EXPECT_EQ(m.files.size(), 1u) << file;
  return m.files.empty() ? FileMetrics{} : m.files.front();
}

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(Maintenance, CppLinesCommentsStringsAndBranches) {
  const auto f = measure("scalar.cpp");
  EXPECT_EQ(f.language, "c++");
  EXPECT_EQ(f.code_lines, 11);
  EXPECT_EQ(f.comment_lines, 3);
  EXPECT_EQ(f.blank_lines, 1);
  // for, if, &&, two ?: -- the keywords inside the string and comments do not count.
  EXPECT_EQ(f.decision_points, 5);
  EXPECT_TRUE(f.toolchains.empty());
  EXPECT_TRUE(f.isa.empty());
}

TEST(Maintenance, IntrinsicsAndTargetAttributesAreIsaSpecific) {
  const auto f = measure("simd_avx2.cpp");
  EXPECT_EQ(f.code_lines, 6);
  EXPECT_TRUE(has(f.isa, "avx2"));
  EXPECT_TRUE(has(f.isa, "fma"));
  EXPECT_TRUE(has(f.isa, "x86-simd"));
  const auto m = measure_sources({"src/simd_avx2.cpp"}, {}, kRoot, default_policy());
  EXPECT_EQ(m.hardware, "isa-specific");
  EXPECT_EQ(m.cost, CostLevel::medium);  // the default policy lists isa-specific as medium
}

TEST(Maintenance, CudaNeedsNvccAndADevice) {
  const auto f = measure("kernel.cu");
  EXPECT_EQ(f.language, "cuda");
  EXPECT_EQ(f.code_lines, 5);
  EXPECT_EQ(f.comment_lines, 1);
  EXPECT_EQ(f.decision_points, 1);
  EXPECT_TRUE(f.cuda);
  EXPECT_TRUE(has(f.toolchains, "nvcc"));
  const auto m = measure_sources({"src/kernel.cu"}, {}, kRoot, default_policy());
  EXPECT_EQ(m.hardware, "cuda-only");
  EXPECT_EQ(m.cost, CostLevel::high);
}

TEST(Maintenance, CythonDocstringsAndOpenMP) {
  const auto f = measure("fast.pyx");
  EXPECT_EQ(f.language, "cython");
  EXPECT_EQ(f.code_lines, 7);
  EXPECT_EQ(f.comment_lines, 3);  // the # line and the two docstring lines
  EXPECT_EQ(f.blank_lines, 1);
  EXPECT_EQ(f.decision_points, 1);
  EXPECT_TRUE(has(f.toolchains, "cython"));
  EXPECT_TRUE(has(f.toolchains, "openmp"));
}

TEST(Maintenance, PythonBranchesAndDocstring) {
  const auto f = measure("plain.py");
  EXPECT_EQ(f.language, "python");
  EXPECT_EQ(f.code_lines, 9);
  EXPECT_EQ(f.comment_lines, 2);
  EXPECT_EQ(f.decision_points, 4);  // for, if, or, the conditional expression's if
  EXPECT_TRUE(f.toolchains.empty());
}

TEST(Maintenance, PythonCApiNeedsHeadersAndPreprocessorIsNotBranching) {
  const auto f = measure("capi.c");
  EXPECT_EQ(f.code_lines, 9);
  EXPECT_EQ(f.decision_points, 0);
  EXPECT_TRUE(has(f.toolchains, "python-headers"));
  EXPECT_TRUE(has(f.toolchains, "openmp"));
}

TEST(Maintenance, TotalsAcrossFilesAndMissingFiles) {
  const auto m =
      measure_sources({"src/scalar.cpp", "src/simd_avx2.cpp", "src/kernel.cu", "src/fast.pyx",
                       "src/plain.py", "src/capi.c", "src/does_not_exist.cpp"},
                      {"extra-tool"}, kRoot, default_policy());
  EXPECT_EQ(m.file_count, 6);
  EXPECT_EQ(m.code_lines, 11 + 6 + 5 + 7 + 9 + 9);
  EXPECT_EQ(m.cyclomatic, (5 + 1) + 1 + (1 + 1) + (1 + 1) + (4 + 1) + 1);
  ASSERT_EQ(m.missing.size(), 1u);
  EXPECT_EQ(m.missing.front(), "src/does_not_exist.cpp");
  EXPECT_TRUE(has(m.toolchains, "extra-tool"));
  EXPECT_EQ(m.hardware, "cuda-only");
  EXPECT_EQ(m.cost, CostLevel::high);
}

TEST(Maintenance, SmallPortableCppIsLowCostAndUnknownWithoutSources) {
  EXPECT_EQ(measure_sources({"src/scalar.cpp"}, {}, kRoot, default_policy()).cost, CostLevel::low);
  EXPECT_EQ(measure_sources({}, {}, kRoot, default_policy()).cost, CostLevel::unknown);
  EXPECT_EQ(measure_sources({"src/nope.cpp"}, {}, kRoot, default_policy()).cost,
            CostLevel::unknown);
}

TEST(Maintenance, ThresholdsComeFromThePolicy) {
  Policy p = default_policy();
  p.medium.code_lines = 10;  // scalar.cpp has 11 code lines
  EXPECT_EQ(measure_sources({"src/scalar.cpp"}, {}, kRoot, p).cost, CostLevel::medium);
  p.high.cyclomatic = 6;  // and a cyclomatic estimate of 6
  EXPECT_EQ(measure_sources({"src/scalar.cpp"}, {}, kRoot, p).cost, CostLevel::high);
}

TEST(Maintenance, RawStringsAndBlockCommentsInline) {
  const auto f = measure_source_text("x.cpp",
                                     "int a = 1; /* if */ int b = 2;\n"
                                     "const char* r = R\"x(if (a) { for }\n"
                                     "while )x\";\n"
                                     "/* only\n comment */\n");
  EXPECT_EQ(f.code_lines, 3);
  EXPECT_EQ(f.comment_lines, 2);
  EXPECT_EQ(f.decision_points, 0);
}

}  // namespace
}  // namespace worthit::reports
