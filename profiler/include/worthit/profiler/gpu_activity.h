// GPU activity: the records CUPTI delivers, in worthit's own plain form, the
// interface that delivers them (CUPTI in production, a test double in tests),
// and their conversion into trace events with CPU->GPU flows.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "worthit/trace/trace.h"

namespace worthit::profiler::gpu {

enum class ActivityKind { kernel, memcpy, memset, runtime, driver, synchronization, overhead };

// One CUPTI activity record, copied out of CUPTI's buffer. Timestamps are
// CLOCK_MONOTONIC nanoseconds (the CUPTI class registers that clock).
struct ActivityRecord {
  ActivityKind kind = ActivityKind::kernel;
  std::string name;  // kernel name, API function, copy kind, sync type, overhead kind
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  uint32_t correlation_id = 0;  // links an API call to the GPU work it launched
  uint32_t device = 0;
  uint32_t context = 0;
  uint32_t stream = 0;
  int64_t thread_id = 0;  // runtime/driver: the OS thread that made the call
  uint64_t bytes = 0;     // memcpy/memset
  int32_t grid[3] = {0, 0, 0};
  int32_t block[3] = {0, 0, 0};
  int32_t registers = 0;
  int32_t shared_memory = 0;  // static + dynamic bytes
};

// What the GPU profiler needs from CUPTI. Tests replace it.
class ActivityApi {
 public:
  using Sink = std::function<void(std::vector<ActivityRecord>&&)>;
  virtual ~ActivityApi() = default;
  // Enables the activity kinds; records go to `sink` as buffers complete.
  // Returns false (and why) when GPU capture is impossible here.
  virtual bool start(Sink sink, std::string* why_not) = 0;
  // Delivers every buffered record to the sink now.
  virtual void flush() = 0;
  virtual void stop() = 0;
  // Records CUPTI could not store (all buffers full), so far.
  virtual uint64_t dropped_records() const = 0;
};

struct ConversionStats {
  int64_t events = 0;
  int64_t flows = 0;
};

// Turns records of process `pid` into trace events: GPU work on one lane per
// (device, stream), API calls on their CPU thread, synchronization and CUPTI
// overhead on their own lanes, and a flow from each API call to the first
// GPU work with its correlation id. Appends to `trace`.
ConversionStats append_activity(trace::Trace& trace, const std::vector<ActivityRecord>& records,
                                int64_t pid);

// Lane ids for GPU tracks (tids in the trace).
int64_t gpu_stream_tid(uint32_t device, uint32_t stream);

// Collects records from an ActivityApi and adds them to the trace at flush.
class GpuProfiler {
 public:
  explicit GpuProfiler(std::unique_ptr<ActivityApi> api);
  ~GpuProfiler();
  bool start(std::string* why_not);
  void stop();
  // Flushes the API and appends everything collected so far (events, and
  // dropped counts under metadata.dropped.gpu_records).
  void append_to(trace::Trace& trace);
  size_t buffered_records() const;

 private:
  std::unique_ptr<ActivityApi> api_;
  mutable std::mutex mutex_;
  std::vector<ActivityRecord> records_;
};

}  // namespace worthit::profiler::gpu
