// Child-process tests: NVTX injection into unmodified C++ and Python
// programs, SIGTERM mid-run, and `worthit profile` end to end.
#include <gtest/gtest.h>

#include <dlfcn.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "worthit/trace/analysis.h"
#include "worthit/trace/trace.h"

namespace fs = std::filesystem;
namespace wt = worthit::trace;

namespace {

struct Child {
  pid_t pid = -1;
  int out_fd = -1;
};

Child spawn(const std::vector<std::string>& argv,
            const std::vector<std::pair<std::string, std::string>>& env) {
  int fds[2];
  if (::pipe(fds) != 0) return {};
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], 1);
    ::close(fds[0]);
    ::close(fds[1]);
    // Tests choose the profiler environment; do not inherit one.
    for (const char* k : {"WORTHIT_PROFILE_DIR", "WORTHIT_TRACE_FILE", "NVTX_INJECTION64_PATH",
                          "CUDA_INJECTION64_PATH"})
      ::unsetenv(k);
    for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  return {pid, fds[0]};
}

struct Result {
  int status = -1;
  std::string out;
};

Result finish(Child c) {
  Result r;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(c.out_fd, buf, sizeof buf)) > 0) r.out.append(buf, size_t(n));
  ::close(c.out_fd);
  ::waitpid(c.pid, &r.status, 0);
  return r;
}

Result run(const std::vector<std::string>& argv,
           const std::vector<std::pair<std::string, std::string>>& env = {}) {
  return finish(spawn(argv, env));
}

fs::path temp_file(const std::string& name) {
  return fs::temp_directory_path() / ("worthit_proc_" + std::to_string(::getpid()) + "_" + name);
}

const wt::Event* find(const wt::Trace& t, const std::string& name, char phase = 'X') {
  for (const auto& e : t.events)
    if (e.name == name && e.phase == phase) return &e;
  return nullptr;
}

bool inside(const wt::Event& inner, const wt::Event& outer) {
  return inner.pid == outer.pid && inner.tid == outer.tid && inner.ts_ns >= outer.ts_ns &&
         inner.ts_ns + inner.dur_ns <= outer.ts_ns + outer.dur_ns;
}

void expect_valid(const wt::Trace& t) {
  const auto problems = wt::validate_trace(t);
  EXPECT_TRUE(problems.empty()) << problems.front();
}

bool have_gpu() {
  void* cuda = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!cuda) return false;
  auto init = reinterpret_cast<int (*)(unsigned)>(dlsym(cuda, "cuInit"));
  auto count = reinterpret_cast<int (*)(int*)>(dlsym(cuda, "cuDeviceGetCount"));
  int n = 0;
  return init && count && init(0) == 0 && count(&n) == 0 && n > 0;
}

// Builds without NVTX3 headers (the cpu-only preset) have no injection library.
#define SKIP_WITHOUT_NVTX()                                                              \
  if (std::string(WORTHIT_NVTX_LIB).empty())                                             \
  GTEST_SKIP() << "this build has no NVTX injection library (no NVTX3 headers found at " \
                  "configure time; the cpu-only preset builds none)"

}  // namespace

TEST(NvtxInjection, CppProgramNestedRangesMarksDomains) {
  SKIP_WITHOUT_NVTX();
  const fs::path out = temp_file("nvtx_cpp.json");
  const Result r = run({WORTHIT_SAMPLE, "nvtx"}, {{"NVTX_INJECTION64_PATH", WORTHIT_NVTX_LIB},
                                                  {"WORTHIT_TRACE_FILE", out.string()}});
  ASSERT_TRUE(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0) << r.status;
  const wt::Trace t = wt::read_trace(out);
  fs::remove(out);
  expect_valid(t);
  const auto* outer = find(t, "outer");
  const auto* inner = find(t, "inner");
  ASSERT_TRUE(outer && inner);
  EXPECT_EQ(outer->category, wt::category::kNvtx);
  EXPECT_TRUE(inside(*inner, *outer));
  EXPECT_GE(inner->dur_ns, 100'000);
  const auto* mark = find(t, "checkpoint", 'i');
  ASSERT_TRUE(mark);
  EXPECT_GE(mark->ts_ns, inner->ts_ns);
  EXPECT_LE(mark->ts_ns, inner->ts_ns + inner->dur_ns);
  const auto* wide = find(t, "wide \xc3\xa9");
  ASSERT_TRUE(wide) << "W variant lost";
  EXPECT_TRUE(inside(*wide, *outer));
  const auto* reg = find(t, "registered name");
  ASSERT_TRUE(reg) << "registered string lost";
  EXPECT_EQ(reg->args["domain"], "mydomain");
  const auto* dmark = find(t, "domain mark", 'i');
  ASSERT_TRUE(dmark);
  EXPECT_EQ(dmark->args["domain"], "mydomain");
  const auto* a = find(t, "async a");
  const auto* b = find(t, "async b");
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->tid, b->tid) << "overlapping start/end ranges need separate lanes";
  bool thread_named = false;
  for (const auto& [k, n] : t.thread_names)
    thread_named |= n == "sample main" && k.second == outer->tid;
  EXPECT_TRUE(thread_named);
}

