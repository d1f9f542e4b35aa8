// The worthit binary's exit codes and messages for the harness verbs.
#include <filesystem>

#include <gtest/gtest.h>

#include "run_shell.h"
#include "worthit/results/results_json.h"

namespace {

using Outcome = worthit::test::ShellOutcome;

// Benches here measure no ceilings unless a test asks (env = "" then).
Outcome run(const std::string& args, const std::string& env = "WORTHIT_NO_CALIBRATE=1") {
  return worthit::test::run_shell(env + " " + std::string(WORTHIT_BIN) + " " + args);
}

int count_lines(const std::string& s) {
  return static_cast<int>(std::count(s.begin(), s.end(), '\n'));
}

}  // namespace

TEST(BenchCli, HelpExitsZeroForEveryVerb) {
  for (const char* verb : {"", "list", "bench", "calibrate", "profile", "report", "compare"}) {
    const auto o = run(std::string(verb) + " --help");
    EXPECT_EQ(o.code, 0) << verb << ": " << o.output;
    EXPECT_NE(o.output.find("Usage"), std::string::npos) << verb;
  }
}

TEST(BenchCli, BadArgumentsExitTwoWithOneLine) {
  for (const char* args :
       {"", "bench --workload no_such_workload", "bench --backend no_such_backend",
        "bench --threads 0", "bench --repetitions -3", "bench --sizes n=abc", "bench --sizes q=5",
        "bench --no-such-flag", "no-such-verb", "bench --plugin /no/such/file.py"}) {
    const auto o = run(args);
    EXPECT_EQ(o.code, 2) << "'" << args << "': " << o.output;
    EXPECT_EQ(count_lines(o.output), 1) << "'" << args << "' should explain itself in one line:\n"
                                        << o.output;
  }
}

TEST(BenchCli, UnknownWorkloadNamesIt) {
  const auto o = run("bench --workload gleu");
  EXPECT_EQ(o.code, 2);
  EXPECT_NE(o.output.find("'gleu'"), std::string::npos) << o.output;
}

TEST(BenchCli, ListNamesTheBuiltInWorkloads) {
  const auto o = run("list");
  EXPECT_EQ(o.code, 0) << o.output;
  for (const char* w : {"gelu", "bias_residual_layernorm", "matmul", "linear_recurrence"})
    EXPECT_NE(o.output.find(w), std::string::npos) << w;
}

TEST(BenchCli, QuickRunWritesAValidResultsFile) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("worthit_cli_" + std::to_string(::getpid()) + ".json");
  const auto o =
      run("bench --quick --workload gelu --backend 'cpp-*' --min-time 0.001 "
          "--repetitions 3 -o " +
          path.string());
  ASSERT_EQ(o.code, 0) << o.output;
  EXPECT_NE(o.output.find("round 3, "), std::string::npos) << "progress goes to stderr";
  EXPECT_EQ(o.output.find("round 4, "), std::string::npos) << "-r 3 alone is a fixed count";
  const auto file = worthit::read_results(path);
  std::filesystem::remove(path);
  ASSERT_FALSE(file.results.empty());
  for (const auto& r : file.results) {
    EXPECT_EQ(r.workload, "gelu");
    EXPECT_EQ(r.status, worthit::ResultStatus::ok) << r.candidate << ": " << r.reason;
    EXPECT_EQ(r.samples_ns.size(), 3u);
    EXPECT_EQ(r.stop_reason, "repetitions");
    EXPECT_TRUE(r.correctness.passed);
  }
  // One host probe before each of the case's 3 rounds, and the verdict on it.
  ASSERT_TRUE(file.host.has_value());
  EXPECT_EQ(file.host->probe_ns.size(), 3u);
  EXPECT_NE(o.output.find(describe(*file.host)), std::string::npos) << o.output;
}

TEST(BenchCli, ProcessesPoolFreshProcessesIntoOneFile) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("worthit_cli_p" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const auto path = dir / "pooled.json";
  const auto o =
      run("bench --quick --workload gelu --backend 'cpp-*' --min-time 0.001 "
          "--repetitions 3 --processes 2 -o " +
          path.string());
  ASSERT_EQ(o.code, 0) << o.output;
  EXPECT_NE(o.output.find("process 2/2"), std::string::npos);
  const auto file = worthit::read_results(path);
  EXPECT_EQ(file.settings.processes, 2);
  ASSERT_FALSE(file.results.empty());
  for (const auto& r : file.results) {
    ASSERT_EQ(r.status, worthit::ResultStatus::ok) << r.candidate << ": " << r.reason;
    EXPECT_EQ(r.samples_ns.size(), 6u);
    EXPECT_EQ(r.sample_process, (std::vector<int>{0, 0, 0, 1, 1, 1}));
    EXPECT_EQ(r.stats.n, 6);
  }
  ASSERT_TRUE(file.host.has_value());
  EXPECT_EQ(file.host->probe_ns.size(), 6u) << "both processes' probes, pooled";
  // Only the pooled file is left: the processes' own files are gone.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
  fs::remove_all(dir);
}

TEST(BenchCli, FirstBenchCalibratesOnceAndKeepsIt) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("worthit_cli_cal" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path cal = dir / "calibration.json";
  const std::string env = "WORTHIT_NO_CALIBRATE= WORTHIT_CALIBRATION=" + cal.string();
  const std::string args =
      "bench --quick --workload gelu --backend cpp-scalar --min-time 0.001 --repetitions 2 -o ";

  // --no-calibrate: no measurement, no file, no ceilings.
  auto o = run("--no-calibrate " + args + (dir / "a.json").string(), env);
  ASSERT_NE(o.code, 0) << "--no-calibrate is a bench option, not a global one";
  o = run(args + (dir / "a.json").string() + " --no-calibrate", env);
  ASSERT_EQ(o.code, 0) << o.output;
  EXPECT_EQ(o.output.find("no calibration at"), std::string::npos) << o.output;
  EXPECT_FALSE(fs::exists(cal));
  EXPECT_FALSE(worthit::read_results(dir / "a.json").calibration.has_value());

  // The first bench measures the ceilings, says so, and keeps them.
  o = run(args + (dir / "b.json").string(), env);
  ASSERT_EQ(o.code, 0) << o.output;
  EXPECT_NE(o.output.find("no calibration at " + cal.string()), std::string::npos) << o.output;
  EXPECT_NE(o.output.find("calibrated in "), std::string::npos) << o.output;
  ASSERT_TRUE(fs::exists(cal));
  const auto b = worthit::read_results(dir / "b.json");
  ASSERT_TRUE(b.calibration.has_value());
  EXPECT_GT(b.calibration->memory_bandwidth_gbs, 0);
  ASSERT_FALSE(b.results.empty());
  EXPECT_GT(b.results[0].pct_bandwidth, 0) << "the table's ceiling column is filled";

  // The next one uses them without measuring again.
  o = run(args + (dir / "c.json").string(), env);
  ASSERT_EQ(o.code, 0) << o.output;
  EXPECT_EQ(o.output.find("no calibration at"), std::string::npos) << o.output;
  EXPECT_EQ(worthit::read_results(dir / "c.json").calibration->created, b.calibration->created);
  fs::remove_all(dir);
}
