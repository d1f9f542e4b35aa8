// The worthit binary, run as users run it, on what an adversarial user gives
// it (issue 16): every bad input is one line naming the file with exit 2, no
// output replaces an input, outputs are checked before the work, and a
// killed `bench --processes` leaves no process and no folder behind.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "run_shell.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

using Outcome = worthit::test::ShellOutcome;

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("worthit_cli_hardening_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // Runs `worthit ARGS` in the test's folder, under a timeout so a hang
  // fails the test (exit 124) instead of blocking the suite.
  Outcome run(const std::string& args, int timeout_s = 120) {
    return worthit::test::run_shell("cd '" + dir_.string() + "' && timeout " +
                                    std::to_string(timeout_s) + " '" WORTHIT_BIN "' " + args);
  }

  fs::path write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return dir_ / name;
  }
  fs::path write(const std::string& name, const char* text) {
    return write(name, std::string(text));
  }
  fs::path write(const std::string& name, const json& doc) { return write(name, doc.dump(1)); }

  static json fixture(const char* name) {
    std::ifstream in(fs::path(WORTHIT_FIXTURES) / name);
    return json::parse(in);
  }

  std::string read(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  bool left_behind(const std::string& prefix) const {
    for (const auto& e : fs::directory_iterator(dir_))
      if (e.path().filename().string().starts_with(prefix)) return true;
    return false;
  }

  fs::path dir_;
};

int lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

}  // namespace

// Issue 16, item 1: the U test's tie loop never ended on NaN, which a
// negative sample produced under --normalize. Now the sample is refused.
TEST_F(Cli, CompareNormalizeWithANegativeSampleEndsWithExit2) {
  json bad = fixture("results_base.json");
  bad["results"][0]["samples_ns"][2] = -23.1e6;
  write("bad.json", bad);
  write("new.json", fixture("results_new.json"));
  const Outcome o = run("compare bad.json new.json --normalize", 60);
  EXPECT_EQ(o.code, 2) << o.output;
  EXPECT_NE(o.output.find("bad.json: results[0]: result '"), std::string::npos) << o.output;
  EXPECT_NE(o.output.find(".samples_ns[2]: -23100000 is not a positive time"), std::string::npos)
      << o.output;
  EXPECT_EQ(lines(o.output), 1) << o.output;
}

TEST_F(Cli, EveryBadNumberIsOneLineWithTheFileAndExit2) {
  const json base = fixture("results_base.json");
  struct Row {
    const char* verb;  // "compare" or "report"
    std::string text;
    const char* expected;
  };
  std::string overflow = base.dump();
  overflow.replace(overflow.find("\"bytes\":"), 8, "\"bytes\":1e999,\"x\":");
  json n = base;
  n["results"][0]["stats"]["n"] = 1e21;
  json threads = base;
  threads["settings"]["threads"] = 1e300;
  json zeros = base;
  for (auto& s : zeros["results"][0]["samples_ns"]) s = 0.0;
  const std::vector<Row> rows = {
      {"compare", overflow, "in.json:byte "},
      {"report", overflow, "number out of range"},
      {"report", n.dump(), "in.json: results[0]: result '"},
      {"compare", threads.dump(), "in.json: settings.threads: 1e+300 does not fit"},
      {"report", zeros.dump(), "samples_ns[0]: 0 is not a positive time"},
      {"compare", R"({"benchmarks": [{"name": "a", "real_time": 1, "time_unit": 3}]})",
       "in.json: benchmarks[0].time_unit: expected a string, got number 3"},
      {"compare", R"({"benchmarks": [{"name": "a", "real_time": 1, "error_occurred": "no"}]})",
       "in.json: benchmarks[0].error_occurred: expected a boolean"},
      {"compare", R"({"benchmarks": [{"name": "a", "real_time": 1e308, "time_unit": "s"}]})",
       "in.json: benchmarks[0].real_time: inf is not a positive time"},
  };
  for (const auto& row : rows) {
    write("in.json", row.text);
    const std::string args = std::string(row.verb) == "compare" ? "compare in.json in.json -q"
                                                                : "report in.json -q -o - --md -";
    const Outcome o = run(args);
    EXPECT_EQ(o.code, 2) << args << ": " << o.output;
    EXPECT_NE(o.output.find(row.expected), std::string::npos) << args << ": " << o.output;
    EXPECT_EQ(lines(o.output), 1) << args << ": " << o.output;
    EXPECT_EQ(o.output.find("json.exception"), std::string::npos) << o.output;
  }
}

