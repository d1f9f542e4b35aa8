// Runs a shell command line for the tests that drive the worthit binary, and
// captures what it printed. One helper, so every such test reads exit codes
// and output the same way.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace worthit::test {

struct ShellOutcome {
  int code = -1;       // the exit status; -1 when a signal ended the shell
  std::string output;  // stdout and stderr together
};

// `sh -c COMMAND_LINE 2>&1`, waited for.
inline ShellOutcome run_shell(const std::string& command_line) {
  ShellOutcome o;
  FILE* p = ::popen((command_line + " 2>&1").c_str(), "r");
  if (!p) return o;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) o.output.append(buf.data(), n);
  const int status = ::pclose(p);
  o.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return o;
}

}  // namespace worthit::test
