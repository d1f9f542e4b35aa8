// ATen capture for `worthit profile --torch`: a RecordFunction observer that
// records every ATen op call, autograd node and record_function range of the
// process, with input shapes, dtypes and cheap scalar arguments, and adds them
// to the profiler runtime's trace when it is written (docs/profiler.md,
// "PyTorch ops"). The startup hook (profiler/startup/) loads this library
// once the program imports torch, after checking that the program's torch is
// the one it was built against. The only file that includes ATen's observer API.
//
// Hot path: one clock read, a fixed-size record and the encoded arguments
// appended to per-thread chunks (no lock), one clock read at the end. Most
// of the cost is torch's own: running any per-op callback at all, and boxing
// every op's arguments for it. So capture is per step: whole steps, every op
// in them, and the steps between without a per-op callback (CapturePlan
// below). The arguments are decoded into Kineto's argument names ("Input Dims", "Input
// type", "Concrete Inputs", ...) only when the trace is written, so the trace
// library reads worthit's and torch.profiler's ops the same way.
#include <ATen/Parallel.h>
#include <ATen/core/ivalue.h>
#include <ATen/record_function.h>
#include <c10/core/DeviceType.h>
#include <c10/core/ScalarType.h>
#include <c10/util/Exception.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "worthit/profiler/profiler.h"
#include "worthit/trace/op_calls.h"
#include "worthit/trace/trace.h"

