// The built-in workloads and their candidates.
#pragma once

#include "worthit/harness/registry.h"

namespace worthit::kernels {

// Adds every built-in workload and every candidate this build has: the C++
// ones always, libtorch ones when built with libtorch, CUDA ones with CUDA.
void register_builtin(Registry& registry);

}  // namespace worthit::kernels
