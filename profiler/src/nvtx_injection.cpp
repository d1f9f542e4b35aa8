// NVTX injection: libworthit_nvtx.so, loaded by any program's NVTX calls when
// NVTX_INJECTION64_PATH names it. NVTX hands us its function tables and we
// point the entries at the functions below, which record into the profiler
// runtime (libworthit_profiler.so, one per process, shared with worthit.scope).
#include <nvtx3/nvToolsExt.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "worthit/profiler/profiler.h"
#include "worthit/trace/trace.h"

// nvtxDomainHandle_t and nvtxStringHandle_t are pointers to structs NVTX only
// declares; the tool defines them.
struct nvtxDomainRegistration_st {
  const char* name;
  uint32_t tag;  // the profiler's tag for (nvtx, name)
};
struct nvtxStringRegistration_st {
  const char* text;
};

namespace worthit::profiler::nvtx {
namespace {

const char* const kCategory = trace::category::kNvtx;

std::string utf8_from_wide(const wchar_t* w) {
  std::string out;
  if (!w) return out;
  for (; *w; ++w) {
    const uint32_t c = static_cast<uint32_t>(*w);
    if (c < 0x80) {
      out += char(c);
    } else if (c < 0x800) {
      out += char(0xC0 | (c >> 6));
      out += char(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out += char(0xE0 | (c >> 12));
      out += char(0x80 | ((c >> 6) & 0x3F));
      out += char(0x80 | (c & 0x3F));
    } else {
      out += char(0xF0 | (c >> 18));
      out += char(0x80 | ((c >> 12) & 0x3F));
      out += char(0x80 | ((c >> 6) & 0x3F));
      out += char(0x80 | (c & 0x3F));
    }
  }
  return out;
}

const char* name_of(const nvtxEventAttributes_t* a) {
  if (!a) return intern_name("");
  switch (a->messageType) {
    case NVTX_MESSAGE_TYPE_ASCII:
      return intern_name(a->message.ascii ? a->message.ascii : "");
    case NVTX_MESSAGE_TYPE_UNICODE:
      return intern_name(utf8_from_wide(a->message.unicode));
    case NVTX_MESSAGE_TYPE_REGISTERED:
      return a->message.registered ? a->message.registered->text : intern_name("");
    default:
      return intern_name("");
  }
}

uint32_t default_tag() {
  static const uint32_t tag = register_tag(kCategory, nullptr);
  return tag;
}
uint32_t tag_of(nvtxDomainHandle_t d) { return d ? d->tag : default_tag(); }

// Push/pop ranges nest per thread: a stack per thread, recorded on pop.
struct Open {
  const char* name;
  uint32_t tag;
  int64_t start;
};
thread_local std::vector<Open> t_stack;

int push(const char* name, uint32_t tag) {
  if (!enabled()) return -1;
  t_stack.push_back({name, tag, now_ns()});
  return static_cast<int>(t_stack.size()) - 1;
}

int pop(uint32_t tag) {
  const int64_t end = now_ns();
  auto& stack = t_stack;
  // A pop closes the innermost range of its own domain.
  for (size_t i = stack.size(); i-- > 0;) {
    if (stack[i].tag != tag) continue;
    const Open o = stack[i];
    stack.erase(stack.begin() + static_cast<std::ptrdiff_t>(i));
    record_slice(o.name, o.tag, o.start, end);
    return static_cast<int>(i);
  }
  return -1;
}

// Start/end ranges may end on another thread: a shared table, keyed by id.
std::mutex g_ranges_mutex;
std::unordered_map<nvtxRangeId_t, Open>& open_ranges() {
  static auto* m = new std::unordered_map<nvtxRangeId_t, Open>;
  return *m;
}
nvtxRangeId_t g_next_range = 1;

nvtxRangeId_t start(const char* name, uint32_t tag) {
  if (!enabled()) return 0;
  const int64_t ts = now_ns();
  std::lock_guard lock(g_ranges_mutex);
  const nvtxRangeId_t id = g_next_range++;
  open_ranges()[id] = {name, tag, ts};
  return id;
}

void end(nvtxRangeId_t id) {
  const int64_t ts = now_ns();
  Open o{};
  {
    std::lock_guard lock(g_ranges_mutex);
    auto it = open_ranges().find(id);
    if (it == open_ranges().end()) return;
    o = it->second;
    open_ranges().erase(it);
  }
  record_range(o.name, o.tag, o.start, ts);
}

void mark_now(const char* name, uint32_t tag) {
  if (enabled()) record_mark(name, tag, now_ns());
}

void name_thread(uint32_t tid, const char* name) {
  if (tid == static_cast<uint32_t>(::syscall(SYS_gettid))) set_thread_name(name);
}

// ---- the functions NVTX calls ----------------------------------------------

void MarkEx(const nvtxEventAttributes_t* a) { mark_now(name_of(a), default_tag()); }
void MarkA(const char* m) { mark_now(intern_name(m ? m : ""), default_tag()); }
void MarkW(const wchar_t* m) { mark_now(intern_name(utf8_from_wide(m)), default_tag()); }
nvtxRangeId_t RangeStartEx(const nvtxEventAttributes_t* a) {
  return start(name_of(a), default_tag());
}
nvtxRangeId_t RangeStartA(const char* m) { return start(intern_name(m ? m : ""), default_tag()); }
nvtxRangeId_t RangeStartW(const wchar_t* m) {
  return start(intern_name(utf8_from_wide(m)), default_tag());
}
void RangeEnd(nvtxRangeId_t id) { end(id); }
int RangePushEx(const nvtxEventAttributes_t* a) { return push(name_of(a), default_tag()); }
int RangePushA(const char* m) { return push(intern_name(m ? m : ""), default_tag()); }
int RangePushW(const wchar_t* m) { return push(intern_name(utf8_from_wide(m)), default_tag()); }
int RangePop() { return pop(default_tag()); }
void NameCategoryA(uint32_t, const char*) {}
void NameCategoryW(uint32_t, const wchar_t*) {}
void NameOsThreadA(uint32_t tid, const char* name) {
  name_thread(tid, intern_name(name ? name : ""));
}
void NameOsThreadW(uint32_t tid, const wchar_t* name) {
  name_thread(tid, intern_name(utf8_from_wide(name)));
}

void DomainMarkEx(nvtxDomainHandle_t d, const nvtxEventAttributes_t* a) {
  mark_now(name_of(a), tag_of(d));
}
nvtxRangeId_t DomainRangeStartEx(nvtxDomainHandle_t d, const nvtxEventAttributes_t* a) {
  return start(name_of(a), tag_of(d));
}
void DomainRangeEnd(nvtxDomainHandle_t, nvtxRangeId_t id) { end(id); }
int DomainRangePushEx(nvtxDomainHandle_t d, const nvtxEventAttributes_t* a) {
  return push(name_of(a), tag_of(d));
}
int DomainRangePop(nvtxDomainHandle_t d) { return pop(tag_of(d)); }
nvtxResourceHandle_t DomainResourceCreate(nvtxDomainHandle_t, nvtxResourceAttributes_t*) {
  return nullptr;
}
void DomainResourceDestroy(nvtxResourceHandle_t) {}
void DomainNameCategoryA(nvtxDomainHandle_t, uint32_t, const char*) {}
void DomainNameCategoryW(nvtxDomainHandle_t, uint32_t, const wchar_t*) {}
// Registered strings and domains live as long as the process: NVTX has no
// call that frees a string, and a destroyed domain's events are still in
// the buffers. They are kept in lists that live as long, so they stay owned
// (LeakSanitizer reported them as leaks when they were bare `new`s).
template <class T>
T* keep(T registration) {
  static std::mutex mutex;
  static auto* kept = new std::deque<T>;  // never destroyed: late NVTX calls may use it
  std::lock_guard lock(mutex);
  return &kept->emplace_back(registration);
}
nvtxStringHandle_t DomainRegisterStringA(nvtxDomainHandle_t, const char* s) {
  return keep(nvtxStringRegistration_st{intern_name(s ? s : "")});
}
nvtxStringHandle_t DomainRegisterStringW(nvtxDomainHandle_t, const wchar_t* s) {
  return keep(nvtxStringRegistration_st{intern_name(utf8_from_wide(s))});
}
nvtxDomainHandle_t DomainCreateA(const char* name) {
  const char* n = intern_name(name ? name : "");
  return keep(nvtxDomainRegistration_st{n, register_tag(kCategory, n)});
}
nvtxDomainHandle_t DomainCreateW(const wchar_t* name) {
  const char* n = intern_name(utf8_from_wide(name));
  return keep(nvtxDomainRegistration_st{n, register_tag(kCategory, n)});
}
void DomainDestroy(nvtxDomainHandle_t) {}
void Initialize(const void*) {}

template <typename F>
void set(NvtxFunctionTable table, unsigned size, unsigned id, F fn) {
  if (id < size && table[id]) *table[id] = reinterpret_cast<NvtxFunctionPointer>(fn);
}

}  // namespace
}  // namespace worthit::profiler::nvtx

extern "C" __attribute__((visibility("default"))) int InitializeInjectionNvtx2(
    NvtxGetExportTableFunc_t get_export_table) {
  using namespace worthit::profiler::nvtx;
  if (!get_export_table) return 0;
  auto* callbacks =
      static_cast<const NvtxExportTableCallbacks*>(get_export_table(NVTX_ETID_CALLBACKS));
  if (!callbacks || callbacks->struct_size < sizeof(NvtxExportTableCallbacks) ||
      !callbacks->GetModuleFunctionTable)
    return 0;
  NvtxFunctionTable t = nullptr;
  unsigned n = 0;
  if (!callbacks->GetModuleFunctionTable(NVTX_CB_MODULE_CORE, &t, &n) || !t) return 0;
  set(t, n, NVTX_CBID_CORE_MarkEx, MarkEx);
  set(t, n, NVTX_CBID_CORE_MarkA, MarkA);
  set(t, n, NVTX_CBID_CORE_MarkW, MarkW);
  set(t, n, NVTX_CBID_CORE_RangeStartEx, RangeStartEx);
  set(t, n, NVTX_CBID_CORE_RangeStartA, RangeStartA);
  set(t, n, NVTX_CBID_CORE_RangeStartW, RangeStartW);
  set(t, n, NVTX_CBID_CORE_RangeEnd, RangeEnd);
  set(t, n, NVTX_CBID_CORE_RangePushEx, RangePushEx);
  set(t, n, NVTX_CBID_CORE_RangePushA, RangePushA);
  set(t, n, NVTX_CBID_CORE_RangePushW, RangePushW);
  set(t, n, NVTX_CBID_CORE_RangePop, RangePop);
  set(t, n, NVTX_CBID_CORE_NameCategoryA, NameCategoryA);
  set(t, n, NVTX_CBID_CORE_NameCategoryW, NameCategoryW);
  set(t, n, NVTX_CBID_CORE_NameOsThreadA, NameOsThreadA);
  set(t, n, NVTX_CBID_CORE_NameOsThreadW, NameOsThreadW);
  if (!callbacks->GetModuleFunctionTable(NVTX_CB_MODULE_CORE2, &t, &n) || !t) return 0;
  set(t, n, NVTX_CBID_CORE2_DomainMarkEx, DomainMarkEx);
  set(t, n, NVTX_CBID_CORE2_DomainRangeStartEx, DomainRangeStartEx);
  set(t, n, NVTX_CBID_CORE2_DomainRangeEnd, DomainRangeEnd);
  set(t, n, NVTX_CBID_CORE2_DomainRangePushEx, DomainRangePushEx);
  set(t, n, NVTX_CBID_CORE2_DomainRangePop, DomainRangePop);
  set(t, n, NVTX_CBID_CORE2_DomainResourceCreate, DomainResourceCreate);
  set(t, n, NVTX_CBID_CORE2_DomainResourceDestroy, DomainResourceDestroy);
  set(t, n, NVTX_CBID_CORE2_DomainNameCategoryA, DomainNameCategoryA);
  set(t, n, NVTX_CBID_CORE2_DomainNameCategoryW, DomainNameCategoryW);
  set(t, n, NVTX_CBID_CORE2_DomainRegisterStringA, DomainRegisterStringA);
  set(t, n, NVTX_CBID_CORE2_DomainRegisterStringW, DomainRegisterStringW);
  set(t, n, NVTX_CBID_CORE2_DomainCreateA, DomainCreateA);
  set(t, n, NVTX_CBID_CORE2_DomainCreateW, DomainCreateW);
  set(t, n, NVTX_CBID_CORE2_DomainDestroy, DomainDestroy);
  set(t, n, NVTX_CBID_CORE2_Initialize, Initialize);
  return 1;
}
