// cli/exec_image: the environment and program path a child gets, built before
// fork, and what the child does with them.
#include "exec_image.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace fs = std::filesystem;
using worthit::cli::changed_environment;
using worthit::cli::EnvChanges;
using worthit::cli::ExecImage;
using worthit::cli::find_program;

namespace {

struct EnvCase {
  const char* what;
  std::vector<const char*> base;
  EnvChanges changes;
  std::vector<std::string> expected;
};

TEST(ChangedEnvironment, AppliesUnsetSetAndFallbackInOrder) {
  const std::vector<EnvCase> cases = {
      {"nothing changes", {"A=1", "B=2"}, {}, {"A=1", "B=2"}},
      {"set replaces in place", {"A=1", "B=2"}, {{}, {{"A", "9"}}, {}}, {"A=9", "B=2"}},
      {"set adds after", {"A=1"}, {{}, {{"C", "3"}}, {}}, {"A=1", "C=3"}},
      {"unset removes", {"A=1", "B=2"}, {{"A"}, {}, {}}, {"B=2"}},
      {"unset of an absent name", {"A=1"}, {{"Z"}, {}, {}}, {"A=1"}},
      {"fallback keeps a present value", {"A=1"}, {{}, {}, {{"A", "9"}}}, {"A=1"}},
      {"fallback adds an absent one", {"A=1"}, {{}, {}, {{"B", "2"}}}, {"A=1", "B=2"}},
      {"set wins over fallback", {}, {{}, {{"B", "3"}}, {{"B", "2"}}}, {"B=3"}},
      {"an empty value is a value", {"A="}, {{}, {}, {{"A", "x"}}}, {"A="}},
      {"a prefix is another name", {"AB=1"}, {{"A"}, {{"A", "2"}}, {}}, {"AB=1", "A=2"}},
      {"an entry without '=' is kept", {"ODD", "A=1"}, {}, {"ODD", "A=1"}},
      {"a value holding '='", {"A=x=y"}, {{}, {{"B", "p=q"}}, {}}, {"A=x=y", "B=p=q"}},
  };
  for (const auto& c : cases) {
    std::vector<const char*> base = c.base;
    base.push_back(nullptr);
    EXPECT_EQ(changed_environment(base.data(), c.changes), c.expected) << c.what;
  }
  EXPECT_TRUE(changed_environment(nullptr, {}).empty());
}

class FindProgram : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("worthit-exec-" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "a");
    fs::create_directories(dir_ / "b");
    write(dir_ / "a" / "tool", 0644);  // exists, cannot run
    write(dir_ / "b" / "tool", 0755);
    fs::create_directories(dir_ / "b" / "folder");
  }
  void TearDown() override { fs::remove_all(dir_); }
  static void write(const fs::path& p, int mode) {
    std::ofstream(p) << "#!/bin/sh\necho ran\n";
    ::chmod(p.c_str(), mode);
  }
  fs::path dir_;
};

TEST_F(FindProgram, TakesTheFirstExecutableFileOnThePath) {
  int error = -1;
  const std::string a = (dir_ / "a").string(), b = (dir_ / "b").string();
  EXPECT_EQ(find_program("tool", a + ":" + b, error), b + "/tool");
  EXPECT_EQ(error, 0);
  // Only a file that cannot run: EACCES, as execvp says.
  EXPECT_EQ(find_program("tool", a, error), "");
  EXPECT_EQ(error, EACCES);
  EXPECT_EQ(find_program("nothing-of-that-name", a + ":" + b, error), "");
  EXPECT_EQ(error, ENOENT);
  // A folder of that name is no program.
  EXPECT_EQ(find_program("folder", b, error), "");
  EXPECT_EQ(error, ENOENT);
  // A name with a '/' is taken as it is; an empty name is nothing.
  EXPECT_EQ(find_program("./x/y", a, error), "./x/y");
  EXPECT_EQ(error, 0);
  EXPECT_EQ(find_program("", a, error), "");
  EXPECT_EQ(error, ENOENT);
}

TEST_F(FindProgram, ReadsAnEmptyEntryAsTheCurrentFolder) {
  const fs::path was = fs::current_path();
  fs::current_path(dir_ / "b");
  int error = -1;
  const std::string found = find_program("tool", "/nonexistent::", error);
  fs::current_path(was);
  EXPECT_EQ(found, "./tool");
  EXPECT_EQ(error, 0);
}

// Runs image.exec() in a fork, as the verbs do; returns the exit code and
// what the child wrote to stdout and stderr.
int run_image(const ExecImage& image, std::string& output) {
  int fds[2];
  if (::pipe(fds) != 0) return -1;
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], 1);
    ::dup2(fds[1], 2);
    ::close(fds[0]);
    ::close(fds[1]);
    image.exec();
  }
  ::close(fds[1]);
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof buf)) > 0) output.append(buf, size_t(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(ExecImage, RunsTheProgramWithTheChangedEnvironment) {
  ::setenv("WORTHIT_EXEC_TEST_KEEP", "kept", 1);
  ::setenv("WORTHIT_EXEC_TEST_DROP", "dropped", 1);
  EnvChanges changes;
  changes.set = {{"WORTHIT_EXEC_TEST_NEW", "new"}};
  changes.unset = {"WORTHIT_EXEC_TEST_DROP"};
  changes.fallback = {{"WORTHIT_EXEC_TEST_KEEP", "replaced"}};
  // "sh" is looked up on PATH in the parent, as execvp would.
  const ExecImage image({"sh", "-c",
                         "echo \"$WORTHIT_EXEC_TEST_KEEP,${WORTHIT_EXEC_TEST_DROP-unset},"
                         "$WORTHIT_EXEC_TEST_NEW\""},
                        changes, "worthit test");
  EXPECT_EQ(image.program().back(), 'h');
  EXPECT_EQ(image.program().front(), '/');
  std::string out;
  EXPECT_EQ(run_image(image, out), 0);
  EXPECT_EQ(out, "kept,unset,new\n");
  ::unsetenv("WORTHIT_EXEC_TEST_KEEP");
  ::unsetenv("WORTHIT_EXEC_TEST_DROP");
}

TEST(ExecImage, SaysWhyInOneLineAndExits127WhenNothingRuns) {
  std::string out;
  EXPECT_EQ(run_image(ExecImage({"no-such-program-here"}, {}, "worthit profile"), out), 127);
  EXPECT_EQ(out, "worthit profile: cannot run 'no-such-program-here': No such file or directory\n");
  out.clear();
  EXPECT_EQ(run_image(ExecImage({"/no/such/program"}, {}, "worthit profile"), out), 127);
  EXPECT_EQ(out, "worthit profile: cannot run '/no/such/program': No such file or directory\n");
}

TEST_F(FindProgram, RunsAScriptWithoutAHashBangLineThroughTheShell) {
  const fs::path script = dir_ / "plain";
  std::ofstream(script) << "echo \"plain $1\"\n";
  ::chmod(script.c_str(), 0755);
  std::string out;
  EXPECT_EQ(run_image(ExecImage({script.string(), "arg"}, {}, "worthit test"), out), 0);
  EXPECT_EQ(out, "plain arg\n");
}

}  // namespace
