// The profiler runtime: per-thread record buffers, the registry the flusher
// reads them from, and the exit/signal/fork handling that makes sure a
// stopped program still leaves its trace.
//
// Each thread appends fixed-size records to chunks it owns and publishes the
// count with a release store; the flusher reads up to that count. The hot
// path takes no lock and allocates only once per 65536 records.
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "worthit/profiler/c_api.h"
#include "worthit/profiler/profiler.h"
#include "worthit/trace/trace.h"

namespace worthit::profiler {
namespace detail {
std::atomic<bool> g_enabled{false};
}  // namespace detail

namespace {

enum class Kind : uint32_t { scope, slice, range, mark, counter };

// 32 bytes: a scope costs one such store. Category and NVTX domain hide
// behind a small tag (see register_tag).
struct Record {
  const char* name;
  int64_t ts;
  int64_t end;  // slices/ranges: end; counters: the value's bits
  Kind kind;
  uint32_t tag;
};
static_assert(sizeof(Record) == 32);

// 4 MiB chunks, 2 MiB aligned, advised as huge pages: page faults on fresh
// buffer memory were a third of a scope's cost with 4 KiB pages.
constexpr size_t kChunkBits = 17;
constexpr size_t kChunkSize = size_t{1} << kChunkBits;
constexpr size_t kChunkBytes = kChunkSize * sizeof(Record);
constexpr size_t kMaxChunks = 2048;  // 268M records per thread, then records are dropped

struct Tag {
  const char* category;
  const char* domain;
};
constexpr size_t kMaxTags = 4096;

struct ThreadBuffer {
  std::atomic<Record*> chunks[kMaxChunks] = {};
  std::atomic<uint64_t> count{0};
  std::atomic<uint64_t> first{0};  // records before this belong to the parent (fork)
  std::atomic<uint64_t> dropped{0};
  int64_t tid = 0;
  std::atomic<const char*> name{nullptr};
  std::vector<std::pair<const char*, int64_t>> open;             // begin/end slices, owner only
  std::unordered_map<std::string_view, const char*> name_cache;  // owner only
};

// Leaked on purpose: exit handlers and late threads may use them after
// static destruction has begun.
struct Registry {
  std::mutex mutex;
  std::vector<ThreadBuffer*> buffers;
  std::vector<FlushHook> hooks;
  std::filesystem::path output;
  std::filesystem::path output_dir;  // per-process files: <dir>/<pid>.trace.json
  std::mutex flush_mutex;
  std::mutex intern_mutex;
  Tag tags[kMaxTags] = {{nullptr, nullptr}};
  std::atomic<uint32_t> tag_count{1};  // tag 0: a plain scope, mark or counter
  std::unordered_set<std::string_view> interned;
  std::deque<std::string> interned_storage;
};
Registry& registry() {
  static Registry* r = new Registry;
  return *r;
}

__attribute__((tls_model("initial-exec"))) thread_local ThreadBuffer* tls_buffer = nullptr;

int64_t current_tid() { return static_cast<int64_t>(::syscall(SYS_gettid)); }

ThreadBuffer* make_buffer() {
  auto* b = new ThreadBuffer;
  b->tid = current_tid();
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  r.buffers.push_back(b);
  tls_buffer = b;
  return b;
}

inline ThreadBuffer& buffer() {
  ThreadBuffer* b = tls_buffer;
  return b ? *b : *make_buffer();
}

// Fresh chunks come pre-faulted from a pool that a background thread keeps
// filled: first-touch page faults, not the store, dominated a scope's cost.
class ChunkPool {
 public:
  Record* take() {
    {
      std::lock_guard lock(mutex_);
      if (!ready_.empty()) {
        Record* c = ready_.back();
        ready_.pop_back();
        wake_.notify_one();
        return c;
      }
    }
    wake_.notify_one();
    return allocate(false);
  }

  // Starts (or, in a forked child, restarts) the filler thread.
  void start_filler() {
    std::thread([this] {
      std::unique_lock lock(mutex_);
      for (;;) {
        while (ready_.size() >= kSpare) wake_.wait(lock);
        lock.unlock();
        Record* c = allocate(true);
        lock.lock();
        if (!c) return;
        ready_.push_back(c);
      }
    }).detach();
  }

