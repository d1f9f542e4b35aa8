// Placeholder until the profile part lands; replaced by its owner.
#include "verbs.h"

namespace worthit::cli {

Verb add_profile_verb(CLI::App& app) {
  app.add_subcommand("profile", "(profile is being built)");
  return {"profile", [] { throw UsageError("profile is not built yet"); return kExitUsage; }};
}

}  // namespace worthit::cli
