#include "scratch_folder.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "worthit/results/file_io.h"

namespace worthit::cli {

namespace {

// The watchdog runs in a fork of a process that may have threads, so it keeps
// to async-signal-safe calls and leaves the removal to rm(1).
[[noreturn]] void watchdog(int read_fd, const char* folder) {
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE}) ::signal(sig, SIG_IGN);
  const int null_fd = ::open("/dev/null", O_RDWR);
  if (null_fd >= 0) {
    ::dup2(null_fd, 0);
    ::dup2(null_fd, 1);
  }
  pid_t group = 0;
  bool keep = false, done = false;
  for (;;) {
    unsigned char msg[5];
    size_t got = 0;
    while (got < sizeof msg) {
      const ssize_t n = ::read(read_fd, msg + got, sizeof msg - got);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      got += static_cast<size_t>(n);
    }
    if (got < sizeof msg) break;  // end of file: the owner is gone, one way or another
    int32_t value = 0;
    std::memcpy(&value, msg + 1, sizeof value);
    if (msg[0] == 'g') group = value;
    if (msg[0] == 'k') keep = true;
    if (msg[0] == 'd') done = true;  // the owner cleaned up itself
  }
  if (done) ::_exit(0);
  if (group > 0) {
    ::kill(-group, SIGKILL);
    // Wait (at most 2 s) until the group is gone, so nothing writes into the
    // folder while it is removed.
    for (int i = 0; i < 200 && ::kill(-group, 0) == 0; ++i) ::usleep(10'000);
  }
  if (!keep) {
    const char* argv[] = {"rm", "-rf", "--", folder, nullptr};
    ::execvp("rm", const_cast<char* const*>(argv));
  }
  ::_exit(0);
}

}  // namespace

ScratchFolder::ScratchFolder(const std::filesystem::path& beside, const std::string& prefix) {
  std::string tmpl = (beside / (prefix + "XXXXXX")).string();
  if (!::mkdtemp(tmpl.data()))
    throw FileError(tmpl, std::string("cannot create: ") + std::strerror(errno));
  path_ = tmpl;
  int fds[2];
  // Close-on-exec: the children this verb starts must not hold our end, or
  // the watchdog would never see its owner die. A socket, not a pipe: a
  // send to a watchdog that is gone must not raise SIGPIPE here.
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    return;  // no watchdog: the destructor still cleans up
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[1]);
    watchdog(fds[0], tmpl.c_str());
  }
  ::close(fds[0]);
  if (pid < 0) {
    ::close(fds[1]);
    return;
  }
  socket_ = fds[1];
  watchdog_ = pid;
}

ScratchFolder::~ScratchFolder() {
  if (!keep_) {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  if (socket_ >= 0) {
    tell('d', 0);
    ::close(socket_);
  }
  if (watchdog_ > 0)
    while (::waitpid(watchdog_, nullptr, 0) < 0 && errno == EINTR) {
    }
}

void ScratchFolder::keep() {
  keep_ = true;
  tell('k', 0);
}

void ScratchFolder::watch_group(pid_t pgid) { tell('g', static_cast<int32_t>(pgid)); }

void ScratchFolder::tell(char what, int32_t value) {
  if (socket_ < 0) return;
  unsigned char msg[5] = {static_cast<unsigned char>(what)};
  std::memcpy(msg + 1, &value, sizeof value);
  // A dead watchdog only loses its job.
  [[maybe_unused]] const ssize_t n = ::send(socket_, msg, sizeof msg, MSG_NOSIGNAL);
}

}  // namespace worthit::cli