  void after_fork_in_child() {
    new (&mutex_) std::mutex;
    new (&wake_) std::condition_variable;
  }

 private:
  static constexpr size_t kSpare = 4;  // 16 MiB ready for whichever thread fills a chunk

  static Record* allocate(bool touch) {
    auto* c = static_cast<Record*>(std::aligned_alloc(size_t{2} << 20, kChunkBytes));
    if (!c) return nullptr;
    ::madvise(c, kChunkBytes, MADV_HUGEPAGE);
    if (touch)
      for (size_t off = 0; off < kChunkBytes; off += 4096)
        reinterpret_cast<volatile char*>(c)[off] = 0;
    return c;
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<Record*> ready_;
};
ChunkPool& chunk_pool() {
  static ChunkPool* p = new ChunkPool;
  return *p;
}

// ---- lost-process markers -------------------------------------------------
//
// Under `worthit profile`, a process that records anything first leaves
// <dir>/<pid>.started; its trace, <dir>/<pid>.trace.json, is written when it
// ends. A marker without a trace is a process whose records were lost (it was
// killed by SIGKILL or crashed), which the profile summary then reports
// instead of claiming nothing was dropped. The marker is written on the first
// record, which always takes append_slow (a fresh buffer has no chunk, and a
// forked child's chunk is dropped, see after_fork_in_child), so the hot path
// pays nothing, and a fork that only execs another program leaves none.
std::atomic<bool> g_needs_marker{false};
std::string process_name();

void write_marker() {
  Registry& r = registry();
  if (r.output_dir.empty()) return;
  const std::string path = (r.output_dir / (std::to_string(::getpid()) + ".started")).string();
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return;
  const std::string line =
      std::to_string(::getpid()) + " " + std::to_string(::getppid()) + " " + process_name() + "\n";
  [[maybe_unused]] auto n = ::write(fd, line.data(), line.size());
  ::close(fd);
}

[[gnu::noinline]] void append_slow(ThreadBuffer& b, const Record& rec, uint64_t n) {
  if (g_needs_marker.load(std::memory_order_relaxed) && g_needs_marker.exchange(false))
    write_marker();
  const size_t chunk = n >> kChunkBits;
  Record* c = chunk < kMaxChunks ? chunk_pool().take() : nullptr;
  if (!c) {
    b.dropped.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  b.chunks[chunk].store(c, std::memory_order_relaxed);
  c[n & (kChunkSize - 1)] = rec;
  b.count.store(n + 1, std::memory_order_release);
}

inline void append(const Record& rec) {
  ThreadBuffer& b = buffer();
  const uint64_t n = b.count.load(std::memory_order_relaxed);
  const size_t chunk = n >> kChunkBits;
  Record* c = chunk < kMaxChunks ? b.chunks[chunk].load(std::memory_order_relaxed) : nullptr;
  if (!c) [[unlikely]] {
    append_slow(b, rec, n);
    return;
  }
  c[n & (kChunkSize - 1)] = rec;
  b.count.store(n + 1, std::memory_order_release);
}

std::string process_name() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> args;
  for (size_t pos = 0; pos < cmdline.size();) {
    size_t end = cmdline.find('\0', pos);
    if (end == std::string::npos) end = cmdline.size();
    args.push_back(cmdline.substr(pos, end - pos));
    pos = end + 1;
  }
  if (args.empty()) return "process";
  std::string name = std::filesystem::path(args[0]).filename().string();
  // "python train.py" reads better than "python".
  if (args.size() > 1 && name.starts_with("python")) name += " " + args[1];
  return name;
}

std::filesystem::path output_path_locked(Registry& r) {
  if (!r.output_dir.empty()) return r.output_dir / (std::to_string(::getpid()) + ".trace.json");
  return r.output;
}

// ---- exit, signals, fork -------------------------------------------------

int g_signal_pipe[2] = {-1, -1};

void on_signal(int sig) {
  const unsigned char s = static_cast<unsigned char>(sig);
  if (g_signal_pipe[1] >= 0) {
    [[maybe_unused]] auto n = ::write(g_signal_pipe[1], &s, 1);
  } else {
    ::signal(sig, SIG_DFL);
    ::raise(sig);
  }
}

// Writing a trace is not async-signal-safe, so the handler only wakes this
// thread, which flushes and then lets the signal take its default course.
void signal_watcher(int read_fd) {
  unsigned char sig = 0;
  while (::read(read_fd, &sig, 1) != 1) {
  }
  try {
    flush();
  } catch (...) {
  }
  ::signal(sig, SIG_DFL);
  ::kill(::getpid(), sig);
}

void start_signal_watcher() {
  if (::pipe2(g_signal_pipe, O_CLOEXEC) != 0) return;
  std::thread(signal_watcher, g_signal_pipe[0]).detach();
  for (int sig : {SIGINT, SIGTERM}) {
    struct sigaction old {};
    ::sigaction(sig, nullptr, &old);
    // Leave handlers the program installed (Python's KeyboardInterrupt):
    // they end in a normal exit, which flushes through atexit.
    if (old.sa_handler != SIG_DFL) continue;
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    ::sigaction(sig, &sa, nullptr);
  }
}

// The process that owns the runtime's state: _exit in a vfork child (which
// shares our memory and ran no fork handler) must not flush.
std::atomic<pid_t> g_owner_pid{0};

void after_fork_in_child() {
  // The child's buffers still hold the parent's records: skip them, and drop
  // the current chunk so the child's first record takes append_slow (and
  // leaves its marker). The signal watcher thread did not survive the fork;
  // start another.
  Registry& r = registry();
  new (&r.mutex) std::mutex;
  new (&r.flush_mutex) std::mutex;
  new (&r.intern_mutex) std::mutex;
  g_owner_pid.store(::getpid());
  for (ThreadBuffer* b : r.buffers) {
    const uint64_t n = b->count.load();
    b->first.store(n);
    b->dropped.store(0);  // the parent's drops are the parent's to report
    if ((n >> kChunkBits) < kMaxChunks) b->chunks[n >> kChunkBits].store(nullptr);
  }
  g_needs_marker.store(!r.output_dir.empty());
  if (ThreadBuffer* b = tls_buffer) {
    b->tid = current_tid();
    b->open.clear();
  }
  if (g_signal_pipe[0] >= 0) {
    ::close(g_signal_pipe[0]);
    ::close(g_signal_pipe[1]);
    g_signal_pipe[0] = g_signal_pipe[1] = -1;
  }
  chunk_pool().after_fork_in_child();
  if (detail::g_enabled.load()) {
    start_signal_watcher();
    chunk_pool().start_filler();
  }
}

void flush_at_exit() {
  if (!detail::g_enabled.load()) return;
  try {
    flush();
  } catch (...) {
  }
}

// Called by libworthit_exit.so (preloaded by `worthit profile`) when the
// process leaves through _exit or _Exit, which skip atexit: forked
// multiprocessing workers and os._exit.
void flush_before_exit() {
  if (::getpid() != g_owner_pid.load()) return;  // a vfork child: not our memory to use
  flush_at_exit();
}

// libworthit_exit.so is in the global scope when preloaded, whether this
// runtime was linked or opened by the NVTX or CUDA injection.
void register_exit_hook() {
  using SetHook = void (*)(void (*)());
  if (auto set = reinterpret_cast<SetHook>(::dlsym(RTLD_DEFAULT, "worthit_exit_hook_set")))
    set(flush_before_exit);
}

std::once_flag g_install_once;
void install_handlers() {
  std::call_once(g_install_once, [] {
    g_owner_pid.store(::getpid());
    register_exit_hook();
    std::atexit(flush_at_exit);
    ::pthread_atfork(nullptr, nullptr, after_fork_in_child);
    start_signal_watcher();
    chunk_pool().start_filler();
  });
}

// Enabled from the environment when the library loads: `worthit profile`
// sets WORTHIT_PROFILE_DIR for the whole process tree.
struct EnvInit {
  EnvInit() {
    if (const char* dir = std::getenv("WORTHIT_PROFILE_DIR"); dir && *dir) {
      registry().output_dir = dir;
      g_needs_marker.store(true);
      detail::g_enabled.store(true);
      install_handlers();
    } else if (const char* file = std::getenv("WORTHIT_TRACE_FILE"); file && *file) {
      enable(file);
    }
  }
} g_env_init;

// ---- snapshot ------------------------------------------------------------

constexpr int64_t kRangeLaneTid = 0x7fff0000;

void add_record(trace::Trace& t, const Record& r, const Tag& tag, int64_t pid, int64_t tid,
                std::vector<trace::Event>& ranges) {
  trace::Event e;
  e.name = r.name ? r.name : "";
  e.pid = pid;
  e.tid = tid;
  e.ts_ns = r.ts;
  if (tag.domain) e.args = nlohmann::json{{"domain", tag.domain}};
  switch (r.kind) {
    case Kind::scope:
      e.category = trace::category::kScope;
      e.phase = 'X';
      e.dur_ns = r.end - r.ts;
      break;
    case Kind::slice:
    case Kind::range:
      e.category = tag.category ? tag.category : trace::category::kScope;
      e.phase = 'X';
      e.dur_ns = r.end - r.ts;
      if (r.kind == Kind::range) {
        ranges.push_back(std::move(e));
        return;
      }
      break;
    case Kind::mark:
      e.category = tag.category ? tag.category : "mark";
      e.phase = 'i';
      break;
    case Kind::counter:
      e.category = "counter";
      e.phase = 'C';
      e.args = nlohmann::json{{e.name, std::bit_cast<double>(r.end)}};
      break;
  }
  t.events.push_back(std::move(e));
}

// Start/end ranges need not nest, so each goes on the first lane that is free
// at its start.
void place_ranges(trace::Trace& t, std::vector<trace::Event>& ranges, int64_t pid) {
  std::sort(ranges.begin(), ranges.end(),
            [](const trace::Event& a, const trace::Event& b) { return a.ts_ns < b.ts_ns; });
  std::vector<int64_t> lane_end;
  for (auto& e : ranges) {
    size_t lane = 0;
    while (lane < lane_end.size() && lane_end[lane] > e.ts_ns) ++lane;
    if (lane == lane_end.size()) {
      lane_end.push_back(0);
      t.thread_names[{pid, kRangeLaneTid + int64_t(lane)}] =
          "NVTX start/end ranges " + std::to_string(lane + 1);
    }
    lane_end[lane] = e.ts_ns + e.dur_ns;
    e.tid = kRangeLaneTid + int64_t(lane);
    t.events.push_back(std::move(e));
  }
}

}  // namespace

namespace detail {
void record_complete(const char* name, int64_t start_ns, int64_t end_ns) {
  append({name, start_ns, end_ns, Kind::scope, 0});
}
}  // namespace detail

void enable(const std::filesystem::path& output) {
  Registry& r = registry();
  {
    std::lock_guard lock(r.mutex);
    r.output = output;
    r.output_dir.clear();
  }
  install_handlers();
  detail::g_enabled.store(true);
}

void disable() { detail::g_enabled.store(false); }

void reset() {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  for (ThreadBuffer* b : r.buffers) {
    b->first.store(b->count.load(std::memory_order_acquire));
    b->dropped.store(0);
  }
}

const char* intern_name(std::string_view name) {
  ThreadBuffer& b = buffer();
  if (auto it = b.name_cache.find(name); it != b.name_cache.end()) return it->second;
  Registry& r = registry();
  const char* stable;
  {
    std::lock_guard lock(r.intern_mutex);
    auto it = r.interned.find(name);
    if (it == r.interned.end()) {
      r.interned_storage.emplace_back(name);
      it = r.interned.insert(r.interned_storage.back()).first;
    }
    stable = it->data();
  }
  b.name_cache.emplace(std::string_view(stable, name.size()), stable);
  return stable;
}

void mark(const char* name) {
  if (enabled()) append({name, now_ns(), 0, Kind::mark, 0});
}

void counter(const char* name, double value) {
  if (enabled()) append({name, now_ns(), std::bit_cast<int64_t>(value), Kind::counter, 0});
}

void set_thread_name(const char* name) { buffer().name.store(name); }

uint32_t register_tag(const char* category, const char* domain) {
  Registry& r = registry();
  std::lock_guard lock(r.intern_mutex);
  const uint32_t n = r.tag_count.load();
  for (uint32_t i = 1; i < n; ++i)
    if (r.tags[i].category == category && r.tags[i].domain == domain) return i;
  if (n == kMaxTags) return 0;
  r.tags[n] = {category, domain};
  r.tag_count.store(n + 1, std::memory_order_release);
  return n;
}

void record_range(const char* name, uint32_t tag, int64_t start_ns, int64_t end_ns) {
  append({name, start_ns, end_ns, Kind::range, tag});
}

void record_slice(const char* name, uint32_t tag, int64_t start_ns, int64_t end_ns) {
  append({name, start_ns, end_ns, Kind::slice, tag});
}

void record_mark(const char* name, uint32_t tag, int64_t ts_ns) {
  append({name, ts_ns, 0, Kind::mark, tag});
}

uint64_t dropped_records() {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  uint64_t n = 0;
  for (ThreadBuffer* b : r.buffers) n += b->dropped.load();
  return n;
}

void add_flush_hook(FlushHook hook) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  r.hooks.push_back(std::move(hook));
}

trace::Trace snapshot() {
  Registry& r = registry();
  trace::Trace t;
  const int64_t pid = ::getpid();
  t.process_names[pid] = process_name();
  std::vector<ThreadBuffer*> buffers;
  std::vector<FlushHook> hooks;
  {
    std::lock_guard lock(r.mutex);
    buffers = r.buffers;
    hooks = r.hooks;
  }
  const uint32_t tag_count = r.tag_count.load(std::memory_order_acquire);
  size_t total = 0;
  for (ThreadBuffer* b : buffers)
    total += b->count.load(std::memory_order_acquire) - b->first.load();
  t.events.reserve(total);
  std::vector<trace::Event> ranges;
  uint64_t dropped = 0;
  for (ThreadBuffer* b : buffers) {
    const uint64_t end = b->count.load(std::memory_order_acquire);
    const uint64_t begin = std::min(b->first.load(), end);
    if (begin == end && !b->name.load()) continue;
    if (const char* name = b->name.load()) t.thread_names[{pid, b->tid}] = name;
    for (uint64_t i = begin; i < end; ++i) {
      const Record* chunk = b->chunks[i >> kChunkBits].load(std::memory_order_relaxed);
      const Record& rec = chunk[i & (kChunkSize - 1)];
      const Tag tag = rec.tag < tag_count ? r.tags[rec.tag] : Tag{nullptr, nullptr};
      add_record(t, rec, tag, pid, b->tid, ranges);
    }
    dropped += b->dropped.load();
  }
  place_ranges(t, ranges, pid);
  trace::stamp_metadata(t);
  t.metadata["pid"] = pid;
  t.metadata["ppid"] = ::getppid();
  t.metadata["process"] = t.process_names[pid];
  t.metadata["dropped"]["cpu_records"] = dropped;
  for (auto& hook : hooks) hook(t);
  return t;
}

std::filesystem::path flush() {
  Registry& r = registry();
  std::lock_guard flush_lock(r.flush_mutex);
  std::filesystem::path path;
  {
    std::lock_guard lock(r.mutex);
    path = output_path_locked(r);
  }
  if (path.empty()) return {};
  trace::write_trace(path, snapshot());
  return path;
}

}  // namespace worthit::profiler

// ---- C ABI -----------------------------------------------------------------

using namespace worthit::profiler;

extern "C" {

int worthit_profiler_enabled(void) { return enabled() ? 1 : 0; }

const char* worthit_profiler_intern(const char* name) { return intern_name(name ? name : ""); }

void worthit_profiler_begin(const char* interned_name) {
  if (!enabled()) return;
  buffer().open.emplace_back(interned_name, now_ns());
}

void worthit_profiler_end(void) {
  ThreadBuffer& b = buffer();
  if (b.open.empty()) return;
  const auto [name, start] = b.open.back();
  b.open.pop_back();
  detail::record_complete(name, start, now_ns());
}

void worthit_profiler_mark(const char* name) { mark(intern_name(name ? name : "")); }

void worthit_profiler_counter(const char* name, double value) {
  counter(intern_name(name ? name : ""), value);
}

void worthit_profiler_thread_name(const char* name) {
  set_thread_name(intern_name(name ? name : ""));
}

int worthit_profiler_flush(void) {
  try {
    flush();
    return 0;
  } catch (...) {
    return 1;
  }
}

}  // extern "C"
