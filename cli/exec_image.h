// Everything an exec needs, built before fork. A fork of a process that may
// have threads (libtorch's pools, a CUPTI thread) copies only the calling
// thread; a lock another thread held stays held in the child, so between fork
// and exec the child may make async-signal-safe calls only: no malloc, no
// setenv, no stdio. ExecImage does the allocating work in the parent.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace worthit::cli {

struct EnvChanges {
  std::vector<std::string> unset;                             // removed
  std::vector<std::pair<std::string, std::string>> set;       // added or replaced
  std::vector<std::pair<std::string, std::string>> fallback;  // added only when absent
};

// `base` (a null-terminated environ) with `changes` applied, as NAME=VALUE
// entries in base's order, new names after. An entry is kept as it is when
// none of the changes names it, even one without '='.
std::vector<std::string> changed_environment(const char* const* base, const EnvChanges& changes);

// Where execvp would find `name`: `name` itself when it holds a '/', else the
// first executable regular file of that name in `search_path` (':'-separated,
// an empty entry meaning the current folder). Empty when there is none; then
// `error` says why, as execvp's errno would (ENOENT, or EACCES when a file of
// that name exists but cannot be run).
std::string find_program(const std::string& name, const std::string& search_path, int& error);

class ExecImage {
 public:
  // argv[0] is looked up on this process's PATH; the environment is this
  // process's with `changes` applied. `who` starts the one-line message the
  // child prints when the exec fails ("worthit profile").
  ExecImage(std::vector<std::string> argv, const EnvChanges& changes, std::string who);
  ExecImage(const ExecImage&) = delete;
  ExecImage& operator=(const ExecImage&) = delete;

  // In the child, after fork: execs, or writes "<who>: cannot run '<argv0>':
  // <reason>" to stderr and exits 127. Async-signal-safe.
  [[noreturn]] void exec() const noexcept;

  const std::string& program() const { return program_; }

 private:
  std::vector<std::string> argv_, env_, shell_argv_;
  std::vector<char*> argv_ptrs_, env_ptrs_, shell_ptrs_;
  std::string program_;  // the resolved path, or empty
  int lookup_error_ = 0;
  std::string message_;  // everything of the failure line but the reason
};

}  // namespace worthit::cli
