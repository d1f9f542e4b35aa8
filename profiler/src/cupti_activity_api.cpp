// CUPTI activity API: enables the activity kinds, hands CUPTI buffers from a
// recycled pool, copies completed records into ActivityRecord, counts what
// CUPTI dropped. CONCURRENT_KERNEL, never KERNEL: the latter serializes every
// kernel launch and would distort the very timeline we measure.
#include "cupti_activity_api.h"

#include <cupti.h>
#include <time.h>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

namespace worthit::profiler::gpu {
namespace {

constexpr size_t kBufferBytes = 8 << 20;  // 8 MiB: ~40k kernel records
constexpr size_t kMaxBuffers = 64;        // 512 MiB in flight at most, then CUPTI drops
constexpr size_t kAlign = 8;

const CUpti_ActivityKind kKinds[] = {
    CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL,
    CUPTI_ACTIVITY_KIND_MEMCPY,
    CUPTI_ACTIVITY_KIND_MEMSET,
    CUPTI_ACTIVITY_KIND_RUNTIME,
    CUPTI_ACTIVITY_KIND_DRIVER,
    CUPTI_ACTIVITY_KIND_SYNCHRONIZATION,
    CUPTI_ACTIVITY_KIND_OVERHEAD,
};

uint64_t CUPTIAPI monotonic_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000000u + uint64_t(ts.tv_nsec);
}

std::string result_text(CUptiResult r) {
  const char* s = nullptr;
  cuptiGetResultString(r, &s);
  return s ? s : ("CUPTI error " + std::to_string(int(r)));
}

const char* memcpy_kind_name(uint8_t k) {
  switch (k) {
    case CUPTI_ACTIVITY_MEMCPY_KIND_HTOD:
      return "Memcpy HtoD";
    case CUPTI_ACTIVITY_MEMCPY_KIND_DTOH:
      return "Memcpy DtoH";
    case CUPTI_ACTIVITY_MEMCPY_KIND_HTOA:
      return "Memcpy HtoA";
    case CUPTI_ACTIVITY_MEMCPY_KIND_ATOH:
      return "Memcpy AtoH";
    case CUPTI_ACTIVITY_MEMCPY_KIND_ATOA:
      return "Memcpy AtoA";
    case CUPTI_ACTIVITY_MEMCPY_KIND_ATOD:
      return "Memcpy AtoD";
    case CUPTI_ACTIVITY_MEMCPY_KIND_DTOA:
      return "Memcpy DtoA";
    case CUPTI_ACTIVITY_MEMCPY_KIND_DTOD:
      return "Memcpy DtoD";
    case CUPTI_ACTIVITY_MEMCPY_KIND_HTOH:
      return "Memcpy HtoH";
    case CUPTI_ACTIVITY_MEMCPY_KIND_PTOP:
      return "Memcpy PtoP";
    default:
      return "Memcpy";
  }
}

const char* sync_type_name(CUpti_ActivitySynchronizationType t) {
  switch (t) {
    case CUPTI_ACTIVITY_SYNCHRONIZATION_TYPE_EVENT_SYNCHRONIZE:
      return "cudaEventSynchronize";
    case CUPTI_ACTIVITY_SYNCHRONIZATION_TYPE_STREAM_WAIT_EVENT:
      return "cudaStreamWaitEvent";
    case CUPTI_ACTIVITY_SYNCHRONIZATION_TYPE_STREAM_SYNCHRONIZE:
      return "cudaStreamSynchronize";
    case CUPTI_ACTIVITY_SYNCHRONIZATION_TYPE_CONTEXT_SYNCHRONIZE:
      return "cudaDeviceSynchronize";
    default:
      return "synchronization";
  }
}

const char* overhead_name(CUpti_ActivityOverheadKind k) {
  switch (k) {
    case CUPTI_ACTIVITY_OVERHEAD_DRIVER_COMPILER:
      return "driver compiler";
    case CUPTI_ACTIVITY_OVERHEAD_CUPTI_BUFFER_FLUSH:
      return "CUPTI buffer flush";
    case CUPTI_ACTIVITY_OVERHEAD_CUPTI_INSTRUMENTATION:
      return "CUPTI instrumentation";
    case CUPTI_ACTIVITY_OVERHEAD_CUPTI_RESOURCE:
      return "CUPTI resource";
    default:
      return "overhead";
  }
}

std::string api_name(CUpti_CallbackDomain domain, CUpti_CallbackId cbid) {
  const char* name = nullptr;
  if (cuptiGetCallbackName(domain, cbid, &name) == CUPTI_SUCCESS && name) return name;
  return (domain == CUPTI_CB_DOMAIN_RUNTIME_API ? "runtime " : "driver ") + std::to_string(cbid);
}

// Kernels, copies and memsets are different CUPTI structs with the same
// timing and placement fields.
template <class GpuWorkRecord>
void copy_gpu_work_fields(const GpuWorkRecord& w, ActivityRecord& r) {
  r.start_ns = int64_t(w.start);
  r.end_ns = int64_t(w.end);
  r.correlation_id = w.correlationId;
  r.device = w.deviceId;
  r.context = w.contextId;
  r.stream = w.streamId;
}

bool convert(const CUpti_Activity* a, ActivityRecord& r) {
  switch (a->kind) {
    case CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL:
    case CUPTI_ACTIVITY_KIND_KERNEL: {
      auto* k = reinterpret_cast<const CUpti_ActivityKernel10*>(a);
      r.kind = ActivityKind::kernel;
      r.name = k->name ? k->name : "kernel";
      copy_gpu_work_fields(*k, r);
      r.grid[0] = k->gridX, r.grid[1] = k->gridY, r.grid[2] = k->gridZ;
      r.block[0] = k->blockX, r.block[1] = k->blockY, r.block[2] = k->blockZ;
      r.registers = k->registersPerThread;
      r.shared_memory = k->staticSharedMemory + k->dynamicSharedMemory;
      return true;
    }
    case CUPTI_ACTIVITY_KIND_MEMCPY: {
      auto* m = reinterpret_cast<const CUpti_ActivityMemcpy6*>(a);
      r.kind = ActivityKind::memcpy;
      r.name = memcpy_kind_name(m->copyKind);
      copy_gpu_work_fields(*m, r);
      r.bytes = m->bytes;
      return true;
    }
    case CUPTI_ACTIVITY_KIND_MEMSET: {
      auto* m = reinterpret_cast<const CUpti_ActivityMemset4*>(a);
      r.kind = ActivityKind::memset;
      r.name = "Memset";
      copy_gpu_work_fields(*m, r);
      r.bytes = m->bytes;
      return true;
    }
    case CUPTI_ACTIVITY_KIND_RUNTIME:
    case CUPTI_ACTIVITY_KIND_DRIVER: {
      auto* api = reinterpret_cast<const CUpti_ActivityAPI*>(a);
      const bool runtime = a->kind == CUPTI_ACTIVITY_KIND_RUNTIME;
      r.kind = runtime ? ActivityKind::runtime : ActivityKind::driver;
      r.name =
          api_name(runtime ? CUPTI_CB_DOMAIN_RUNTIME_API : CUPTI_CB_DOMAIN_DRIVER_API, api->cbid);
      r.start_ns = int64_t(api->start);
      r.end_ns = int64_t(api->end);
      r.correlation_id = api->correlationId;
      r.thread_id = api->threadId;
      return true;
    }
    case CUPTI_ACTIVITY_KIND_SYNCHRONIZATION: {
      auto* s = reinterpret_cast<const CUpti_ActivitySynchronization2*>(a);
      r.kind = ActivityKind::synchronization;
      r.name = sync_type_name(s->type);
      r.start_ns = int64_t(s->start);
      r.end_ns = int64_t(s->end);
      r.correlation_id = s->correlationId;
      r.context = s->contextId;
      r.stream = s->streamId;
      return true;
    }
    case CUPTI_ACTIVITY_KIND_OVERHEAD: {
      auto* o = reinterpret_cast<const CUpti_ActivityOverhead3*>(a);
      r.kind = ActivityKind::overhead;
      r.name = overhead_name(o->overheadKind);
      r.start_ns = int64_t(o->start);
      r.end_ns = int64_t(o->end);
      return true;
    }
    default:
      return false;
  }
}

class CuptiActivityApi final : public ActivityApi {
 public:
  CuptiActivityApi() { instance_ = this; }
  ~CuptiActivityApi() override {
    stop();
    for (uint8_t* b : free_) std::free(b);
    instance_ = nullptr;
  }

