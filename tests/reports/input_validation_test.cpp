// Issue 16 in worthit::reports: Google Benchmark input, policy ranges, the
// rank test on NaN, pooling bounds and the one source-file resolver.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cmath>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "worthit/reports/compare.h"
#include "worthit/reports/maintenance.h"
#include "worthit/reports/policy.h"
#include "worthit/reports/rank_test.h"
#include "worthit/results/file_io.h"

namespace worthit::reports {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string gb_error(const std::string& entry) {
  try {
    benchmark_set_from_json(json::parse(R"({"benchmarks": [)" + entry + "]}"), "gb.json");
    return "";
  } catch (const FileError& e) {
    return e.what();
  }
}

TEST(GoogleBenchmarkInput, WrongTypesAndNonsenseTimesNameTheEntry) {
  struct Row {
    const char* entry;
    const char* expected;
  };
  const std::vector<Row> rows = {
      {R"({"name": "a", "real_time": 5, "time_unit": 3})",
       "gb.json: benchmarks[0].time_unit: expected a string, got number 3"},
      {R"({"name": "a", "real_time": 5, "error_occurred": "yes"})",
       "gb.json: benchmarks[0].error_occurred: expected a boolean, got string \"yes\""},
      {R"({"name": "a", "real_time": 1e308, "time_unit": "s"})",
       "gb.json: benchmarks[0].real_time: inf is not a positive time in nanoseconds"},
      // Finite but no time per call: above the one bound every reader applies.
      {R"({"name": "a", "real_time": 1.5e308, "time_unit": "ns"})",
       "gb.json: benchmarks[0].real_time: 1.5e+308 is not a positive time in nanoseconds"},
      {R"({"name": "a", "real_time": 2e9, "time_unit": "s"})",
       "gb.json: benchmarks[0].real_time: 2e+18 is not a positive time in nanoseconds"},
      {R"({"name": "a", "real_time": -3})",
       "gb.json: benchmarks[0].real_time: -3 is not a positive time in nanoseconds"},
      {R"({"name": "a", "real_time": 0})",
       "gb.json: benchmarks[0].real_time: 0 is not a positive time in nanoseconds"},
      {R"({"name": 7, "real_time": 1})", "gb.json: benchmarks[0].name: expected a string"},
      {R"({"name": "a", "run_type": 1, "real_time": 1})",
       "benchmarks[0].run_type: expected a string"},
  };
  for (const auto& row : rows)
    EXPECT_NE(gb_error(row.entry).find(row.expected), std::string::npos)
        << row.entry << " -> '" << gb_error(row.entry) << "'";
  EXPECT_EQ(gb_error(R"({"name": "a", "real_time": 1.5, "time_unit": "us"})"), "");
}

TEST(GoogleBenchmarkInput, TopLevelShapeErrorsNameTheFile) {
  for (const char* doc : {R"({"benchmarks": {"a": 1}})", R"({"benchmarks": [5]})"}) {
    try {
      benchmark_set_from_json(json::parse(doc), "gb.json");
      ADD_FAILURE() << doc;
    } catch (const FileError& e) {
      EXPECT_TRUE(std::string(e.what()).starts_with("gb.json: benchmarks")) << e.what();
    }
  }
}

std::string policy_error(const std::string& doc) {
  try {
    policy_from_json(json::parse(doc));
    return "";
  } catch (const SchemaError& e) {
    return e.what();
  }
}

TEST(PolicyRanges, NonsenseThresholdsAreRefused) {
  struct Row {
    const char* doc;
    const char* expected;
  };
  const std::vector<Row> rows = {
      {R"({"bootstrap_resamples": 0})", "policy.bootstrap_resamples: 0 is outside 100..100000"},
      {R"({"bootstrap_resamples": -5})", "policy.bootstrap_resamples: -5 is outside"},
      {R"({"bootstrap_resamples": 2e9})",
       "policy.bootstrap_resamples: 2000000000 is outside 100..100000"},
      {R"({"required_speedup": {"low": -1.5}})",
       "policy.required_speedup.low: -1.5 is outside 1..1000"},
      {R"({"required_speedup": {"high": 0.5}})", "policy.required_speedup.high: 0.5 is outside"},
      {R"({"min_jit_speedup": 0})", "policy.min_jit_speedup: 0 is outside"},
      {R"({"min_samples": 1e300})", "policy.min_samples: 1e+300 does not fit"},
      {R"({"min_end_to_end_gain": -0.1})", "policy.min_end_to_end_gain: -0.1 is outside 0..1"},
      {R"({"confidence": 1.5})", "policy.confidence: 1.5 is outside"},
      {R"({"cost_thresholds": {"high": {"files": -1}}})", "policy.cost_thresholds.high.files: -1"},
      {R"({"max_cv": "high"})", "policy.max_cv: expected a number, got string"},
  };
  for (const auto& row : rows)
    EXPECT_NE(policy_error(row.doc).find(row.expected), std::string::npos)
        << row.doc << " -> '" << policy_error(row.doc) << "'";
  EXPECT_EQ(policy_error(R"({"bootstrap_resamples": 100, "required_speedup": {"low": 1}})"), "");
}

TEST(RankTest, NaNIsLeftOutAndTheTieLoopEnds) {
  const double nan = std::nan("");
  const std::vector<double> a = {1, 2, nan, 3, 4, nan};
  const std::vector<double> b = {nan, 5, 6, 7, 8};
  const auto with_nan = mann_whitney_u(a, b);
  const auto without =
      mann_whitney_u(std::vector<double>{1, 2, 3, 4}, std::vector<double>{5, 6, 7, 8});
  EXPECT_EQ(with_nan.u, without.u);
  EXPECT_EQ(with_nan.p_value, without.p_value);
  EXPECT_EQ(mann_whitney_u(std::vector<double>{nan, nan}, b).p_value, 1.0);
  // Ties, negatives and infinities rank like any value.
  const auto inf = mann_whitney_u(std::vector<double>{-INFINITY, -1, -1, 0},
                                  std::vector<double>{0, 1, INFINITY, INFINITY});
  EXPECT_TRUE(inf.ties);
  EXPECT_GE(inf.p_value, 0.0);
  EXPECT_LE(inf.p_value, 1.0);
}

TEST(Pooling, ProcessNumbersCannotOverflow) {
  BenchmarkSet a;
  a.path = "a.json";
  a.format = "worthit";
  a.benchmarks.push_back({"x", {1, 2}, "ok", "", "g", "b", {INT_MAX - 1, INT_MAX - 1}});
  std::vector<std::string> warnings;
  BenchmarkSet b = a;
  b.path = "b.json";
  try {
    pool_runs({a, b}, warnings);
    ADD_FAILURE() << "pooled past INT_MAX";
  } catch (const FileError& e) {
    EXPECT_NE(std::string(e.what()).find("b.json: too many bench processes"), std::string::npos)
        << e.what();
  }
}

class SourceResolver : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() /
            ("worthit_sources_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    root_ = base_ / "root";
    fs::create_directories(root_ / "src");
    std::ofstream(root_ / "src" / "k.cpp") << "int f(int x) { return x ? 1 : 2; }\n";
    std::ofstream(base_ / "secret.cpp") << "int secret;\n";
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(base_, ec);
  }
  fs::path base_, root_;
};

