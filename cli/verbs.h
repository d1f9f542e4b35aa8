// One function per `worthit` verb: it adds its subcommand to the app and
// returns the action to run when that subcommand is chosen.
#pragma once

#include <cmath>
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
Verb add_fleet_verb(CLI::App& app);

// Thrown by a verb for a user error; main prints "worthit <verb>: <message>"
// on one line and exits with kExitUsage.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A number given as a fraction or a percentage ("0.05", "5%"): its value with
// any '%' divided out, and whether the '%' was there. Throws UsageError naming
// `option` when the text is not a finite number (`example` shows the forms).
struct Fraction {
  double value = 0;
  bool percent = false;
};
inline Fraction parse_fraction(const std::string& text, const std::string& option,
                               const std::string& example) {
  std::string s = text;
  const bool percent = !s.empty() && s.back() == '%';
  if (percent) s.pop_back();
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(s, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != s.size() || !std::isfinite(v))
    throw UsageError(option + ": '" + text + "' is not a number (write " + example + ")");
  return {percent ? v / 100 : v, percent};
}

}  // namespace worthit::cli
