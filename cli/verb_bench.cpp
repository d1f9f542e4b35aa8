#include "verbs.h"

namespace worthit::cli {

Verb add_bench_verb(CLI::App& app) {
  app.add_subcommand("bench", "(bench is being built)");
  return {"bench", [] { return kExitUsage; }};
}

}  // namespace worthit::cli
