// Exit codes and error messages of `worthit report` and `worthit compare`,
// run as the built binary.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "worthit/reports/trace_share.h"

namespace {

namespace fs = std::filesystem;

struct CommandResult {
  int code = -1;
  std::string output;  // stdout and stderr together
};

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("worthit-reports-cli-" + std::to_string(::getpid()) + "-" + info->name());
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  fs::path file(const std::string& name, const std::string& content) {
    const auto p = dir_ / name;
    std::ofstream(p) << content;
    return p;
  }

  std::string read(const std::string& name) {
    std::ifstream in(dir_ / name);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  CommandResult run(const std::string& args, const std::string& env = "") {
    const auto out = dir_ / "output.txt";
    const std::string cmd = "cd '" + dir_.string() + "' && " + env + " '" WORTHIT_BIN "' " + args +
                            " > '" + out.string() + "' 2>&1";
    CommandResult r;
    const int status = std::system(cmd.c_str());
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream in(out);
    std::stringstream ss;
    ss << in.rdbuf();
    r.output = ss.str();
    return r;
  }

  fs::path gbench(const std::string& name, double work_factor) {
    const auto p = dir_ / name;
    const std::string cmd = "WORTHIT_TEST_WORK_FACTOR=" + std::to_string(work_factor) + " '" +
                            WORTHIT_TEST_GBENCH +
                            "' --benchmark_repetitions=9 --benchmark_min_time=0.01 "
                            "--benchmark_out_format=json --benchmark_out='" +
                            p.string() + "' > /dev/null 2>&1";
    EXPECT_EQ(std::system(cmd.c_str()), 0);
    return p;
  }

  fs::path dir_;
};

// A worthit results file with one ok candidate at `median_ns` and a custom
// one `custom_speedup` times faster.
std::string results(double median_ns, int n = 10, const std::string& cpu = "Test CPU",
                    double custom_speedup = 4) {
  nlohmann::json samples = nlohmann::json::array();
  for (int i = 0; i < n; ++i) samples.push_back(median_ns * (1 + 0.002 * (i % 5 - 2)) + i * 1e-3);
  nlohmann::json fw = {{"workload", "gelu"},
                       {"size", "n=1024"},
                       {"candidate", "gelu/libtorch"},
                       {"backend", "libtorch"},
                       {"framework", true},
                       {"status", "ok"},
                       {"samples_ns", samples},
                       {"stats", {{"n", n}, {"median_ns", median_ns}}}};
  nlohmann::json custom = fw;
  custom["candidate"] = "gelu/cpp-simd";
  custom["backend"] = "cpp-simd";
  custom["framework"] = false;
  nlohmann::json cs = nlohmann::json::array();
  for (const auto& s : samples) cs.push_back(s.get<double>() / custom_speedup);
  custom["samples_ns"] = cs;
  return nlohmann::json{{"schema", "worthit.results"},
                        {"schema_version", 1},
                        {"machine", {{"cpu_model", cpu}, {"physical_cores", 2}}},
                        {"results", {fw, custom}}}
      .dump(1);
}

TEST_F(CliTest, CompareExitsZeroWhenUnchangedAndOneOnRegression) {
  const auto base = file("base.json", results(1000));
  EXPECT_EQ(run("compare base.json same.json", "").code, 2);  // same.json does not exist
  file("same.json", results(1000));
  auto r = run("compare base.json same.json --md summary.md --json out.json");
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_TRUE(fs::exists(dir_ / "summary.md"));
  file("slow.json", results(1200));
  r = run("compare base.json slow.json --json out.json");
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("regressed"), std::string::npos) << r.output;
  std::ifstream in(dir_ / "out.json");
  const auto j = nlohmann::json::parse(in);
  EXPECT_EQ(j["regression"], true);
  // Several runs per side are pooled; an empty name in the list is a usage error.
  EXPECT_EQ(run("compare base.json,same.json slow.json").code, 1);
  EXPECT_EQ(run("compare base.json,same.json same.json,base.json").code, 0);
  EXPECT_EQ(run("compare base.json, same.json").code, 2);
  // A higher threshold forgives a 20% slowdown.
  EXPECT_EQ(run("compare base.json slow.json --threshold 25%").code, 0);
}

TEST_F(CliTest, CompareWarnsWhenMachinesDiffer) {
  file("base.json", results(1000));
  file("other.json", results(1000, 10, "Other CPU"));
  const auto r = run("compare base.json other.json");
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("machine differs"), std::string::npos) << r.output;
}

TEST_F(CliTest, CompareBadInputIsExitTwoWithFileAndPosition) {
  file("base.json", results(1000));
  file("broken.json", "{\"schema\": \"worthit.results\",\n \"results\": [1, 2,");
  auto r = run("compare base.json broken.json");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("broken.json:byte "), std::string::npos) << r.output;

  file("empty.json", "");
  r = run("compare base.json empty.json");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("empty.json:byte 0: empty file"), std::string::npos) << r.output;

  auto wrong = nlohmann::json::parse(results(1000));
  wrong["results"][1]["samples_ns"] = "fast";
  file("wrong.json", wrong.dump());
  r = run("compare base.json wrong.json");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("wrong.json: results[1]"), std::string::npos) << r.output;

  file("gb.json", R"({"benchmarks": [{"name": "BM_a", "real_time": 1, "time_unit": "ns"}]})");
  r = run("compare base.json gb.json");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("gb.json: is google-benchmark JSON"), std::string::npos) << r.output;

  EXPECT_EQ(run("compare base.json base.json --threshold 5").code, 2);
  EXPECT_EQ(run("compare base.json").code, 2);
}

