// Placeholder until the report part lands; replaced by its owner.
#include "verbs.h"

namespace worthit::cli {

Verb add_report_verb(CLI::App& app) {
  app.add_subcommand("report", "(report is being built)");
  return {"report", [] { throw UsageError("report is not built yet"); return kExitUsage; }};
}

}  // namespace worthit::cli