namespace {

namespace wp = worthit::profiler;

// Argument encoding (bytes, little-endian host order).
enum ArgTag : uint8_t {
  kNone = 0,
  kTensor = 1,  // dtype u8, device type u8, device index i8, flags u8, storage u64, ndim u8,
                // sizes i64[ndim]
  kDouble = 2,
  kInt = 3,
  kBool = 4,
  kList = 5,    // count u16, then elements (each an ArgTag and its payload)
  kString = 6,  // length u8, bytes
  kOther = 7,   // a type the observer does not decode (Device, Generator, ...)
};
constexpr uint8_t kContiguous = 1;
constexpr uint8_t kSymbolic = 2;  // sizes not concrete (torch.compile tracing): dims are -1
constexpr size_t kMaxArgs = 32;
constexpr size_t kMaxListItems = 1024;
constexpr size_t kMaxDims = 12;
constexpr size_t kMaxString = 32;

enum class Scope : uint8_t { op, backward, user, other };

struct OpRecord {
  const char* name;
  int64_t start;
  std::atomic<int64_t> end;  // 0 while the op runs
  int64_t seq;
  uint64_t fwd_tid;
  uint64_t handle;
  uint64_t out_storage;  // identity of the first output's storage (chains of ops)
  const uint8_t* args;
  uint32_t args_len;
  Scope scope;
};

constexpr size_t kChunkBits = 14;  // 16384 records per chunk
constexpr size_t kChunkSize = size_t{1} << kChunkBits;
constexpr size_t kMaxChunks = 4096;  // 67M ops per thread, then ops are dropped
constexpr size_t kArenaBytes = size_t{4} << 20;
constexpr size_t kNameCache = 1024;

struct ThreadOps {
  std::atomic<OpRecord*> chunks[kMaxChunks] = {};
  std::atomic<uint64_t> count{0};
  std::atomic<uint64_t> first{0};  // records before this belong to the parent (fork)
  std::atomic<uint64_t> dropped{0};
  int64_t tid = 0;
  uint64_t logical_tid = 0;  // RecordFunction's thread id, which autograd nodes name
  // Owner only:
  uint8_t* arena = nullptr;
  size_t arena_used = kArenaBytes;
  std::vector<std::pair<uint64_t, uint64_t>> open;                      // (handle, record index)
  std::array<std::pair<const char*, const char*>, kNameCache> names{};  // pointer -> interned
};

struct Registry {
  std::mutex mutex;
  std::vector<ThreadOps*> threads;
  // Filled at install: the trace is written at exit, when torch may be gone.
  std::string dtype_names[64];
  std::string device_names[64];
  std::string torch_version;
  int intra_op_threads = 0;
  std::atomic<bool> installed{false};
};
// Leaked: the trace is written from exit handlers.
Registry& registry() {
  static Registry* r = new Registry;
  return *r;
}

// ---- which steps are captured ----------------------------------------------
// Any per-op observer costs on every op, even one that records nothing: an
// empty RecordFunction callback slows a small CPU training step by ~13%
// (profiler/bench/train_step_overhead.py, docs/profiler.md "What capture
// costs"), more than the bar for all of capture. So by default whole steps are
// captured, every op with its shapes, and the steps between them run without
// a per-op callback: a step ends with torch.optim's "Optimizer.step#..."
// range, which a callback on user scopes only (cheap: ops skip it) watches.
// Captured: everything up to the end of the first optimizer step, the next
// one, then every tenth. A process without optimizer steps (inference, a
// DataLoader worker) is captured whole. WORTHIT_TORCH_STEPS=all captures every
// step. The windows go into the trace ("worthit capture" slices), and hot-op
// analysis takes the steps inside them (docs/hot-ops.md, "Sampled steps").
constexpr int64_t kEveryStep = 10;

// Whether the step after `completed` optimizer steps is captured.
bool captured_step(int64_t completed) { return completed < 2 || completed % kEveryStep == 0; }

struct CapturePlan {
  bool sampled = true;
  at::CallbackHandle ops = 0;  // the per-op callback, enabled in captured steps
  std::mutex mutex;
  bool on = true;          // guarded by mutex
  int64_t steps = 0;       // optimizer steps seen
  uint64_t last_step = 0;  // handle of the last one counted
  // [on, off); off 0 while open. Windows after the first open at the end of
  // an optimizer step, so their start is a step boundary.
  std::vector<std::pair<int64_t, int64_t>> windows;
};
CapturePlan& capture_plan() {
  static CapturePlan* p = new CapturePlan;
  return *p;
}

// The end of an optimizer step, seen by the per-op callback while it is
// enabled (at the time its record ends, so the window closes exactly there)
// and by the user-scope one while it is not.
void on_optimizer_step(uint64_t handle, int64_t now, bool from_ops_callback) {
  CapturePlan& p = capture_plan();
  std::lock_guard lock(p.mutex);
  if (handle == p.last_step || p.on != from_ops_callback) return;
  p.last_step = handle;
  const bool want = captured_step(++p.steps);
  if (want == p.on) return;
  p.on = want;
  if (want) {
    at::reenableCallback(p.ops);
    p.windows.emplace_back(now, 0);
  } else {
    at::disableCallback(p.ops);
    if (!p.windows.empty()) p.windows.back().second = std::max(now, p.windows.back().first + 1);
  }
}

bool is_optimizer_step(const at::RecordFunction& fn) {
  return fn.scope() == at::RecordScope::USER_SCOPE &&
         std::strncmp(fn.name(), "Optimizer.step#", 15) == 0;
}

void on_user_scope_end(const at::RecordFunction& fn, at::ObserverContext*) {
  if (is_optimizer_step(fn)) on_optimizer_step(fn.handle(), wp::now_ns(), false);
}

std::unique_ptr<at::ObserverContext> on_user_scope_start(const at::RecordFunction&) {
  return nullptr;
}

__attribute__((tls_model("initial-exec"))) thread_local ThreadOps* tls_ops = nullptr;

ThreadOps& thread_ops() {
  if (ThreadOps* t = tls_ops) return *t;
  auto* t = new ThreadOps;
  t->tid = static_cast<int64_t>(::syscall(SYS_gettid));
  t->logical_tid = at::RecordFunction::currentThreadId();
  t->open.reserve(64);
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  r.threads.push_back(t);
  tls_ops = t;
  return *t;
}

// ---- argument encoding ----------------------------------------------------

class Writer {
 public:
  explicit Writer(uint8_t* out, size_t cap) : out_(out), cap_(cap) {}
  template <typename T>
  void put(T v) {
    if (n_ + sizeof(T) > cap_) {
      full_ = true;
      return;
    }
    std::memcpy(out_ + n_, &v, sizeof(T));
    n_ += sizeof(T);
  }
  size_t size() const { return n_; }
  bool full() const { return full_; }

