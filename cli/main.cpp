// worthit: one binary, one verb per job (docs/architecture.md; README.md lists the verbs).
#include <cstdio>
#include <iostream>
#include <map>

#include "verbs.h"
#include "worthit/results/file_io.h"

int main(int argc, char** argv) {
  using namespace worthit::cli;
  CLI::App app{"worthit: is a handwritten kernel worth its maintenance cost here?", "worthit"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("worthit ") + WORTHIT_VERSION);
  std::map<std::string, VerbAction> actions;
  for (auto verb :
       {add_list_verb(app), add_bench_verb(app), add_profile_verb(app), add_report_verb(app),
        add_compare_verb(app), add_calibrate_verb(app), add_fleet_verb(app)})
    actions[verb.name] = verb.action;

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string where = "worthit";
    for (auto* sub : app.get_subcommands()) where += " " + sub->get_name();
    std::cerr << where << ": " << e.what() << " (see '" << where << " --help')\n";
    return kExitUsage;
  }
  for (auto* sub : app.get_subcommands()) {
    try {
      return actions.at(sub->get_name())();
    } catch (const UsageError& e) {
      std::cerr << "worthit " << sub->get_name() << ": " << e.what() << "\n";
      return kExitUsage;
    } catch (const worthit::FileError& e) {
      std::cerr << "worthit " << sub->get_name() << ": " << e.what() << "\n";
      return kExitUsage;
    } catch (const std::exception& e) {
      std::cerr << "worthit " << sub->get_name() << ": error: " << e.what() << "\n";
      return kExitFailure;
    }
  }
  return kExitUsage;
}
