// Running a child command and waiting for it, for the verbs that spawn one
// (profile: the user's command; bench --processes: fresh copies of itself).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace worthit::cli {

class ScratchFolder;

// Runs `command` (argv[0] looked up on PATH) with `env` added to this
// process's environment and waits for it. Ctrl-C reaches the child through
// the terminal and is ignored here meanwhile; a SIGTERM sent to us is passed
// on, so the child can finish its files. Returns the exit code in the shell's
// convention: 128+N when signal N ended it, 127 when it could not be started
// (`verb` names us in that message). Throws std::runtime_error when fork fails.
//
// With `group_watcher` (bench's fresh copies of itself), the child runs in a
// process group of its own, which `group_watcher`'s watchdog kills should this
// process be killed; Ctrl-C and SIGTERM are forwarded to the whole group, and
// whatever is left in the group when the child ends is killed too.
int run_child(const std::vector<std::string>& command,
              const std::vector<std::pair<std::string, std::string>>& env, const char* verb,
              ScratchFolder* group_watcher = nullptr);

// This executable's path (/proc/self/exe); empty when it cannot be read.
std::string self_executable();

}  // namespace worthit::cli