TEST_F(CliTest, CompareGoogleBenchmarkFromARealBinary) {
  gbench("a.json", 1.0);
  gbench("b.json", 1.0);
  gbench("slow.json", 4.0);
  // The machine is shared with builds: a generous threshold keeps the A/A
  // check from flaking while the 4x planted slowdown stays far beyond it.
  auto r = run("compare a.json b.json --threshold 100% --json aa.json");
  EXPECT_EQ(r.code, 0) << r.output;
  std::ifstream in(dir_ / "aa.json");
  const auto j = nlohmann::json::parse(in);
  EXPECT_EQ(j["format"], "google-benchmark");
  ASSERT_EQ(j["benchmarks"].size(), 2u);
  EXPECT_EQ(j["benchmarks"][0]["base_n"], 9);  // repetitions, not aggregates
  r = run("compare a.json slow.json --threshold 100%");
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("BM_Sum/16384"), std::string::npos) << r.output;
}

TEST_F(CliTest, ReportWritesJsonAndMarkdown) {
  file("results.json", results(1000));
  const auto r = run("report results.json --share 30%");
  EXPECT_EQ(r.code, 0) << r.output;
  std::ifstream in(dir_ / "report.json");
  const auto j = nlohmann::json::parse(in);
  EXPECT_EQ(j["schema"], "worthit.report");
  EXPECT_EQ(j["schema_version"], 1);
  ASSERT_EQ(j["decisions"].size(), 1u);
  EXPECT_EQ(j["decisions"][0]["q1"]["share"], 0.3);
  EXPECT_TRUE(fs::exists(dir_ / "report.md"));
}

TEST_F(CliTest, ReportTakesTheOpShareFromATrace) {
  if (!worthit::reports::trace_reader_available()) GTEST_SKIP() << "built without worthit::trace";
  file("results.json", results(1000));
  // Three 1 ms steps, 250 us of aten::gelu in each: a 25% share.
  nlohmann::json events = nlohmann::json::array();
  for (int step = 0; step < 3; ++step) {
    events.push_back({{"name", "ProfilerStep#" + std::to_string(step)},
                      {"ph", "X"},
                      {"ts", step * 1000},
                      {"dur", 1000},
                      {"pid", 1},
                      {"tid", 1}});
    events.push_back({{"name", "aten::gelu"},
                      {"ph", "X"},
                      {"ts", step * 1000 + 100},
                      {"dur", 250},
                      {"pid", 1},
                      {"tid", 1}});
  }
  file("trace.json", nlohmann::json{{"traceEvents", events}}.dump());
  const auto r = run("report results.json --trace trace.json -o r.json --md -");
  EXPECT_EQ(r.code, 0) << r.output;
  std::ifstream in(dir_ / "r.json");
  const auto j = nlohmann::json::parse(in);
  EXPECT_EQ(j["decisions"][0]["q1"]["share_source"], "trace");
  EXPECT_NEAR(j["decisions"][0]["q1"]["share"].get<double>(), 0.25, 1e-9);
  EXPECT_FALSE(fs::exists(dir_ / "report.md"));
  file("broken-trace.json", "{\"traceEvents\": [");
  EXPECT_EQ(run("report results.json --trace broken-trace.json").code, 2);
}

TEST_F(CliTest, ReportBadInputIsExitTwo) {
  file("results.json", results(1000));
  EXPECT_EQ(run("report results.json --share 130%").code, 2);
  EXPECT_EQ(run("report results.json --share lots").code, 2);
  EXPECT_EQ(run("report missing.json").code, 2);
  file("policy.json", R"({"min_end_to_end_gian": 0.1})");
  const auto r = run("report results.json --policy policy.json");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("policy.json: policy: unknown field 'min_end_to_end_gian'"),
            std::string::npos)
      << r.output;
  file("empty.json", "  \n");
  EXPECT_EQ(run("report empty.json").code, 2);
}

