// The CUPTI implementation of ActivityApi. Its .cpp is the only file that
// includes <cupti.h>; everything else sees the interface.
#pragma once

#include <memory>

#include "worthit/profiler/gpu_activity.h"

namespace worthit::profiler::gpu {

std::unique_ptr<ActivityApi> make_cupti_activity_api();

}  // namespace worthit::profiler::gpu
