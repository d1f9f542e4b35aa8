#include "verbs.h"

namespace worthit::cli {

Verb add_calibrate_verb(CLI::App& app) {
  app.add_subcommand("calibrate", "(calibrate is being built)");
  return {"calibrate", [] { return kExitUsage; }};
}

}  // namespace worthit::cli
