// CPU instrumentation: scopes, instant markers, counters and thread names.
//
//   WORTHIT_SCOPE("parse");           // a slice from here to the end of the block
//   WORTHIT_MARK("checkpoint");       // an instant event
//   WORTHIT_COUNTER("queue", n);      // a counter sample
//   WORTHIT_THREAD_NAME("loader");    // names the calling thread in the trace
//
// The macros compile to nothing unless WORTHIT_PROFILING is defined. When on,
// a scope costs two clock reads and one store into a per-thread buffer (no
// lock). Recording happens only while the runtime is enabled: by
// `worthit profile` (WORTHIT_PROFILE_DIR in the environment), by
// WORTHIT_TRACE_FILE=path, or by calling enable(). The trace is written at
// exit, on SIGINT/SIGTERM, or by flush(). All names must outlive the process
// (string literals) for the macros; other names go through intern_name().
#pragma once

#include <time.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace worthit::trace {
struct Trace;
}

namespace worthit::profiler {

// The trace clock: CLOCK_MONOTONIC in nanoseconds (CUPTI and NVTX use it too).
inline int64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

namespace detail {
extern std::atomic<bool> g_enabled;
void record_complete(const char* name, int64_t start_ns, int64_t end_ns);
}  // namespace detail

inline bool enabled() { return detail::g_enabled.load(std::memory_order_relaxed); }

// Starts recording; the trace goes to `output` at exit, on SIGINT/SIGTERM or
// on flush(). Records kept before enable() are written too.
void enable(const std::filesystem::path& output);
// Stops recording (records kept so far are still written by flush()).
void disable();
// Writes everything recorded so far to the output (atomically) and returns
// its path; empty when there is no output. Safe to call more than once: each
// call writes the whole trace again.
std::filesystem::path flush();
// Forgets every record (tests use it between cases).
void reset();

// A stable copy of `name` for the lifetime of the process; the same text
// gives the same pointer.
const char* intern_name(std::string_view name);

void mark(const char* name);
void counter(const char* name, double value);
void set_thread_name(const char* name);
// A tag names the category and (NVTX) domain of the records below; both
// strings must outlive the process. The same pair gives the same tag.
uint32_t register_tag(const char* category, const char* domain);
// A slice that began on another thread or does not nest (NVTX start/end):
// drawn on its own lane of the process.
void record_range(const char* name, uint32_t tag, int64_t start_ns, int64_t end_ns);
// A nested slice on the calling thread (NVTX push/pop).
void record_slice(const char* name, uint32_t tag, int64_t start_ns, int64_t end_ns);
void record_mark(const char* name, uint32_t tag, int64_t ts_ns);

// An instant event of category "worthit" with arguments (rare: how the
// process was captured); kept apart from the hot-path records.
void note(const std::string& name, nlohmann::json args);

// Records no buffer could hold (the per-thread cap was reached).
uint64_t dropped_records();

// Another source (CUPTI) adds its events to the trace being written.
using FlushHook = std::function<void(trace::Trace&)>;
void add_flush_hook(FlushHook hook);

// Builds the trace of what was recorded so far (flush() writes it).
trace::Trace snapshot();

class Scope {
 public:
  explicit Scope(const char* name) : name_(name), start_(enabled() ? now_ns() : 0) {}
  ~Scope() {
    if (start_ != 0) detail::record_complete(name_, start_, now_ns());
  }
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  const char* name_;
  int64_t start_;
};

}  // namespace worthit::profiler

#define WORTHIT_CONCAT_INNER(a, b) a##b
#define WORTHIT_CONCAT(a, b) WORTHIT_CONCAT_INNER(a, b)

#ifdef WORTHIT_PROFILING
#define WORTHIT_SCOPE(name) \
  ::worthit::profiler::Scope WORTHIT_CONCAT(worthit_scope_, __LINE__) { name }
#define WORTHIT_MARK(name) ::worthit::profiler::mark(name)
#define WORTHIT_COUNTER(name, value) ::worthit::profiler::counter(name, static_cast<double>(value))
#define WORTHIT_THREAD_NAME(name) ::worthit::profiler::set_thread_name(name)
#else
#define WORTHIT_SCOPE(name) static_cast<void>(0)
#define WORTHIT_MARK(name) static_cast<void>(0)
#define WORTHIT_COUNTER(name, value) static_cast<void>(0)
#define WORTHIT_THREAD_NAME(name) static_cast<void>(0)
#endif