 private:
  uint8_t* out_;
  size_t cap_;
  size_t n_ = 0;
  bool full_ = false;
};

// The storage's address identifies the data a tensor (or a view of it) holds,
// so the trace can tell which op consumed which op's result.
uint64_t storage_id(const at::Tensor& t) {
  const c10::TensorImpl* impl = t.unsafeGetTensorImpl();
  return impl->has_storage() ? reinterpret_cast<uint64_t>(impl->storage().unsafeGetStorageImpl())
                             : 0;
}

void put_tensor(Writer& w, const at::Tensor& t) {
  if (!t.defined()) {
    w.put(kNone);
    return;
  }
  if (t.is_nested()) {
    w.put(kOther);
    return;
  }
  w.put(kTensor);
  w.put(uint8_t(t.scalar_type()));
  const c10::Device d = t.device();
  w.put(uint8_t(d.type()));
  w.put(int8_t(d.index()));
  const c10::TensorImpl* impl = t.unsafeGetTensorImpl();
  const bool symbolic = impl->has_symbolic_sizes_strides();
  uint8_t flags = symbolic ? kSymbolic : 0;
  if (!symbolic && t.is_contiguous()) flags |= kContiguous;
  w.put(flags);
  w.put(storage_id(t));
  const size_t ndim = std::min<size_t>(size_t(t.dim()), kMaxDims);
  w.put(uint8_t(ndim));
  if (symbolic) {
    for (size_t i = 0; i < ndim; ++i) w.put(int64_t{-1});
  } else {
    const auto sizes = t.sizes();
    for (size_t i = 0; i < ndim; ++i) w.put(int64_t(sizes[i]));
  }
}

void put_value(Writer& w, const c10::IValue& v, bool in_list) {
  if (v.isTensor()) {
    put_tensor(w, v.toTensor());
  } else if (v.isNone()) {
    w.put(kNone);
  } else if (v.isDouble()) {
    w.put(kDouble);
    w.put(v.toDouble());
  } else if (v.isInt()) {
    w.put(kInt);
    w.put(int64_t(v.toInt()));
  } else if (v.isBool()) {
    w.put(kBool);
    w.put(uint8_t(v.toBool()));
  } else if (v.isSymInt()) {
    w.put(kInt);
    w.put(int64_t(v.toSymInt().maybe_as_int().value_or(-1)));
  } else if (v.isList() && !in_list) {
    const auto items = v.toListRef();
    const size_t n = std::min(items.size(), kMaxListItems);
    w.put(kList);
    w.put(uint16_t(n));
    for (size_t i = 0; i < n; ++i) put_value(w, items[i], true);
  } else if (v.isString()) {
    const std::string& s = v.toStringRef();
    const size_t n = std::min(s.size(), kMaxString);
    w.put(kString);
    w.put(uint8_t(n));
    for (size_t i = 0; i < n; ++i) w.put(uint8_t(s[i]));
  } else {
    w.put(kOther);
  }
}

// Stable space for one op's arguments in the thread's arena.
uint8_t* reserve(ThreadOps& t, size_t bytes) {
  if (t.arena_used + bytes > kArenaBytes) {
    t.arena = static_cast<uint8_t*>(std::malloc(kArenaBytes));
    if (!t.arena) {
      t.arena_used = kArenaBytes;
      return nullptr;
    }
    t.arena_used = 0;
  }
  return t.arena + t.arena_used;
}

const char* interned(ThreadOps& t, const char* name) {
  // Names of ATen ops are stable strings; autograd nodes and record_function
  // ranges own theirs, so a cached pointer is trusted only if the text matches.
  auto& slot = t.names[(reinterpret_cast<uintptr_t>(name) >> 4) % kNameCache];
  if (slot.first == name && std::strcmp(slot.second, name) == 0) return slot.second;
  const char* stable = wp::intern_name(name);
  slot = {name, stable};
  return stable;
}

Scope scope_of(at::RecordScope s) {
  switch (s) {
    case at::RecordScope::FUNCTION:
      return Scope::op;
    case at::RecordScope::BACKWARD_FUNCTION:
      return Scope::backward;
    case at::RecordScope::USER_SCOPE:
      return Scope::user;
    default:
      return Scope::other;
  }
}

std::unique_ptr<at::ObserverContext> on_start(const at::RecordFunction& fn) {
  if (!wp::enabled()) return nullptr;
  const int64_t start = wp::now_ns();
  try {
    const char* raw = fn.name();
    // record_function's own enter/exit ops: bookkeeping, not work.
    if (raw[0] == 'p' && std::strncmp(raw, "profiler::", 10) == 0) return nullptr;
    ThreadOps& t = thread_ops();
    const uint64_t n = t.count.load(std::memory_order_relaxed);
    const size_t chunk_index = n >> kChunkBits;
    OpRecord* chunk =
        chunk_index < kMaxChunks ? t.chunks[chunk_index].load(std::memory_order_relaxed) : nullptr;
    if (!chunk) [[unlikely]] {
      if (chunk_index >= kMaxChunks) {
        t.dropped.fetch_add(1, std::memory_order_relaxed);
        return nullptr;
      }
      chunk = new (std::nothrow) OpRecord[kChunkSize];
      if (!chunk) {
        t.dropped.fetch_add(1, std::memory_order_relaxed);
        return nullptr;
      }
      t.chunks[chunk_index].store(chunk, std::memory_order_release);
    }
    OpRecord& rec = chunk[n & (kChunkSize - 1)];
    rec.name = interned(t, raw);
    rec.start = start;
    rec.end.store(0, std::memory_order_relaxed);
    rec.seq = fn.seqNr();
    rec.scope = scope_of(fn.scope());
    rec.fwd_tid = rec.scope == Scope::backward ? fn.forwardThreadId() : t.logical_tid;
    rec.handle = fn.handle();
    rec.out_storage = 0;
    rec.args = nullptr;
    rec.args_len = 0;
    if (fn.needsInputs()) {
      const auto inputs = fn.inputs();
      if (!inputs.empty()) {
        // A generous bound; a list that does not fit is cut where it overflows.
        constexpr size_t kMax = 64 * 1024;
        if (uint8_t* out = reserve(t, kMax)) {
          Writer w(out, kMax);
          const size_t count = std::min(inputs.size(), kMaxArgs);
          w.put(uint8_t(count));
          for (size_t i = 0; i < count && !w.full(); ++i) put_value(w, inputs[i], false);
          if (!w.full()) {
            rec.args = out;
            rec.args_len = uint32_t(w.size());
            t.arena_used += w.size();
          }
        }
      }
    }
    t.open.emplace_back(rec.handle, n);
    t.count.store(n + 1, std::memory_order_release);
  } catch (...) {
    // Never let capture break the program: the op goes unrecorded.
  }
  return nullptr;
}

void on_end(const at::RecordFunction& fn, at::ObserverContext*) {
  const int64_t end = wp::now_ns();
  if (is_optimizer_step(fn)) [[unlikely]] {
    if (capture_plan().sampled) on_optimizer_step(fn.handle(), end, true);
  }
  ThreadOps* t = tls_ops;
  if (!t) return;
  const uint64_t handle = fn.handle();
  // Innermost first: ends come in reverse order of starts on a thread.
  for (size_t k = t->open.size(); k-- > 0;) {
    if (t->open[k].first != handle) continue;
    const uint64_t index = t->open[k].second;
    OpRecord* chunk = t->chunks[index >> kChunkBits].load(std::memory_order_relaxed);
    OpRecord& rec = chunk[index & (kChunkSize - 1)];
    try {
      for (const c10::IValue& out : fn.outputs())
        if (out.isTensor() && out.toTensor().defined()) {
          rec.out_storage = storage_id(out.toTensor());
          break;
        }
    } catch (...) {
    }
    rec.end.store(std::max(end, int64_t{1}), std::memory_order_release);
    t->open.erase(t->open.begin() + std::ptrdiff_t(k));
    return;
  }
}

// ---- decoding at flush ----------------------------------------------------

class Reader {
 public:
  Reader(const uint8_t* p, size_t n) : p_(p), n_(n) {}
  template <typename T>
  T get() {
    T v{};
    if (i_ + sizeof(T) <= n_) std::memcpy(&v, p_ + i_, sizeof(T));
    i_ += sizeof(T);
    return v;
  }
  bool ok() const { return i_ <= n_; }

