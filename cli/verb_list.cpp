// worthit list: workloads, candidates, and why any is unavailable here.
#include <iostream>

#include "python_workers.h"
#include "verbs.h"
#include "worthit/harness/registry.h"
#include "worthit/kernels/builtin.h"

namespace worthit::cli {

Verb add_list_verb(CLI::App& app) {
  app.add_subcommand("list", "List workloads and candidates, and why any is unavailable");
  return {
      "list", [] {
        Registry registry;
        kernels::register_builtin(registry);
        const auto python = list_python_backends().backends;
        for (const Workload* w : registry.workloads()) {
          std::cout << w->name() << ": " << w->description() << "\n  sizes:";
          for (const auto& s : w->sizes()) std::cout << " " << s.label;
          std::cout << "\n  quick:";
          for (const auto& s : w->quick_sizes()) std::cout << " " << s.label;
          std::cout << "\n";
          auto line = [](const std::string& backend, bool framework, const std::string& lang,
                         const std::string& why) {
            std::cout << "  " << (framework ? "framework " : "custom    ") << backend;
            std::cout << std::string(backend.size() < 16 ? 16 - backend.size() : 1, ' ') << lang;
            if (!why.empty()) std::cout << "  unavailable: " << why;
            std::cout << "\n";
          };
          for (const Candidate* c : registry.candidates(w->name())) {
            auto why = c->unavailable ? c->unavailable() : std::nullopt;
            line(c->backend, c->framework, c->language + " (" + c->device + ")", why.value_or(""));
          }
          for (const auto& p : python)
            if (p.workload == w->name())
              line(p.backend, p.framework, "python", p.unavailable_reason);
        }
        return kExitOk;
      }};
}

}  // namespace worthit::cli