  bool start(Sink sink, std::string* why_not) override {
    sink_ = std::move(sink);
    // Our clock, so GPU records line up with scopes and NVTX ranges.
    if (CUptiResult r = cuptiActivityRegisterTimestampCallback(monotonic_ns); r != CUPTI_SUCCESS) {
      if (why_not) *why_not = "cuptiActivityRegisterTimestampCallback: " + result_text(r);
      return false;
    }
    if (CUptiResult r = cuptiActivityRegisterCallbacks(on_buffer_requested, on_buffer_completed);
        r != CUPTI_SUCCESS) {
      if (why_not) *why_not = "cuptiActivityRegisterCallbacks: " + result_text(r);
      return false;
    }
    for (CUpti_ActivityKind kind : kKinds) {
      if (CUptiResult r = cuptiActivityEnable(kind); r != CUPTI_SUCCESS) {
        if (why_not)
          *why_not = "cuptiActivityEnable(" + std::to_string(int(kind)) + "): " + result_text(r);
        return false;
      }
    }
    started_ = true;
    return true;
  }

  void flush() override {
    if (started_) cuptiActivityFlushAll(CUPTI_ACTIVITY_FLAG_FLUSH_FORCED);
  }

  void stop() override {
    if (!started_) return;
    cuptiActivityFlushAll(CUPTI_ACTIVITY_FLAG_FLUSH_FORCED);
    for (CUpti_ActivityKind kind : kKinds) cuptiActivityDisable(kind);
    started_ = false;
  }