 private:
  const uint8_t* p_;
  size_t n_;
  size_t i_ = 0;
};

// A float keeps a point or an exponent ("1.0", not "1"), so a reader can
// tell it from an integer argument.
std::string format_double(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  std::string s = buf;
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

struct Decoded {
  nlohmann::json dims = nlohmann::json::array();
  uint64_t storage = 0;
  std::string type;
  std::string concrete;
  std::string list_type;  // element dtype of a tensor list
  std::string device;     // of a tensor
};

std::string device_name(uint8_t type, int8_t index) {
  const Registry& r = registry();
  const std::string name = type < 64 && !r.device_names[type].empty()
                               ? r.device_names[type]
                               : "device" + std::to_string(int(type));
  return index >= 0 ? name + ":" + std::to_string(int(index)) : name;
}

const std::string& dtype_name(uint8_t dtype) {
  static const std::string unknown = "unknown dtype";
  const Registry& r = registry();
  return dtype < 64 && !r.dtype_names[dtype].empty() ? r.dtype_names[dtype] : unknown;
}

// One value; `dims` receives a tensor's sizes.
void decode_value(Reader& in, Decoded& d, bool in_list) {
  const auto tag = in.get<uint8_t>();
  switch (tag) {
    case kNone:
      break;
    case kTensor: {
      const auto dtype = in.get<uint8_t>();
      const auto dev_type = in.get<uint8_t>();
      const auto dev_index = in.get<int8_t>();
      in.get<uint8_t>();  // flags
      d.storage = in.get<uint64_t>();
      const auto ndim = in.get<uint8_t>();
      for (uint8_t i = 0; i < ndim; ++i) d.dims.push_back(in.get<int64_t>());
      d.type = dtype_name(dtype);
      d.device = device_name(dev_type, dev_index);
      break;
    }
    case kDouble:
      d.type = "Scalar";
      d.concrete = format_double(in.get<double>());
      break;
    case kInt:
      d.type = "Scalar";
      d.concrete = std::to_string(in.get<int64_t>());
      break;
    case kBool:
      d.type = "Scalar";
      d.concrete = in.get<uint8_t>() ? "True" : "False";
      break;
    case kList: {
      const auto n = in.get<uint16_t>();
      std::string text = "[";
      bool tensors = false;
      for (uint16_t i = 0; i < n && in.ok(); ++i) {
        Decoded item;
        decode_value(in, item, true);
        if (!item.device.empty() || (item.type.empty() && item.concrete.empty())) {
          // A tensor (or None) in a tensor list: its dims, and the first dtype.
          tensors = tensors || !item.device.empty();
          d.dims.push_back(item.dims);
          if (d.list_type.empty() && !item.device.empty()) d.list_type = item.type;
          if (d.device.empty()) d.device = item.device;
        } else {
          text += (i ? ", " : "") + item.concrete;
        }
      }
      if (tensors) {
        d.type = "TensorList";
      } else {
        d.type = "ScalarList";
        d.concrete = text + "]";
        d.dims = nlohmann::json::array();
      }
      break;
    }
    case kString: {
      const auto n = in.get<uint8_t>();
      std::string s;
      for (uint8_t i = 0; i < n; ++i) s += char(in.get<uint8_t>());
      d.type = "str";
      d.concrete = s;
      break;
    }
    default:
      d.type = "Other";
      break;
  }
  (void)in_list;
}

nlohmann::json decode_args(const OpRecord& r) {
  nlohmann::json args = nlohmann::json::object();
  if (r.seq >= 0) {
    args["Sequence number"] = r.seq;
    args["Fwd thread id"] = r.fwd_tid;
  }
  if (r.scope == Scope::backward) args["Scope"] = "backward";
  if (r.out_storage) args["Output Storage"] = r.out_storage;
  if (!r.args) return args;
  Reader in(r.args, r.args_len);
  const auto count = in.get<uint8_t>();
  nlohmann::json dims = nlohmann::json::array(), types = nlohmann::json::array(),
                 concrete = nlohmann::json::array(), list_types = nlohmann::json::array(),
                 storage = nlohmann::json::array();
  std::string device;
  bool any_list = false;
  for (uint8_t i = 0; i < count && in.ok(); ++i) {
    Decoded d;
    decode_value(in, d, false);
    if (!in.ok()) break;
    dims.push_back(std::move(d.dims));
    types.push_back(d.type);
    concrete.push_back(d.concrete);
    list_types.push_back(d.list_type);
    storage.push_back(d.storage);
    any_list = any_list || !d.list_type.empty();
    if (device.empty()) device = d.device;
  }
  args["Input Dims"] = std::move(dims);
  args["Input type"] = std::move(types);
  args["Concrete Inputs"] = std::move(concrete);
  if (any_list) args["Input List Types"] = std::move(list_types);
  args["Input Storage"] = std::move(storage);
  if (!device.empty()) args["Device"] = device;
  return args;
}

void append_ops(worthit::trace::Trace& trace) {
  Registry& r = registry();
  std::vector<ThreadOps*> threads;
  {
    std::lock_guard lock(r.mutex);
    threads = r.threads;
  }
  const int64_t pid = ::getpid();
  uint64_t recorded = 0, dropped = 0;
  for (ThreadOps* t : threads) {
    const uint64_t end = t->count.load(std::memory_order_acquire);
    const uint64_t begin = std::min(t->first.load(), end);
    for (uint64_t i = begin; i < end; ++i) {
      const OpRecord* chunk = t->chunks[i >> kChunkBits].load(std::memory_order_acquire);
      const OpRecord& rec = chunk[i & (kChunkSize - 1)];
      const int64_t stop = rec.end.load(std::memory_order_acquire);
      if (stop == 0) continue;  // still running when the trace was written
      worthit::trace::Event e;
      e.name = rec.name;
      e.category = rec.scope == Scope::user ? "user_annotation" : "cpu_op";
      e.phase = 'X';
      e.pid = pid;
      e.tid = t->tid;
      e.ts_ns = rec.start;
      e.dur_ns = std::max<int64_t>(stop - rec.start, 0);
      e.args = decode_args(rec);
      trace.events.push_back(std::move(e));
      ++recorded;
    }
    dropped += t->dropped.load();
  }
  // Which stretches were captured (docs/trace-schema.md, "worthit capture").
  CapturePlan& plan = capture_plan();
  size_t windows = 0;
  int64_t optimizer_steps = 0;
  if (plan.sampled) {
    const int64_t now = wp::now_ns();
    std::lock_guard lock(plan.mutex);
    optimizer_steps = plan.steps;
    for (size_t i = 0; i < plan.windows.size(); ++i) {
      const auto [on, off] = plan.windows[i];
      worthit::trace::Event w;
      w.name = worthit::trace::category::kCaptureWindow;
      w.category = worthit::trace::category::kWorthitNote;
      w.phase = 'X';
      w.pid = pid;
      w.tid = 0;  // a track of its own: not the parent of the main thread's ops
      w.ts_ns = on;
      w.dur_ns = std::max<int64_t>((off ? off : now) - on, 1);
      w.args = {{"after_step", i > 0}};  // later windows open at an optimizer step's end
      trace.events.push_back(std::move(w));
      ++windows;
    }
  }
  // How the ops were captured, for the summary (docs/trace-schema.md).
  worthit::trace::Event note;
  note.name = worthit::trace::category::kTorchCaptureNote;
  note.category = worthit::trace::category::kWorthitNote;
  note.phase = 'i';
  note.pid = pid;
  note.tid = ::getpid();
  note.ts_ns = wp::now_ns();
  note.args = {{"mode", "observer"},
               {"torch_version", r.torch_version},
               {"ops", recorded},
               {"dropped_ops", dropped},
               {"intra_op_threads", r.intra_op_threads},
               {"steps", plan.sampled ? "sampled" : "all"},
               {"capture_windows", windows},
               {"optimizer_steps", optimizer_steps}};
  trace.events.push_back(std::move(note));
  if (dropped > 0) {
    auto& d = trace.metadata["dropped"];
    d["cpu_records"] = d.value("cpu_records", uint64_t{0}) + dropped;
  }
}

void after_fork_in_child() {
  Registry& r = registry();
  new (&r.mutex) std::mutex;
  for (ThreadOps* t : r.threads) t->first.store(t->count.load());
  if (ThreadOps* t = tls_ops) t->tid = static_cast<int64_t>(::syscall(SYS_gettid));
  // A worker has no optimizer steps of its own: captured from the fork on
  // (or not at all, when it forked between captured steps).
  CapturePlan& p = capture_plan();
  new (&p.mutex) std::mutex;
  p.windows.clear();
  p.steps = 0;  // its own count: the trace sums them over processes
  p.last_step = 0;
  if (p.sampled && p.on) p.windows.emplace_back(wp::now_ns(), 0);
}

}  // namespace

extern "C" {

// Installs the observer once: 0 on success (or when already installed),
// 1 when the profiler runtime is not recording, 2 when torch refused.
__attribute__((visibility("default"))) int worthit_aten_install(void) {
  Registry& r = registry();
  if (r.installed.load()) return 0;
  if (!wp::enabled()) return 1;
  try {
    for (int i = 0; i < 64 && i < int(c10::ScalarType::NumOptions); ++i) {
      const auto st = c10::ScalarType(i);
      if (st == c10::ScalarType::Undefined) continue;
      r.dtype_names[i] = std::string(c10::scalarTypeToTypeMeta(st).name());
    }
    for (int i = 0; i < 64; ++i) {
      const auto type = c10::DeviceType(int8_t(i));
      if (c10::isValidDeviceType(type)) r.device_names[i] = c10::DeviceTypeName(type, true);
    }
    r.torch_version = WORTHIT_TORCH_VERSION;
    r.intra_op_threads = at::get_num_threads();
    CapturePlan& plan = capture_plan();
    const char* ops = std::getenv("WORTHIT_TORCH_STEPS");
    plan.sampled = !(ops && std::strcmp(ops, "all") == 0);
    {
      std::lock_guard lock(plan.mutex);
      plan.ops = at::addGlobalCallback(at::RecordFunctionCallback(on_start, on_end)
                                           .needsInputs(true)
                                           .needsOutputs(true)
                                           .needsIds(true));
      if (plan.sampled) plan.windows.emplace_back(wp::now_ns(), 0);
    }
    if (plan.sampled)
      at::addGlobalCallback(at::RecordFunctionCallback(on_user_scope_start, on_user_scope_end)
                                .needsIds(true)
                                .scopes({at::RecordScope::USER_SCOPE}));
  } catch (...) {
    return 2;
  }
  ::pthread_atfork(nullptr, nullptr, after_fork_in_child);
  wp::add_flush_hook(append_ops);
  r.installed.store(true);
  return 0;
}

// The torch version this library was built against.
__attribute__((visibility("default"))) const char* worthit_aten_torch_version(void) {
  return WORTHIT_TORCH_VERSION;
}

// The program's intra-op thread count, noted in the trace (set at exit by the hook).
__attribute__((visibility("default"))) void worthit_aten_set_threads(int threads) {
  registry().intra_op_threads = threads;
}

// Ops recorded so far in this process (every thread).
__attribute__((visibility("default"))) uint64_t worthit_aten_recorded(void) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  uint64_t n = 0;
  for (ThreadOps* t : r.threads) n += t->count.load() - std::min(t->first.load(), t->count.load());
  return n;
}

}  // extern "C"
