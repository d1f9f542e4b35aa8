#include "exec_image.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

extern char** environ;

namespace worthit::cli {

namespace {

std::string name_of(const std::string& entry) { return entry.substr(0, entry.find('=')); }

template <typename Pairs>
const std::pair<std::string, std::string>* find_named(const Pairs& pairs, const std::string& name) {
  for (const auto& p : pairs)
    if (p.first == name) return &p;
  return nullptr;
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
  for (const auto& n : names)
    if (n == name) return true;
  return false;
}

}  // namespace

std::vector<std::string> changed_environment(const char* const* base, const EnvChanges& changes) {
  std::vector<std::string> out, seen;
  for (const char* const* e = base; e && *e; ++e) {
    const std::string entry = *e, name = name_of(entry);
    seen.push_back(name);
    if (contains(changes.unset, name)) continue;
    if (const auto* s = find_named(changes.set, name))
      out.push_back(name + "=" + s->second);
    else
      out.push_back(entry);
  }
  for (const auto& [name, value] : changes.set)
    if (!contains(seen, name)) out.push_back(name + "=" + value);
  for (const auto& [name, value] : changes.fallback)
    if (!contains(seen, name) && !find_named(changes.set, name)) out.push_back(name + "=" + value);
  return out;
}

std::string find_program(const std::string& name, const std::string& search_path, int& error) {
  error = 0;
  if (name.empty()) {
    error = ENOENT;
    return "";
  }
  if (name.find('/') != std::string::npos) return name;
  bool denied = false;
  size_t start = 0;
  for (;;) {
    const size_t end = search_path.find(':', start);
    std::string dir = search_path.substr(start, end == std::string::npos ? end : end - start);
    const std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + name;
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
      denied = true;
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
  error = denied ? EACCES : ENOENT;
  return "";
}

ExecImage::ExecImage(std::vector<std::string> argv, const EnvChanges& changes, std::string who)
    : argv_(std::move(argv)), env_(changed_environment(environ, changes)) {
  const char* path = std::getenv("PATH");
  const std::string argv0 = argv_.empty() ? std::string() : argv_[0];
  program_ = find_program(argv0, path ? path : "/bin:/usr/bin", lookup_error_);
  for (auto& a : argv_) argv_ptrs_.push_back(a.data());
  argv_ptrs_.push_back(nullptr);
  for (auto& e : env_) env_ptrs_.push_back(e.data());
  env_ptrs_.push_back(nullptr);
  // execvp's fallback for a script without a #! line: /bin/sh runs it.
  shell_argv_ = {"/bin/sh", program_};
  for (size_t i = 1; i < argv_.size(); ++i) shell_argv_.push_back(argv_[i]);
  for (auto& a : shell_argv_) shell_ptrs_.push_back(a.data());
  shell_ptrs_.push_back(nullptr);
  message_ = std::move(who) + ": cannot run '" + argv0 + "': ";
}

void ExecImage::exec() const noexcept {
  int error = lookup_error_;
  if (!program_.empty()) {
    ::execve(program_.c_str(), argv_ptrs_.data(), env_ptrs_.data());
    error = errno;
    if (error == ENOEXEC) {
      ::execve(shell_ptrs_[0], shell_ptrs_.data(), env_ptrs_.data());
      error = errno;
    }
  }
  // strerrordesc_np: a constant string, no locale and no allocation, unlike strerror.
  const char* reason = ::strerrordesc_np(error);
  if (!reason) reason = "cannot be started";
  const auto put = [](const char* s, size_t n) {
    while (n > 0) {
      const ssize_t w = ::write(2, s, n);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return;
      s += w, n -= size_t(w);
    }
  };
  put(message_.data(), message_.size());
  put(reason, std::strlen(reason));
  put("\n", 1);
  ::_exit(127);
}

}  // namespace worthit::cli
