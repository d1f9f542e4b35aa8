// Writes Chrome Trace Event JSON by hand into one string: nlohmann's DOM would
// cost more than the events themselves, and the bar is 2M events/s.
#include <unistd.h>
#include <algorithm>

#include <charconv>
#include <cstdio>

#include "worthit/results/file_io.h"
#include "worthit/results/machine.h"
#include "worthit/results/results_json.h"
#include "worthit/trace/trace.h"

namespace worthit::trace {
namespace {

void append_escaped(std::string& out, std::string_view s) {
  out += '"';
  size_t run = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default: {
        static const char* hex = "0123456789abcdef";
        out += "\\u00";
        out += hex[c >> 4];
        out += hex[c & 15];
      }
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

template <typename Int>
void append_int(std::string& out, Int v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

// Nanoseconds as microseconds with exactly three decimals: 1234567 -> 1234.567.
void append_us(std::string& out, int64_t ns) {
  // The magnitude as unsigned: negating INT64_MIN itself would overflow.
  uint64_t magnitude = static_cast<uint64_t>(ns);
  if (ns < 0) {
    out += '-';
    magnitude = ~magnitude + 1;
  }
  append_int(out, magnitude / 1000);
  const int frac = static_cast<int>(magnitude % 1000);
  char buf[4] = {'.', char('0' + frac / 100), char('0' + frac / 10 % 10), char('0' + frac % 10)};
  out.append(buf, 4);
}

void append_event(std::string& out, const Event& e) {
  out += "{\"ph\":\"";
  out += e.phase;
  out += "\",\"name\":";
  append_escaped(out, e.name);
  if (!e.category.empty()) {
    out += ",\"cat\":";
    append_escaped(out, e.category);
  }
  out += ",\"pid\":";
  append_int(out, e.pid);
  out += ",\"tid\":";
  append_int(out, e.tid);
  out += ",\"ts\":";
  append_us(out, e.ts_ns);
  if (e.phase == 'X') {
    out += ",\"dur\":";
    append_us(out, e.dur_ns);
  } else if (e.phase == 's' || e.phase == 'f') {
    out += ",\"id\":";
    append_int(out, e.id);
    // Bind the arrow's end to the slice that encloses it (the GPU kernel),
    // not to the next slice to begin.
    if (e.phase == 'f') out += ",\"bp\":\"e\"";
  } else if (e.phase == 'i') {
    out += ",\"s\":\"t\"";
  }
  if (!e.args.is_null()) {
    out += ",\"args\":";
    out += e.args.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  out += '}';
}

void append_name_event(std::string& out, const char* what, int64_t pid, int64_t tid,
                       const std::string& name) {
  out += "{\"ph\":\"M\",\"name\":\"";
  out += what;
  out += "\",\"pid\":";
  append_int(out, pid);
  out += ",\"tid\":";
  append_int(out, tid);
  out += ",\"ts\":0,\"args\":{\"name\":";
  append_escaped(out, name);
  out += "}}";
}

// Serializes into `out`, calling `drain(out)` whenever it holds more than a
// few MiB, so a file writer never builds the whole document in memory.
template <typename Drain>
void serialize(const Trace& trace, std::string& out, Drain drain) {
  constexpr size_t kDrainBytes = 4 << 20;
  out += "{\"worthit\":";
  out += trace.metadata.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  out += ",\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n";
  bool first = true;
  auto sep = [&] {
    if (!first) out += ",\n";
    first = false;
  };
  for (const auto& [pid, name] : trace.process_names) {
    sep();
    append_name_event(out, "process_name", pid, 0, name);
  }
  for (const auto& [key, name] : trace.thread_names) {
    sep();
    append_name_event(out, "thread_name", key.first, key.second, name);
  }
  for (const Event& e : trace.events) {
    sep();
    append_event(out, e);
    if (out.size() > kDrainBytes) drain(out);
  }
  out += "\n]}\n";
  drain(out);
}

}  // namespace

std::string trace_to_json(const Trace& trace) {
  std::string out;
  out.reserve(64 + trace.events.size() * 110);
  serialize(trace, out, [](std::string&) {});
  return out;
}

void write_trace(const std::filesystem::path& path, const Trace& trace) {
  // Same protocol as write_file_atomically (temp file in the folder, then
  // rename), streamed.
  const auto dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  const auto tmp = dir / ("." + path.filename().string() + ".tmp." + std::to_string(::getpid()));
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) throw FileError(path, "cannot open for writing");
  bool ok = true;
  std::string buf;
  buf.reserve(5 << 20);
  serialize(trace, buf, [&](std::string& out) {
    ok = ok && std::fwrite(out.data(), 1, out.size(), f) == out.size();
    out.clear();
  });
  ok = (std::fclose(f) == 0) && ok;
  std::error_code ec;
  if (!ok) {
    std::filesystem::remove(tmp, ec);
    throw FileError(path, "write failed (disk full?)");
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::error_code ignored;  // keep the rename's reason, not the cleanup's
    std::filesystem::remove(tmp, ignored);
    throw FileError(path, "cannot replace: " + ec.message());
  }
}

void stamp_metadata(Trace& trace, const std::string& clock) {
  trace.metadata["schema"] = kSchemaName;
  trace.metadata["version"] = kSchemaVersion;
  trace.metadata["clock"] = clock;
  trace.metadata["created"] = utc_timestamp();
  trace.metadata["machine"] = to_json(collect_machine_fingerprint());
  if (!trace.metadata.contains("dropped")) trace.metadata["dropped"] = nlohmann::json::object();
}

void sort_events(Trace& trace) {
  std::stable_sort(trace.events.begin(), trace.events.end(), [](const Event& a, const Event& b) {
    if (a.ts_ns != b.ts_ns) return a.ts_ns < b.ts_ns;
    return a.dur_ns > b.dur_ns;
  });
}

}  // namespace worthit::trace
