#include "worthit/profiler/gpu_activity.h"

#include <algorithm>
#include <unordered_map>

namespace worthit::profiler::gpu {
namespace {

constexpr int64_t kGpuTidBase = 0x40000000;
constexpr int64_t kSyncTidBase = 0x50000000;
constexpr int64_t kOverheadTid = 0x5fffffff;

bool is_gpu(ActivityKind k) {
  return k == ActivityKind::kernel || k == ActivityKind::memcpy || k == ActivityKind::memset;
}

}  // namespace

int64_t gpu_stream_tid(uint32_t device, uint32_t stream) {
  return kGpuTidBase + int64_t(device) * 0x100000 + int64_t(stream % 0x100000);
}

ConversionStats append_activity(trace::Trace& t, const std::vector<ActivityRecord>& records,
                                int64_t pid) {
  ConversionStats stats;
  // The first GPU record of each correlation id gets the flow's arrow head.
  std::unordered_map<uint32_t, const ActivityRecord*> first_gpu;
  for (const auto& r : records)
    if (is_gpu(r.kind) && r.correlation_id != 0) {
      auto [it, inserted] = first_gpu.try_emplace(r.correlation_id, &r);
      if (!inserted && r.start_ns < it->second->start_ns) it->second = &r;
    }
  std::unordered_map<uint32_t, bool> flow_started;
  for (const auto& r : records) {
    trace::Event e;
    e.name = r.name;
    e.phase = 'X';
    e.pid = pid;
    e.ts_ns = r.start_ns;
    e.dur_ns = std::max<int64_t>(r.end_ns - r.start_ns, 0);
    e.args = nlohmann::json::object();
    if (r.correlation_id) e.args["correlation"] = r.correlation_id;
    switch (r.kind) {
      case ActivityKind::kernel:
        e.category = trace::category::kKernel;
        e.tid = gpu_stream_tid(r.device, r.stream);
        e.args["device"] = r.device;
        e.args["stream"] = r.stream;
        e.args["grid"] = {r.grid[0], r.grid[1], r.grid[2]};
        e.args["block"] = {r.block[0], r.block[1], r.block[2]};
        e.args["registers per thread"] = r.registers;
        e.args["shared memory"] = r.shared_memory;
        break;
      case ActivityKind::memcpy:
      case ActivityKind::memset:
        e.category =
            r.kind == ActivityKind::memcpy ? trace::category::kMemcpy : trace::category::kMemset;
        e.tid = gpu_stream_tid(r.device, r.stream);
        e.args["device"] = r.device;
        e.args["stream"] = r.stream;
        e.args["bytes"] = r.bytes;
        if (e.dur_ns > 0 && r.kind == ActivityKind::memcpy)
          e.args["GB/s"] = double(r.bytes) / double(e.dur_ns);
        break;
      case ActivityKind::runtime:
      case ActivityKind::driver:
        e.category = r.kind == ActivityKind::runtime ? trace::category::kCudaRuntime
                                                     : trace::category::kCudaDriver;
        e.tid = r.thread_id;
        break;
      case ActivityKind::synchronization:
        e.category = trace::category::kCudaSync;
        e.tid = kSyncTidBase + int64_t(r.device);
        e.args["stream"] = r.stream;
        break;
      case ActivityKind::overhead:
        e.category = trace::category::kOverhead;
        e.tid = kOverheadTid;
        break;
    }
    if (is_gpu(r.kind)) {
      t.thread_names.try_emplace(
          {pid, e.tid}, "GPU " + std::to_string(r.device) + " stream " + std::to_string(r.stream));
    } else if (r.kind == ActivityKind::synchronization) {
      t.thread_names.try_emplace({pid, e.tid}, "GPU " + std::to_string(r.device) + " sync");
    } else if (r.kind == ActivityKind::overhead) {
      t.thread_names.try_emplace({pid, e.tid}, "CUPTI overhead");
    }
    const bool api = r.kind == ActivityKind::runtime || r.kind == ActivityKind::driver;
    // Flow ids are unique across a merged multi-process trace.
    const uint64_t flow_id = (uint64_t(uint32_t(pid)) << 32) | r.correlation_id;
    if (api && r.correlation_id != 0 && !flow_started[r.correlation_id]) {
      if (auto it = first_gpu.find(r.correlation_id); it != first_gpu.end()) {
        // The driver call inside a runtime call shares its correlation id;
        // the arrow starts at the outer (earlier) call.
        flow_started[r.correlation_id] = true;
        const ActivityRecord& g = *it->second;
        t.events.push_back(
            {"launch", trace::category::kFlow, 's', pid, e.tid, e.ts_ns, 0, flow_id, {}});
        t.events.push_back({"launch",
                            trace::category::kFlow,
                            'f',
                            pid,
                            gpu_stream_tid(g.device, g.stream),
                            g.start_ns,
                            0,
                            flow_id,
                            {}});
        ++stats.flows;
      }
    }
    t.events.push_back(std::move(e));
    ++stats.events;
  }
  return stats;
}

GpuProfiler::GpuProfiler(std::unique_ptr<ActivityApi> api) : api_(std::move(api)) {}

GpuProfiler::~GpuProfiler() = default;

bool GpuProfiler::start(std::string* why_not) {
  return api_->start(
      [this](std::vector<ActivityRecord>&& batch) {
        std::lock_guard lock(mutex_);
        records_.insert(records_.end(), std::make_move_iterator(batch.begin()),
                        std::make_move_iterator(batch.end()));
      },
      why_not);
}

void GpuProfiler::stop() { api_->stop(); }

void GpuProfiler::append_to(trace::Trace& trace) {
  api_->flush();
  std::vector<ActivityRecord> records;
  {
    std::lock_guard lock(mutex_);
    records = records_;
  }
  // The runtime and driver API records for one call arrive in one order and
  // the GPU work in another; sort so the outer API call comes first.
  std::stable_sort(
      records.begin(), records.end(),
      [](const ActivityRecord& a, const ActivityRecord& b) { return a.start_ns < b.start_ns; });
  const int64_t pid = trace.metadata.value("pid", int64_t{0});
  append_activity(trace, records, pid);
  trace.metadata["dropped"]["gpu_records"] = api_->dropped_records();
  trace.metadata["gpu_capture"] = "cupti";
}

size_t GpuProfiler::buffered_records() const {
  std::lock_guard lock(mutex_);
  return records_.size();
}

}  // namespace worthit::profiler::gpu
