#include "worthit/harness/registry.h"

#include <stdexcept>

namespace worthit {

void Registry::add_workload(std::shared_ptr<const Workload> workload) {
  if (find_workload(workload->name()))
    throw std::invalid_argument("workload '" + workload->name() + "' registered twice");
  workloads_.push_back(std::move(workload));
}

void Registry::add_candidate(Candidate candidate) {
  if (!find_workload(candidate.workload))
    throw std::invalid_argument("candidate '" + candidate.name() + "' names an unknown workload");
  for (const auto& c : candidates_)
    if (c.name() == candidate.name())
      throw std::invalid_argument("candidate '" + candidate.name() + "' registered twice");
  if (!candidate.prepare)
    throw std::invalid_argument("candidate '" + candidate.name() + "' has no prepare");
  candidates_.push_back(std::move(candidate));
}

void Registry::add_thread_setter(std::function<void(int)> setter) {
  thread_setters_.push_back(std::move(setter));
}

const Workload* Registry::find_workload(const std::string& name) const {
  for (const auto& w : workloads_)
    if (w->name() == name) return w.get();
  return nullptr;
}

std::vector<const Workload*> Registry::workloads() const {
  std::vector<const Workload*> out;
  for (const auto& w : workloads_) out.push_back(w.get());
  return out;
}

std::vector<const Candidate*> Registry::candidates(const std::string& workload) const {
  std::vector<const Candidate*> out;
  for (const auto& c : candidates_)
    if (c.workload == workload) out.push_back(&c);
  return out;
}

void Registry::set_threads(int threads) const {
  for (const auto& s : thread_setters_) s(threads);
}

}  // namespace worthit
