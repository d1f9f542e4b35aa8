// Shared helpers for the kernel tests: the built-in registry and the
// deliberately awkward sizes (not multiples of any vector width or block).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "worthit/harness/registry.h"
#include "worthit/kernels/builtin.h"

namespace worthit::test {

// The four CPU workloads these tests cover (other parts add workloads of
// their own to the same registry, and test them themselves).
inline constexpr const char* kCpuWorkloads[] = {"gelu", "bias_residual_layernorm", "matmul",
                                                "linear_recurrence"};

inline const Registry& builtin_registry() {
  static const Registry registry = [] {
    Registry r;
    kernels::register_builtin(r);
    return r;
  }();
  return registry;
}

inline const Candidate& find_candidate(const std::string& workload, const std::string& backend) {
  for (const Candidate* c : builtin_registry().candidates(workload))
    if (c->backend == backend) return *c;
  throw std::runtime_error("no candidate " + workload + "/" + backend);
}

// Odd sizes: tails for every vector width, partial register tiles, more than
// one cache block in each GEMM dimension, uneven thread partitions.
inline std::vector<std::map<std::string, int64_t>> awkward_sizes(const std::string& workload) {
  if (workload == "gelu") return {{{"n", 1037}}, {{"n", 1}}};
  if (workload == "bias_residual_layernorm")
    return {{{"rows", 37}, {"cols", 1003}}, {{"rows", 3}, {"cols", 5}}};
  if (workload == "matmul")
    return {{{"m", 37}, {"n", 71}, {"k", 259}},
            {{"m", 150}, {"n", 600}, {"k", 300}},
            {{"m", 1}, {"n", 1}, {"k", 1}}};
  if (workload == "linear_recurrence")
    // 16431 lanes: the multi-threaded portable path; 16400: multi-threaded
    // whole vectors; 64 lanes: the state in registers, and streamed (over
    // 16 MiB) at t=22000; 1500x2x640: streamed rows.
    return {{{"t", 37}, {"b", 3}, {"c", 43}},   {{"t", 1}, {"b", 1}, {"c", 5}},
            {{"t", 5}, {"b", 3}, {"c", 5477}},  {{"t", 20}, {"b", 1}, {"c", 16400}},
            {{"t", 300}, {"b", 1}, {"c", 64}},  {{"t", 22000}, {"b", 1}, {"c", 64}},
            {{"t", 1500}, {"b", 2}, {"c", 640}}};
  return {};
}

}  // namespace worthit::test
