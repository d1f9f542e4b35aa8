// `worthit profile` when processes leave the hard ways (issue 16): forked
// children that end in _exit keep their records, a process killed by SIGKILL
// is reported as lost (never "no calls" or "0 dropped"), a broken part is a
// warning that leaves the program's exit code, the merged trace and no
// parts folder behind.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "run_shell.h"
#include "worthit/trace/trace.h"

namespace fs = std::filesystem;
namespace wt = worthit::trace;

namespace {

using Outcome = worthit::test::ShellOutcome;

class ProfileHardening : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("worthit_profile_hardening_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // `worthit profile -o DIR/trace.json -- COMMAND`, stdout and stderr together.
  Outcome profile(const std::string& command) {
    return worthit::test::run_shell("cd '" + dir_.string() + "' && '" WORTHIT_BIN "' profile -o '" +
                                    trace_path().string() + "' -- " + command);
  }

  fs::path trace_path() const { return dir_ / "trace.json"; }

  bool parts_left() const {
    for (const auto& e : fs::directory_iterator(dir_))
      if (e.path().filename().string().starts_with(".worthit-profile-")) return true;
    return false;
  }

  fs::path dir_;
};

std::map<std::string, int> slice_counts(const wt::Trace& t) {
  std::map<std::string, int> n;
  for (const auto& e : t.events)
    if (e.phase == 'X') ++n[e.name];
  return n;
}

}  // namespace

TEST_F(ProfileHardening, ChildrenThatLeaveThroughExitKeepTheirRecords) {
  const Outcome o = profile(std::string("'") + WORTHIT_SAMPLE + "' fork-exit 8");
  ASSERT_EQ(o.code, 0) << o.output;
  const wt::Trace t = wt::read_trace(trace_path());
  const auto n = slice_counts(t);
  EXPECT_EQ(n.count("child range") ? n.at("child range") : 0, 8 * 200) << o.output;
  EXPECT_EQ(n.count("parent") ? n.at("parent") : 0, 1);
  EXPECT_EQ(t.metadata["processes"].size(), 9u);
  EXPECT_TRUE(t.metadata["lost_processes"].empty());
  EXPECT_NE(o.output.find("Dropped records: 0 CPU, 0 GPU\n"), std::string::npos) << o.output;
  EXPECT_FALSE(parts_left());
}

TEST_F(ProfileHardening, PythonForkedWorkersWithoutImportingWorthit) {
  const std::string python = WORTHIT_TEST_PYTHON;
  if (std::string(WORTHIT_NVTX_LIB).empty())
    GTEST_SKIP() << "this build has no NVTX injection library (no NVTX3 headers found)";
  if (python.empty() || std::system(("'" + python + "' -c 'import nvtx' 2>/dev/null").c_str()) != 0)
    GTEST_SKIP() << "no venv python with the nvtx package";
  const Outcome o = profile("'" + python + "' " WORTHIT_TEST_DATA_DIR "/fork_children.py");
  ASSERT_EQ(o.code, 0) << o.output;
  const wt::Trace t = wt::read_trace(trace_path());
  const auto n = slice_counts(t);
  int children = 0;
  for (int i = 0; i < 8; ++i) {
    const std::string name = "child " + std::to_string(i);
    EXPECT_EQ(n.count(name) ? n.at(name) : 0, 200) << name;
    children += n.count(name) ? n.at(name) : 0;
  }
  EXPECT_EQ(children, 1600);
  EXPECT_EQ(n.count("parent") ? n.at("parent") : 0, 1);
  EXPECT_TRUE(t.metadata["lost_processes"].empty());
  EXPECT_NE(o.output.find("Dropped records: 0 CPU, 0 GPU\n"), std::string::npos) << o.output;
}

TEST_F(ProfileHardening, AProcessKilledBySigkillIsReportedLost) {
  const Outcome o = profile(std::string("'") + WORTHIT_SAMPLE + "' killed-child");
  ASSERT_EQ(o.code, 0) << o.output;
  const wt::Trace t = wt::read_trace(trace_path());
  ASSERT_EQ(t.metadata["lost_processes"].size(), 1u) << o.output;
  EXPECT_NE(t.metadata["lost_processes"][0]["process"].get<std::string>().find("profiler_sample"),
            std::string::npos);
  EXPECT_EQ(slice_counts(t)["parent"], 1);
  EXPECT_NE(o.output.find("1 process(es) lost all their records"), std::string::npos) << o.output;
  EXPECT_NE(o.output.find("the trace is incomplete"), std::string::npos) << o.output;
  EXPECT_EQ(o.output.find("Dropped records: 0 CPU, 0 GPU\n"), std::string::npos) << o.output;
}

TEST_F(ProfileHardening, AProgramKilledBySigkillIsNotSaidToHaveMadeNoCalls) {
  const Outcome o = profile("sh -c 'kill -9 $$'");
  EXPECT_EQ(o.code, 128 + 9) << o.output;
  EXPECT_EQ(o.output.find("made no NVTX calls"), std::string::npos) << o.output;
  EXPECT_NE(o.output.find("ended by signal 9"), std::string::npos) << o.output;
  EXPECT_TRUE(fs::exists(trace_path()));
  EXPECT_FALSE(parts_left());
}

TEST_F(ProfileHardening, ABrokenPartIsAWarningNotTheEnd) {
  // The program writes a part of its own whose metadata is malformed.
  const Outcome o = profile(
      "sh -c 'printf %s \"{\\\"worthit\\\": {\\\"dropped\\\": 5}, \\\"traceEvents\\\": "
      "[{\\\"ph\\\": \\\"X\\\", \\\"name\\\": \\\"kept\\\", \\\"ts\\\": 1, \\\"dur\\\": 1}]}\" "
      "> \"$WORTHIT_PROFILE_DIR/999999.trace.json\"; exit 3'");
  EXPECT_EQ(o.code, 3) << "the program's exit code, not 1: " << o.output;
  EXPECT_NE(o.output.find("999999.trace.json: worthit.dropped: expected an object"),
            std::string::npos)
      << o.output;
  const wt::Trace t = wt::read_trace(trace_path());
  EXPECT_EQ(slice_counts(t)["kept"], 1) << "its events are kept";
  EXPECT_FALSE(parts_left());
}

TEST_F(ProfileHardening, AnOutputFolderIsRefusedBeforeTheProgramRuns) {
  fs::create_directories(dir_ / "out");
  const Outcome o =
      worthit::test::run_shell("cd '" + dir_.string() + "' && '" WORTHIT_BIN "' profile -o '" +
                               (dir_ / "out").string() + "' -- touch ran");
  const std::string& out = o.output;
  EXPECT_EQ(o.code, 2) << out;
  EXPECT_NE(out.find("is a folder"), std::string::npos) << out;
  EXPECT_EQ(out.find("Success"), std::string::npos) << out;
  EXPECT_FALSE(fs::exists(dir_ / "ran")) << "the program ran before the output was checked";
  EXPECT_FALSE(parts_left());
}
