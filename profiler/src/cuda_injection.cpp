// libworthit_cuda.so: loaded into unmodified CUDA programs by the driver when
// CUDA_INJECTION64_PATH names it. The driver calls InitializeInjection during
// cuInit; we start CUPTI activity capture and add its records to the
// process's trace when the profiler runtime flushes.
#include <cstdio>
#include <string>

#include "cupti_activity_api.h"
#include "worthit/profiler/gpu_activity.h"
#include "worthit/profiler/profiler.h"

extern "C" __attribute__((visibility("default"))) int InitializeInjection(void) {
  using namespace worthit::profiler;
  // Leaked on purpose: it must outlive every exit-time flush.
  static gpu::GpuProfiler* profiler = nullptr;
  if (profiler) return 1;
  profiler = new gpu::GpuProfiler(gpu::make_cupti_activity_api());
  std::string why_not;
  if (!profiler->start(&why_not)) {
    std::fprintf(stderr, "worthit: GPU capture unavailable: %s\n", why_not.c_str());
    add_flush_hook(
        [why_not](worthit::trace::Trace& t) { t.metadata["gpu_capture"] = "failed: " + why_not; });
    return 1;
  }
  add_flush_hook([](worthit::trace::Trace& t) { profiler->append_to(t); });
  return 1;
}
