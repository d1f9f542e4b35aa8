// The registry of workloads and candidates that `worthit list` and
// `worthit bench` see. Built-ins are added explicitly (worthit/kernels/builtin.h), not
// by static initialisers, which static libraries would drop.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "worthit/harness/candidate.h"
#include "worthit/harness/workload.h"

namespace worthit {

class Registry {
 public:
  void add_workload(std::shared_ptr<const Workload> workload);
  // Throws std::invalid_argument for an unknown workload or a duplicate name.
  void add_candidate(Candidate candidate);
  // Called with the run's thread count before any timing, so every library
  // (OpenMP, libtorch, ...) uses the same number of threads.
  void add_thread_setter(std::function<void(int)> setter);

  const Workload* find_workload(const std::string& name) const;
  std::vector<const Workload*> workloads() const;
  std::vector<const Candidate*> candidates(const std::string& workload) const;
  void set_threads(int threads) const;

 private:
  std::vector<std::shared_ptr<const Workload>> workloads_;
  std::vector<Candidate> candidates_;
  std::vector<std::function<void(int)>> thread_setters_;
};

}  // namespace worthit
