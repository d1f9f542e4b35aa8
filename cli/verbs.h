// One function per `worthit` verb: it adds its subcommand to the app and
// returns the action to run when that subcommand is chosen.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>

#include <CLI/CLI.hpp>

namespace worthit::cli {

using VerbAction = std::function<int()>;

struct Verb {
  std::string name;  // the subcommand it added
  VerbAction action;
};

// Exit codes every verb shares; CI scripts depend on them.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // the verb ran and found a problem (e.g. a regression)
inline constexpr int kExitUsage = 2;    // bad arguments, unknown names, unreadable input

Verb add_list_verb(CLI::App& app);
Verb add_bench_verb(CLI::App& app);
Verb add_calibrate_verb(CLI::App& app);
Verb add_profile_verb(CLI::App& app);
Verb add_report_verb(CLI::App& app);
Verb add_compare_verb(CLI::App& app);

// Thrown by a verb for a user error; main prints "worthit <verb>: <message>"
// on one line and exits with kExitUsage.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace worthit::cli
