#include "child_process.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "exec_image.h"
#include "scratch_folder.h"
#include "verbs.h"

namespace worthit::cli {

namespace {

// A pid, or minus a process group id: whom our SIGTERM (and SIGINT) reaches.
volatile sig_atomic_t g_child = 0;
void forward_signal(int sig) {
  if (g_child != 0) ::kill(g_child, sig);
}

}  // namespace

int run_child(const std::vector<std::string>& command,
              const std::vector<std::pair<std::string, std::string>>& env, const char* verb,
              ScratchFolder* group_watcher) {
  const bool own_group = group_watcher != nullptr;
  const ExecImage image(command, EnvChanges{{}, env, {}}, std::string("worthit ") + verb);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("fork failed: ") + std::strerror(errno));
  if (pid == 0) {
    if (own_group) ::setpgid(0, 0);
    image.exec();
  }
  if (own_group) {
    ::setpgid(pid, pid);  // both sides, so the group exists whichever runs first
    group_watcher->watch_group(pid);
  }
  g_child = own_group ? -pid : pid;
  struct sigaction sa {
  }, old_int{}, old_term{};
  sa.sa_handler = forward_signal;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGTERM, &sa, &old_term);
  // In our process group the terminal's Ctrl-C reaches the child by itself;
  // in a group of its own it has to be passed on.
  sa.sa_handler = own_group ? forward_signal : SIG_IGN;
  ::sigaction(SIGINT, &sa, &old_int);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  ::sigaction(SIGTERM, &old_term, nullptr);
  ::sigaction(SIGINT, &old_int, nullptr);
  g_child = 0;
  if (own_group) {
    // Leftovers of the child (a worker it did not reap) die with it; the
    // group id cannot have been reused while any member is left.
    ::kill(-pid, SIGKILL);
    group_watcher->watch_group(0);
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return kExitFailure;
}

std::string self_executable() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : exe.string();
}

}  // namespace worthit::cli
