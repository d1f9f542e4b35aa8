#include "verbs.h"

namespace worthit::cli {

Verb add_list_verb(CLI::App& app) {
  app.add_subcommand("list", "(list is being built)");
  return {"list", [] { return kExitUsage; }};
}

}  // namespace worthit::cli
