// Analyses over a Trace: range statistics, thread busy share, GPU activity and
// a validator. Free functions over the model; printing is the caller's job.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "worthit/trace/trace.h"

namespace worthit::trace {

// One name's slices ('X' and matched 'B'/'E') over all CPU threads.
struct RangeStat {
  std::string name;
  std::string category;
  int64_t count = 0;
  int64_t total_ns = 0;
  int64_t self_ns = 0;  // total minus time in slices nested directly inside
  int64_t min_ns = 0;
  int64_t max_ns = 0;
};
// Sorted by total time, largest first. GPU work (kernels, copies, memsets) is
// excluded: see gpu_summary.
std::vector<RangeStat> range_stats(const Trace& trace);

struct ThreadBusy {
  int64_t pid = 0;
  int64_t tid = 0;
  std::string name;     // thread name, or "" when unnamed
  int64_t busy_ns = 0;  // union of top-level slices
  double share = 0;     // busy_ns / trace span
};
// Per CPU thread, busiest first. The span is first to last event of the trace.
std::vector<ThreadBusy> thread_busy(const Trace& trace);

struct Gap {
  int64_t start_ns = 0;
  int64_t dur_ns = 0;
};
struct KernelStat {
  std::string name;
  int64_t count = 0;
  int64_t total_ns = 0;
};
struct GpuSummary {
  bool has_gpu = false;
  int64_t span_ns = 0;  // first to last event of the whole trace
  int64_t busy_ns = 0;  // union of kernels, copies, memsets
  double busy_share = 0;
  std::vector<Gap> largest_gaps;    // idle gaps between GPU work, largest first
  std::vector<KernelStat> kernels;  // by total time
  int64_t memcpy_count = 0, memcpy_ns = 0;
  int64_t memset_count = 0, memset_ns = 0;
  int64_t launch_count = 0;   // launches (a runtime call and the driver call inside it count once)
  int64_t launch_api_ns = 0;  // total CPU time inside the outermost launch calls
  int64_t launch_latency_count = 0;  // launches paired with their kernel
  int64_t launch_latency_ns = 0;     // total launch-call start -> kernel start
  int64_t sync_ns = 0;               // time in synchronization
};
GpuSummary gpu_summary(const Trace& trace, size_t max_gaps = 5);

// GPU work is any event whose category is kernel, gpu_memcpy or gpu_memset.
bool is_gpu_work(const Event& e);

// Checks that the trace is well-formed: known phases, non-negative durations,
// 'X' slices nest per thread (no partial overlap), 'B'/'E' pair up with the
// same name per thread, flows 's'/'f' pair up by id. Returns the problems
// found (first few per kind), empty when valid.
std::vector<std::string> validate_trace(const Trace& trace);

}  // namespace worthit::trace