TEST_F(SourceResolver, ReadsRegularFilesInsideTheRoot) {
  const auto f = read_source_file(root_, "src/k.cpp");
  EXPECT_EQ(f.refused, "");
  EXPECT_EQ(f.text, "int f(int x) { return x ? 1 : 2; }\n");
  EXPECT_EQ(f.path, fs::canonical(root_ / "src" / "k.cpp"));
  EXPECT_EQ(read_source_file(root_, (root_ / "src" / "k.cpp").string()).refused, "");
  EXPECT_EQ(read_source_file(root_, "src/../src/k.cpp").refused, "");
  fs::create_symlink("k.cpp", root_ / "src" / "alias.cpp");
  EXPECT_EQ(read_source_file(root_, "src/alias.cpp").refused, "") << "a link within the root";
}

TEST_F(SourceResolver, RefusesEverythingElse) {
  fs::create_symlink(base_ / "secret.cpp", root_ / "src" / "escape.cpp");
  ASSERT_EQ(::mkfifo((root_ / "src" / "pipe.cpp").c_str(), 0600), 0);
  fs::create_directories(root_ / "src" / "folder.cpp");
  {
    std::ofstream big(root_ / "src" / "big.cpp");
    big << std::string(kMaxSourceBytes + 1, 'x');
  }
  struct Row {
    std::string registered;
    std::string reason;
  };
  const std::vector<Row> rows = {
      {"../secret.cpp", "outside the source root"},
      {"../../../../../../etc/shadow", "outside the source root"},
      {"/etc/passwd", "outside the source root"},
      {"/dev/zero", "outside the source root"},
      {"src/escape.cpp", "outside the source root"},  // a link leading out
      {"src/pipe.cpp", "not a regular file"},         // would block forever
      {"src/folder.cpp", "not a regular file"},
      {"src/big.cpp", "larger than 8 MiB"},
      {"src/none.cpp", "not found"},
      {"", "not a file name"},
  };
  for (const auto& row : rows) {
    const auto f = read_source_file(root_, row.registered);
    EXPECT_EQ(f.refused, row.reason) << row.registered;
    EXPECT_TRUE(f.text.empty()) << row.registered;
  }
  // /dev/zero as the root itself is not a folder of sources either.
  EXPECT_EQ(read_source_file("/dev", "zero").refused, "not a regular file");
}

TEST_F(SourceResolver, MetricsListRefusedFilesWithTheirReason) {
  const auto m = measure_sources({"src/k.cpp", "../../../../../../etc/shadow", "/dev/zero"}, {},
                                 root_, default_policy());
  EXPECT_EQ(m.file_count, 1);
  EXPECT_EQ(m.code_lines, 1) << "/etc/shadow must not be counted";
  ASSERT_EQ(m.missing.size(), 2u);
  EXPECT_EQ(m.missing_reasons,
            (std::vector<std::string>{"outside the source root", "outside the source root"}));
}

}  // namespace
}  // namespace worthit::reports
