// Registers the libtorch CUDA candidates, whose code sits in a plugin
// (torch_cuda_plugin_api.h) loaded on first use.
#pragma once

#include "worthit/harness/registry.h"

namespace worthit::kernels::cuda {

void register_torch_cuda_candidates(Registry& registry);

}  // namespace worthit::kernels::cuda
