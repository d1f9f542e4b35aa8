// Runs a built-in candidate through the harness's correctness gate.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "worthit/harness/gate.h"
#include "worthit/harness/registry.h"
#include "worthit/kernels/builtin.h"

namespace worthit::test {

inline const Registry& pipeline_registry() {
  static const Registry registry = [] {
    Registry r;
    kernels::register_builtin(r);
    return r;
  }();
  return registry;
}

inline const Candidate& pipeline_candidate(const std::string& workload,
                                           const std::string& backend) {
  for (const Candidate* c : pipeline_registry().candidates(workload))
    if (c->backend == backend) return *c;
  throw std::runtime_error("no candidate " + workload + "/" + backend);
}

inline Correctness gate(const std::string& workload, const std::string& backend,
                        const std::map<std::string, int64_t>& params, int threads,
                        uint64_t seed = 7) {
  const Workload& w = *pipeline_registry().find_workload(workload);
  const Size size = w.make_size(params);
  const Buffers in = w.make_inputs(size, seed);
  Buffers expected = w.make_outputs(size);
  w.reference(in, expected);
  Buffers out = w.make_outputs(size);
  const Candidate& c = pipeline_candidate(workload, backend);
  RunContext ctx;
  ctx.threads = threads;
  const PreparedRun run = c.prepare(in, out, ctx);
  return run_correctness_gate(w, run, expected, out);
}

}  // namespace worthit::test