TEST(NvtxInjection, PythonProgramWithNvtxPackage) {
  SKIP_WITHOUT_NVTX();
  const std::string python = WORTHIT_TEST_PYTHON;
  if (python.empty()) GTEST_SKIP() << "no WORTHIT_PYTHON configured";
  if (run({python, "-c", "import nvtx"}).status != 0)
    GTEST_SKIP() << "the nvtx package is not installed in " << python;
  const fs::path out = temp_file("nvtx_py.json");
  const Result r =
      run({python, WORTHIT_TEST_DATA_DIR "/nvtx_sample.py"},
          {{"NVTX_INJECTION64_PATH", WORTHIT_NVTX_LIB}, {"WORTHIT_TRACE_FILE", out.string()}});
  ASSERT_TRUE(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0) << r.status;
  const wt::Trace t = wt::read_trace(out);
  fs::remove(out);
  expect_valid(t);
  const auto* outer = find(t, "py outer");
  const auto* inner = find(t, "py inner");
  ASSERT_TRUE(outer && inner);
  EXPECT_TRUE(inside(*inner, *outer));
  EXPECT_GE(inner->dur_ns, 1'000'000);
  EXPECT_EQ(inner->args["domain"], "pydomain");
  EXPECT_TRUE(find(t, "py mark", 'i'));
  EXPECT_TRUE(find(t, "py pushed"));
  EXPECT_TRUE(find(t, "py started"));
  EXPECT_TRUE(find(t, "py decorated"));
}

TEST(Runtime, SigtermMidRunLeavesAValidTrace) {
  const fs::path out = temp_file("sigterm.json");
  Child c = spawn({WORTHIT_SAMPLE, "loop"}, {{"WORTHIT_TRACE_FILE", out.string()}});
  ASSERT_GT(c.pid, 0);
  char buf[6] = {};
  ASSERT_EQ(::read(c.out_fd, buf, 6), 6);
  ASSERT_EQ(std::string(buf, 5), "ready");
  ::kill(c.pid, SIGTERM);
  const Result r = finish(c);
  EXPECT_TRUE(WIFSIGNALED(r.status) && WTERMSIG(r.status) == SIGTERM) << "status " << r.status;
  ASSERT_TRUE(fs::exists(out));
  const wt::Trace t = wt::read_trace(out);
  fs::remove(out);
  expect_valid(t);
  size_t iterations = 0;
  for (const auto& e : t.events) iterations += e.name == "loop iteration";
  EXPECT_GE(iterations, 1000u);
}

