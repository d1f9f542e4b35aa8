// Placeholder until the compare part lands; replaced by its owner.
#include "verbs.h"

namespace worthit::cli {

Verb add_compare_verb(CLI::App& app) {
  app.add_subcommand("compare", "(compare is being built)");
  return {"compare", [] { throw UsageError("compare is not built yet"); return kExitUsage; }};
}

}  // namespace worthit::cli
