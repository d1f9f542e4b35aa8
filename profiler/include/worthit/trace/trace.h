// The trace model: Chrome Trace Event Format events in memory, read from and
// written to JSON. Plain data used by the profiler, the CLI, reports and the
// viewer; no Qt, no CUDA. docs/trace-schema.md describes the file format.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace worthit::trace {

inline constexpr const char* kSchemaName = "worthit.trace";
inline constexpr int kSchemaVersion = 1;

// Categories the profiler writes and the analysis looks for. Kineto
// (torch.profiler) uses the same names for GPU work, so its traces analyse
// the same way.
namespace category {
inline constexpr const char* kScope = "scope";        // WORTHIT_SCOPE, worthit.scope
inline constexpr const char* kNvtx = "nvtx";          // NVTX ranges and marks
inline constexpr const char* kKernel = "kernel";      // GPU kernels
inline constexpr const char* kMemcpy = "gpu_memcpy";  // GPU copies
inline constexpr const char* kMemset = "gpu_memset";  // GPU memsets
inline constexpr const char* kCudaRuntime = "cuda_runtime";
inline constexpr const char* kCudaDriver = "cuda_driver";
inline constexpr const char* kCudaSync = "cuda_sync";
inline constexpr const char* kOverhead = "overhead";  // CUPTI's own overhead
inline constexpr const char* kFlow = "ac2g";          // CPU launch -> GPU work
}  // namespace category

struct Event {
  std::string name;
  std::string category;
  // 'X' complete, 'B'/'E' begin/end, 'i' instant, 'C' counter, 'M' metadata,
  // 's'/'f' flow start/finish.
  char phase = 'X';
  int64_t pid = 0;
  int64_t tid = 0;
  int64_t ts_ns = 0;    // nanoseconds; files hold microseconds with 3 decimals
  int64_t dur_ns = 0;   // 'X' only
  uint64_t id = 0;      // flow id ('s'/'f')
  nlohmann::json args;  // null when the event has none
};

struct Trace {
  std::vector<Event> events;
  std::map<int64_t, std::string> process_names;
  std::map<std::pair<int64_t, int64_t>, std::string> thread_names;
  // The "worthit" object of the file: schema, version, clock, machine,
  // dropped counts, command. For imported traces: source and its metadata.
  nlohmann::json metadata = nlohmann::json::object();
};

// Reads a worthit trace or a torch.profiler (Kineto) / chrome://tracing
// Chrome trace ({"traceEvents": [...]} or a bare array). Timestamps keep
// their nanosecond digits. Throws FileError (with byte offset where known).
Trace read_trace(const std::filesystem::path& path);
Trace parse_trace(std::string_view json, const std::filesystem::path& name_for_errors = "<memory>");

// Writes Chrome Trace Event JSON with the worthit metadata; atomic (temp file
// + rename). Events are written in the order they are stored.
void write_trace(const std::filesystem::path& path, const Trace& trace);
std::string trace_to_json(const Trace& trace);

// Fills metadata with schema, version, clock and this machine's fingerprint.
void stamp_metadata(Trace& trace, const std::string& clock = "CLOCK_MONOTONIC");

// Sorts events by (ts, then longer first) so nesting is visible to readers
// that expect time order; stable for equal keys.
void sort_events(Trace& trace);

}  // namespace worthit::trace