TEST(ProfileVerb, MergesForkedProcessesAndReturnsTheExitCode) {
  const fs::path out = temp_file("merged.json");
  const Result r =
      run({WORTHIT_BIN, "profile", "-o", out.string(), "--", WORTHIT_SAMPLE, "fork", "3"});
  ASSERT_TRUE(WIFEXITED(r.status)) << r.out;
  EXPECT_EQ(WEXITSTATUS(r.status), 3) << r.out;
  EXPECT_NE(r.out.find("Top ranges by total time"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Thread busy share"), std::string::npos) << r.out;
  const wt::Trace t = wt::read_trace(out);
  fs::remove(out);
  expect_valid(t);
  EXPECT_EQ(t.metadata["schema"], wt::kSchemaName);
  EXPECT_EQ(t.metadata["exit_code"], 3);
  ASSERT_EQ(t.metadata["processes"].size(), 2u) << t.metadata.dump();
  const auto* child = find(t, "in child");
  const auto* before = find(t, "parent before fork");
  const auto* after = find(t, "parent after fork");
  ASSERT_TRUE(child && before && after);
  EXPECT_NE(child->pid, before->pid);
  EXPECT_EQ(before->pid, after->pid);
  size_t befores = 0;
  for (const auto& e : t.events) befores += e.name == "parent before fork";
  EXPECT_EQ(befores, 1u) << "the child re-wrote its parent's records";
  EXPECT_EQ(t.process_names.size(), 2u);
}

TEST(ProfileVerb, PythonProgramUnderProfile) {
  SKIP_WITHOUT_NVTX();
  const std::string python = WORTHIT_TEST_PYTHON;
  if (python.empty() || run({python, "-c", "import nvtx"}).status != 0)
    GTEST_SKIP() << "no venv python with the nvtx package";
  const fs::path out = temp_file("py_profile.json");
  const Result r = run({WORTHIT_BIN, "profile", "-o", out.string(), "--", python,
                        WORTHIT_TEST_DATA_DIR "/nvtx_sample.py", "5"});
  ASSERT_TRUE(WIFEXITED(r.status));
  EXPECT_EQ(WEXITSTATUS(r.status), 5) << r.out;
  const wt::Trace t = wt::read_trace(out);
  fs::remove(out);
  expect_valid(t);
  EXPECT_TRUE(find(t, "py outer"));
  EXPECT_NE(r.out.find("py outer"), std::string::npos) << r.out;
}

TEST(ProfileVerb, UsageErrorsExitWith2) {
  EXPECT_EQ(WEXITSTATUS(run({WORTHIT_BIN, "profile"}).status), 2);
  EXPECT_EQ(WEXITSTATUS(run({WORTHIT_BIN, "profile", "--gpu", "maybe", "--", "true"}).status), 2);
  EXPECT_EQ(WEXITSTATUS(run({WORTHIT_BIN, "profile", "--torch", "yes", "--", "true"}).status), 2);
  EXPECT_EQ(
      WEXITSTATUS(run({WORTHIT_BIN, "profile", "--torch-steps", "some", "--", "true"}).status), 2);
  EXPECT_EQ(
      WEXITSTATUS(
          run({WORTHIT_BIN, "profile", "-o", "/nonexistent/dir/t.json", "--", "true"}).status),
      2);
  // A command that cannot start: 127, like a shell.
  const fs::path out = temp_file("missing.json");
  EXPECT_EQ(WEXITSTATUS(
                run({WORTHIT_BIN, "profile", "-o", out.string(), "--", "/no/such/program"}).status),
            127);
  fs::remove(out);
}

// --torch on needs the ATen observer (built with libtorch); without it (the
// cpu-only preset) it is a usage error that names --torch auto.
TEST(ProfileVerb, TorchOnNeedsTheAtenObserver) {
  const bool built = fs::exists(fs::path(WORTHIT_BIN).parent_path() / "libworthit_aten.so");
  const fs::path out = temp_file("torch_on.json");
  const Result r = run({WORTHIT_BIN, "profile", "--torch", "on", "-o", out.string(), "--", "true"});
  ASSERT_TRUE(WIFEXITED(r.status));
  if (built) {
    EXPECT_EQ(WEXITSTATUS(r.status), 0) << r.out;
    EXPECT_TRUE(fs::exists(out));
  } else {
    EXPECT_EQ(WEXITSTATUS(r.status), 2);
    EXPECT_FALSE(fs::exists(out));
  }
  fs::remove(out);
}

TEST(ProfileVerb, GpuProgramShowsKernelsCopiesAndFlows) {
  SKIP_WITHOUT_NVTX();
  const std::string sample = WORTHIT_CUDA_SAMPLE;
  if (sample.empty()) GTEST_SKIP() << "built without CUDA: no CUDA sample program";
  if (!have_gpu())
    GTEST_SKIP() << "no GPU (or no CUDA driver) on this machine: CUPTI capture not exercised";
  const fs::path out = temp_file("gpu.json");
  const Result r = run({WORTHIT_BIN, "profile", "--gpu", "on", "-o", out.string(), "--", sample});
  ASSERT_TRUE(WIFEXITED(r.status));
  ASSERT_EQ(WEXITSTATUS(r.status), 0) << r.out;
  const wt::Trace t = wt::read_trace(out);
  fs::remove(out);
  const auto g = wt::gpu_summary(t);
  EXPECT_TRUE(g.has_gpu) << r.out;
  EXPECT_GE(g.kernels.size(), 2u);
  EXPECT_GE(g.memcpy_count, 2);
  EXPECT_GE(g.memset_count, 1);
  EXPECT_GT(g.launch_latency_count, 0) << "no launch->kernel correlation";
  size_t flows = 0;
  for (const auto& e : t.events) flows += e.phase == 's' && e.category == wt::category::kFlow;
  EXPECT_GE(flows, 20u);
  EXPECT_NE(r.out.find("GPU: busy"), std::string::npos) << r.out;
  expect_valid(t);
}