TEST_F(Cli, BadTracesAndPoliciesAreOneLineToo) {
  write("r.json", fixture("results_base.json"));
  write("t.json", R"({"worthit": 5, "traceEvents": []})");
  Outcome o = run("report r.json -q -o - --md - --trace t.json");
  EXPECT_EQ(o.code, 2) << o.output;
  EXPECT_NE(o.output.find("t.json:byte 12: worthit: expected an object"), std::string::npos)
      << o.output;
  write("t.json", R"({"traceEvents": [{"ph": "X", "name": "gelu", "ts": 1e17, "dur": 1}]})");
  o = run("report r.json -q -o - --md - --trace t.json");
  EXPECT_EQ(o.code, 2) << o.output;
  EXPECT_NE(o.output.find("traceEvents[0].ts: 1e17 us is out of range"), std::string::npos)
      << o.output;
  write("p.json", R"({"bootstrap_resamples": 0})");
  o = run("report r.json -q -o - --md - --policy p.json");
  EXPECT_EQ(o.code, 2) << o.output;
  EXPECT_NE(o.output.find("p.json: policy.bootstrap_resamples: 0 is outside 100..100000"),
            std::string::npos)
      << o.output;
  write("p.json", R"({"required_speedup": {"low": -2}})");
  o = run("report r.json -q -o - --md - --policy p.json");
  EXPECT_EQ(o.code, 2) << o.output;
  EXPECT_EQ(lines(o.output), 1) << o.output;
}

// Item 3: a results file's `sources` are input; only files inside the source
// root are read. /dev/zero would fill memory, /etc/shadow would be counted.
TEST_F(Cli, ReportReadsNoSourceOutsideTheRoot) {
  json r = fixture("results_base.json");
  for (auto& result : r["results"])
    result["sources"] = {"../../../../../../etc/shadow", "/dev/zero", "/etc/passwd"};
  write("r.json", r);
  fs::create_directories(dir_ / "root");
  const Outcome o = run("report r.json -q -o report.json --md - --source-root root", 60);
  ASSERT_EQ(o.code, 0) << o.output;
  EXPECT_NE(o.output.find("not read under"), std::string::npos) << o.output;
  EXPECT_NE(o.output.find("(outside the source root)"), std::string::npos) << o.output;
  const json report = json::parse(read(dir_ / "report.json"));
  for (const auto& d : report["decisions"])
    if (d.contains("maintenance") && !d["maintenance"].is_null()) {
      EXPECT_EQ(d["maintenance"]["code_lines"], 0) << d.dump();
      EXPECT_EQ(d["maintenance"]["missing_reasons"][0], "outside the source root");
    }
}

// Item 4: outputs that would replace an input are refused, the input unchanged.
TEST_F(Cli, AnOutputOverAnInputIsRefused) {
  const std::string text = fixture("results_base.json").dump(1);
  write("x.json", text);
  write("y.json", fixture("results_new.json"));
  for (const char* args :
       {"report x.json -q -o x.json --md -", "report x.json -q -o - --md x.json",
        "report x.json -q -o ./sub/../x.json --md -", "compare x.json y.json -q --json x.json",
        "compare x.json y.json -q --md y.json", "compare x.json,y.json y.json -q --json y.json",
        "report x.json -q -o a.out --md a.out"}) {
    fs::create_directories(dir_ / "sub");
    const Outcome o = run(args);
    EXPECT_EQ(o.code, 2) << args << ": " << o.output;
    EXPECT_TRUE(o.output.find("is also an input") != std::string::npos ||
                o.output.find("is given for two outputs") != std::string::npos)
        << args << ": " << o.output;
    EXPECT_EQ(read(dir_ / "x.json"), text) << args;
    EXPECT_FALSE(fs::exists(dir_ / "a.out")) << args;
  }
}