  uint64_t dropped_records() const override { return dropped_.load(); }

 private:
  static void CUPTIAPI on_buffer_requested(uint8_t** buffer, size_t* size, size_t* max_records) {
    *max_records = 0;
    *buffer = instance_ ? instance_->take_buffer() : nullptr;
    // A null buffer makes CUPTI drop records and count them; we report that.
    *size = *buffer ? kBufferBytes : 0;
  }

  static void CUPTIAPI on_buffer_completed(CUcontext ctx, uint32_t stream, uint8_t* buffer,
                                           size_t size, size_t valid) {
    if (!instance_) {
      std::free(buffer);
      return;
    }
    instance_->drain(ctx, stream, buffer, valid);
  }

  uint8_t* take_buffer() {
    std::lock_guard lock(pool_mutex_);
    if (!free_.empty()) {
      uint8_t* b = free_.back();
      free_.pop_back();
      return b;
    }
    if (allocated_ >= kMaxBuffers) return nullptr;
    ++allocated_;
    return static_cast<uint8_t*>(std::aligned_alloc(kAlign, kBufferBytes));
  }

  void drain(CUcontext ctx, uint32_t stream, uint8_t* buffer, size_t valid) {
    std::vector<ActivityRecord> batch;
    CUpti_Activity* record = nullptr;
    while (buffer && valid > 0 &&
           cuptiActivityGetNextRecord(buffer, valid, &record) == CUPTI_SUCCESS) {
      ActivityRecord r;
      if (convert(record, r)) batch.push_back(std::move(r));
    }
    size_t dropped = 0;
    if (cuptiActivityGetNumDroppedRecords(ctx, stream, &dropped) == CUPTI_SUCCESS)
      dropped_.fetch_add(dropped);
    if (!batch.empty() && sink_) sink_(std::move(batch));
    if (buffer) {
      std::lock_guard lock(pool_mutex_);
      free_.push_back(buffer);  // recycled for the next request
    }
  }

  static inline CuptiActivityApi* instance_ = nullptr;
  Sink sink_;
  bool started_ = false;
  std::atomic<uint64_t> dropped_{0};
  std::mutex pool_mutex_;
  std::vector<uint8_t*> free_;
  size_t allocated_ = 0;
};

}  // namespace

std::unique_ptr<ActivityApi> make_cupti_activity_api() {
  return std::make_unique<CuptiActivityApi>();
}

}  // namespace worthit::profiler::gpu