TEST_F(CliTest, ReportOfAFleetFolderPrintsTheMatrixPerMachineClass) {
  fs::create_directories(dir_ / "fleet");
  file("fleet/alpha.results.json", results(1000, 10, "Intel(R) Xeon(R) CPU @ 2.20GHz"));
  file("fleet/beta.results.json", results(1000, 10, "Intel(R) Xeon(R) CPU @ 2.20GHz"));
  file("fleet/gamma.results.json", results(1000, 10, "AMD EPYC 9B14", 1.02));
  file("fleet/delta.error.json",
       R"({"schema": "worthit.fleet-error", "schema_version": 1, "host": "delta",)"
       R"( "reason": "the bench timed out after 60 s (--timeout) and was killed"})");
  auto r = run("report fleet -o fleet-report.json --md fleet-report.md");
  EXPECT_EQ(r.code, 0) << r.output;
  for (const char* expected :
       {"Fleet: 3 hosts in 2 machine classes; 1 host without results",
        "Intel Xeon ×2 (CPU only): alpha, beta (2 bench processes)",
        "failed: delta: the bench timed out after 60 s",
        "Where the verdict changes across classes:",
        "gelu n=1024: custom-worth-it on Intel Xeon ×2 (CPU only); framework-is-enough on AMD EPYC "
        "9B14 ×2 (CPU only)",
        "warning: host delta has no results"})
    EXPECT_NE(r.output.find(expected), std::string::npos) << expected << "\n" << r.output;
  std::ifstream in(dir_ / "fleet-report.json");
  const auto j = nlohmann::json::parse(in);
  EXPECT_EQ(j["schema"], "worthit.fleet-report");
  EXPECT_EQ(j["matrix"]["columns"].size(), 2u);
  EXPECT_TRUE(fs::exists(dir_ / "fleet-report.md"));

  // Results files named one by one are read the same way.
  r = run("report fleet/alpha.results.json fleet/gamma.results.json -o - --md -");
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("Fleet: 2 hosts in 2 machine classes"), std::string::npos) << r.output;

  // An output over a file of the folder is refused before anything is read or written.
  const std::string before = read("fleet/gamma.results.json");
  r = run("report fleet -o fleet/gamma.results.json --md -");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("is also an input"), std::string::npos) << r.output;
  EXPECT_EQ(read("fleet/gamma.results.json"), before);
}

TEST_F(CliTest, ReportOfAFleetWithoutResultsFails) {
  fs::create_directories(dir_ / "empty");
  auto r = run("report empty");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("empty: has no *.results.json files"), std::string::npos) << r.output;
  fs::create_directories(dir_ / "failed");
  file("failed/alpha.error.json",
       R"({"schema": "worthit.fleet-error", "host": "alpha", "reason": "no worker"})");
  r = run("report failed");
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("no host has results; alpha: no worker"), std::string::npos) << r.output;
}

TEST_F(CliTest, CompareOfTwoFleetRunsGoesClassByClass) {
  for (const char* d : {"base", "new"}) fs::create_directories(dir_ / d);
  file("base/alpha.results.json", results(1000, 10, "Intel(R) Xeon(R) CPU @ 2.20GHz"));
  file("base/gamma.results.json", results(1000, 10, "AMD EPYC 9B14"));
  file("new/alpha.results.json", results(1000, 10, "Intel(R) Xeon(R) CPU @ 2.20GHz"));
  file("new/gamma.results.json", results(1300, 10, "AMD EPYC 9B14"));
  auto r = run("compare base new --json c.json");
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("== AMD EPYC 9B14 ×2 (CPU only) (base: gamma; new: gamma): REGRESSION"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("== Intel Xeon ×2 (CPU only) (base: alpha; new: alpha): no significant"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("2 machine classes compared: REGRESSION in 1 (exit 1)"),
            std::string::npos);
  std::ifstream in(dir_ / "c.json");
  EXPECT_EQ(nlohmann::json::parse(in)["schema"], "worthit.fleet-compare");
  EXPECT_EQ(run("compare base base").code, 0);
  r = run("compare base new/alpha.results.json");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("is a folder (a fleet run)"), std::string::npos) << r.output;
  r = run("compare base new --md new/alpha.results.json");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("is also an input"), std::string::npos) << r.output;
}

TEST_F(CliTest, FleetRunRefusesBadBenchArgumentsBeforeAnyCluster) {
  auto r = run("fleet run -o out -- --quick --no-such-option");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_EQ(r.output.rfind("worthit fleet: bench arguments after '--': ", 0), 0u) << r.output;
  // A repeatable option before '--' leaves the bench arguments to the bench.
  r = run("fleet run -o out --cluster-option queue=a --cluster-option b=1 -- --quick --bogus");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("bench arguments after '--': "), std::string::npos) << r.output;
  r = run("fleet run -o out -- --processes 3");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("bench --processes is the fleet's"), std::string::npos) << r.output;
  r = run("fleet run -- --quick");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("is required"), std::string::npos) << r.output;
  r = run("fleet run -o out --scheduler tcp://127.0.0.1:1 --cluster slurm -- --quick");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("exclude each other"), std::string::npos) << r.output;
  r = run("fleet run -o out --cluster ssh --jobs 2 --cluster-option hosts=a,b -- --quick");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("--jobs is for batch clusters"), std::string::npos) << r.output;
  r = run("fleet run -o out --cluster nope -- --quick");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("ssh"), std::string::npos) << r.output;  // the allowed values
  EXPECT_FALSE(fs::exists(dir_ / "out"));
  r = run("fleet run --help");
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("worthit-bench=1"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("SSHCluster"), std::string::npos) << r.output;
}

}  // namespace