// Item 8: output folders are checked before the work starts.
TEST_F(Cli, OutputsAreCheckedBeforeTheWork) {
  write("x.json", fixture("results_base.json"));
  struct Row {
    const char* args;
    const char* expected;
  };
  for (const Row& row : std::vector<Row>{
           {"bench -w gelu -b cpp-scalar --quick --no-table -o nodir/x.json",
            "nodir/x.json: cannot write: folder nodir does not exist"},
           {"bench -w gelu -b cpp-scalar --quick --no-table -o .", ".: is a folder"},
           {"report x.json -q -o nodir/r.json --md -", "folder nodir does not exist"},
           {"compare x.json x.json -q --md nodir/c.md", "folder nodir does not exist"},
           {"calibrate -o nodir/c.json", "folder nodir does not exist"},
       }) {
    const Outcome o = run(row.args);
    EXPECT_EQ(o.code, 2) << row.args << ": " << o.output;
    EXPECT_NE(o.output.find(row.expected), std::string::npos) << row.args << ": " << o.output;
    EXPECT_EQ(o.output.find("repetition"), std::string::npos)
        << "the bench ran first: " << o.output;
    EXPECT_EQ(o.output.find("Success"), std::string::npos) << o.output;
  }
}

TEST_F(Cli, AMissingCalibrationIsAnErrorNotIgnored) {
  const Outcome o =
      run("bench -w gelu -b cpp-scalar --quick --no-table --calibration missing.json");
  EXPECT_EQ(o.code, 2) << o.output;
  EXPECT_NE(o.output.find("--calibration: missing.json does not exist"), std::string::npos)
      << o.output;
  write("broken.json", "{\"calibration\": 5}");
  const Outcome b = run("bench -w gelu -b cpp-scalar --quick --no-table --calibration broken.json");
  EXPECT_EQ(b.code, 2) << b.output;
  EXPECT_NE(b.output.find("broken.json: not a calibration file"), std::string::npos) << b.output;
}

namespace {

// The pids whose parent is `parent` (from /proc).
std::vector<pid_t> children_of(pid_t parent) {
  std::vector<pid_t> out;
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(e.path() / "stat");
    std::string line;
    std::getline(stat, line);
    const auto close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 2));
    char state = 0;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid == parent) out.push_back(std::stoi(name));
  }
  return out;
}

// Alive and not a zombie waiting for a reaper.
bool running(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  const auto close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] != 'Z';
}

bool group_running(pid_t pgid) {
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(e.path() / "stat");
    std::string line;
    std::getline(stat, line);
    const auto close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 2));
    char state = 0;
    pid_t ppid = 0, pgrp = 0;
    rest >> state >> ppid >> pgrp;
    if (pgrp == pgid && state != 'Z') return true;
  }
  return false;
}

}  // namespace

// Item 8 and the bar: kill -9 of `bench --processes 3` mid-run leaves no
// orphaned child bench after 2 s and no .worthit-bench-*/ folder.
TEST_F(Cli, KillingBenchWithProcessesLeavesNothingBehind) {
  const pid_t bench = ::fork();
  if (bench == 0) {
    ::chdir(dir_.c_str());
    const int null_fd = ::open("/dev/null", O_WRONLY);
    ::dup2(null_fd, 1);
    ::dup2(null_fd, 2);
    ::execl(WORTHIT_BIN, WORTHIT_BIN, "bench", "--processes", "3", "-w", "gelu", "-b", "cpp-scalar",
            "-s", "n=4096", "-r", "400", "--min-time", "0.05", "--no-table", "-o", "out.json",
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ASSERT_GT(bench, 0);
  // Wait for the first child bench to be running in its folder.
  pid_t child = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    for (pid_t c : children_of(bench)) {
      std::ifstream cmdline("/proc/" + std::to_string(c) + "/cmdline");
      std::string args((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
      if (args.find("--processes=1") != std::string::npos) child = c;
    }
    if (child && left_behind(".worthit-bench-")) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_GT(child, 0) << "no child bench started";
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // mid-run
  ASSERT_TRUE(running(child));
  ::kill(bench, SIGKILL);
  ::waitpid(bench, nullptr, 0);
  // The watchdog waits up to 2 s for the group to be reaped before it
  // removes the folder; on a loaded machine that can take longer, so poll.
  const auto cleanup_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < cleanup_deadline &&
         (running(child) || group_running(child) || left_behind(".worthit-bench-")))
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(running(child)) << "the child bench " << child << " outlived its parent";
  EXPECT_FALSE(group_running(child)) << "a process of the child bench's group is left";
  EXPECT_FALSE(left_behind(".worthit-bench-")) << "the temporary folder is left";
  EXPECT_FALSE(fs::exists(dir_ / "out.json"));
}
