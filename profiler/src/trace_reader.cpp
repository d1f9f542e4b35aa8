// Reads Chrome Trace Event JSON (worthit's own and torch.profiler's) with
// simdjson's on-demand parser: a 1M-event trace must open in well under the
// viewer's 3 s budget. Timestamps are parsed from their digits, not through a
// double, so "1732612345678901.234" keeps its nanoseconds.
#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <string>
#include <unordered_map>

#include "worthit/results/file_io.h"
#include "worthit/trace/trace.h"

namespace worthit::trace {
namespace {

namespace od = simdjson::ondemand;

struct TraceParseError {
  std::string message;
};

// "123.4567" microseconds -> 123457 ns (rounded); exponents fall back to double.
int64_t microseconds_text_to_ns(std::string_view text) {
  std::string_view s = text;
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' ||
                        s.back() == '\t' || s.back() == ',' || s.back() == '}' || s.back() == ']'))
    s.remove_suffix(1);
  if (s.find_first_of("eE") != std::string_view::npos) {
    double v = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec != std::errc()) throw TraceParseError{"bad number '" + std::string(s) + "'"};
    return static_cast<int64_t>(std::llround(v * 1000.0));
  }
  bool negative = false;
  if (!s.empty() && s.front() == '-') {
    negative = true;
    s.remove_prefix(1);
  }
  const auto dot = s.find('.');
  const std::string_view whole = s.substr(0, dot);
  int64_t us = 0;
  if (!whole.empty()) {
    auto r = std::from_chars(whole.data(), whole.data() + whole.size(), us);
    if (r.ec != std::errc() || r.ptr != whole.data() + whole.size())
      throw TraceParseError{"bad number '" + std::string(text) + "'"};
  }
  int64_t frac_ns = 0;
  if (dot != std::string_view::npos) {
    std::string_view frac = s.substr(dot + 1);
    int digits = 0;
    bool round_up = false;
    for (char c : frac) {
      if (c < '0' || c > '9') throw TraceParseError{"bad number '" + std::string(text) + "'"};
      if (digits < 3)
        frac_ns = frac_ns * 10 + (c - '0');
      else if (digits == 3)
        round_up = c >= '5';
      ++digits;
    }
    for (int d = std::min(digits, 3); d < 3; ++d) frac_ns *= 10;
    if (round_up) ++frac_ns;
  }
  const int64_t ns = us * 1000 + frac_ns;
  return negative ? -ns : ns;
}

nlohmann::json to_nlohmann(od::value v);

nlohmann::json to_nlohmann_array(od::array a) {
  nlohmann::json out = nlohmann::json::array();
  for (auto item : a) out.push_back(to_nlohmann(item.value()));
  return out;
}

nlohmann::json to_nlohmann_object(od::object o) {
  nlohmann::json out = nlohmann::json::object();
  for (auto field : o) {
    std::string_view key = field.unescaped_key();
    out[std::string(key)] = to_nlohmann(field.value());
  }
  return out;
}

nlohmann::json to_nlohmann(od::value v) {
  switch (v.type()) {
    case od::json_type::array:
      return to_nlohmann_array(v.get_array());
    case od::json_type::object:
      return to_nlohmann_object(v.get_object());
    case od::json_type::number: {
      od::number n = v.get_number();
      switch (n.get_number_type()) {
        case od::number_type::signed_integer:
          return n.get_int64();
        case od::number_type::unsigned_integer:
          return n.get_uint64();
        default:
          return n.get_double();
      }
    }
    case od::json_type::string:
      return std::string(std::string_view(v.get_string()));
    case od::json_type::boolean:
      return bool(v.get_bool());
    case od::json_type::null:
      (void)v.is_null();
      return nullptr;
  }
  return nullptr;
}

// Kineto writes some pids/tids as strings ("Spans", "stream 7"); numbers in
// strings are taken as numbers, other names get stable synthetic ids and
// become the thread's name.
class IdMapper {
 public:
  int64_t map(std::string_view text, bool* named) {
    int64_t v = 0;
    auto r = std::from_chars(text.data(), text.data() + text.size(), v);
    if (r.ec == std::errc() && r.ptr == text.data() + text.size()) {
      *named = false;
      return v;
    }
    *named = true;
    auto [it, inserted] = ids_.try_emplace(std::string(text), next_);
    if (inserted) --next_;
    return it->second;
  }

 private:
  std::unordered_map<std::string, int64_t> ids_;
  int64_t next_ = -1000000;  // far from real pids/tids
};

int64_t read_id(od::value v, IdMapper& ids, std::string* name_out) {
  if (v.type() == od::json_type::string) {
    std::string_view s = v.get_string();
    bool named = false;
    int64_t id = ids.map(s, &named);
    if (named) *name_out = std::string(s);
    return id;
  }
  od::number n = v.get_number();
  if (n.get_number_type() == od::number_type::floating_point_number)
    return static_cast<int64_t>(n.get_double());
  if (n.get_number_type() == od::number_type::unsigned_integer)
    return static_cast<int64_t>(n.get_uint64());
  return n.get_int64();
}

uint64_t read_flow_id(od::value v) {
  if (v.type() == od::json_type::string) {
    std::string_view s = v.get_string();
    uint64_t id = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), id, s.starts_with("0x") ? 16 : 10);
    if (s.starts_with("0x"))
      std::from_chars(s.data() + 2, s.data() + s.size(), id, 16);
    else if (r.ec != std::errc())
      id = std::hash<std::string_view>{}(s);
    return id;
  }
  od::number n = v.get_number();
  if (n.get_number_type() == od::number_type::signed_integer)
    return static_cast<uint64_t>(n.get_int64());
  if (n.get_number_type() == od::number_type::unsigned_integer) return n.get_uint64();
  return static_cast<uint64_t>(n.get_double());
}

void read_event(od::object obj, Trace& out, IdMapper& pids, IdMapper& tids) {
  Event e;
  std::string pid_name, tid_name;
  for (auto field : obj) {
    std::string_view key = field.unescaped_key();
    od::value v = field.value();
    if (key == "name") {
      e.name = std::string_view(v.get_string());
    } else if (key == "cat") {
      e.category = std::string_view(v.get_string());
    } else if (key == "ph") {
      std::string_view ph = v.get_string();
      if (ph.size() != 1) throw TraceParseError{"bad phase '" + std::string(ph) + "'"};
      e.phase = ph[0];
    } else if (key == "ts") {
      e.ts_ns = microseconds_text_to_ns(v.raw_json_token());
    } else if (key == "dur") {
      e.dur_ns = microseconds_text_to_ns(v.raw_json_token());
    } else if (key == "pid") {
      e.pid = read_id(v, pids, &pid_name);
    } else if (key == "tid") {
      e.tid = read_id(v, tids, &tid_name);
    } else if (key == "id") {
      e.id = read_flow_id(v);
    } else if (key == "args") {
      e.args = to_nlohmann(v);
    }
    // Other keys ("s", "bp", "tts", ...) carry nothing the model keeps.
  }
  if (!pid_name.empty()) out.process_names.try_emplace(e.pid, pid_name);
  if (!tid_name.empty()) out.thread_names.try_emplace({e.pid, e.tid}, tid_name);
  if (e.phase == 'M' && (e.name == "process_name" || e.name == "thread_name") &&
      e.args.is_object() && e.args.contains("name") && e.args["name"].is_string()) {
    if (e.name == "process_name")
      out.process_names[e.pid] = e.args["name"].get<std::string>();
    else
      out.thread_names[{e.pid, e.tid}] = e.args["name"].get<std::string>();
    return;
  }
  out.events.push_back(std::move(e));
}

void read_events(od::array events, Trace& out) {
  IdMapper pids, tids;
  for (auto item : events) read_event(item.get_object(), out, pids, tids);
}

// Only on the error path: nlohmann reports the byte offset of a syntax error.
[[noreturn]] void throw_with_offset(std::string_view json, const std::filesystem::path& name,
                                    const std::string& message) {
  try {
    [[maybe_unused]] auto ignored = nlohmann::json::parse(json);
  } catch (const nlohmann::json::parse_error& e) {
    std::string what = e.what();
    if (auto p = what.find("syntax error"); p != std::string::npos) what = what.substr(p);
    throw FileError(name, e.byte > 0 ? e.byte - 1 : 0, what);
  }
  throw FileError(name, "not a Chrome trace: " + message);
}

}  // namespace

Trace parse_trace(std::string_view json, const std::filesystem::path& name) {
  if (json.find_first_not_of(" \t\r\n") == std::string_view::npos)
    throw FileError(name, 0, "empty file, expected a Chrome trace (JSON)");
  Trace out;
  try {
    simdjson::padded_string padded(json);
    od::parser parser;
    od::document doc = parser.iterate(padded);
    if (doc.type() == od::json_type::array) {
      read_events(doc.get_array(), out);
      out.metadata["source"] = "chrome-trace";
    } else {
      bool saw_events = false;
      nlohmann::json other = nlohmann::json::object();
      for (auto field : doc.get_object()) {
        std::string_view key = field.unescaped_key();
        if (key == "traceEvents") {
          read_events(field.value().get_array(), out);
          saw_events = true;
        } else if (key == "worthit") {
          out.metadata = to_nlohmann(field.value());
        } else {
          other[std::string(key)] = to_nlohmann(field.value());
        }
      }
      if (!saw_events) throw TraceParseError{"no \"traceEvents\" array"};
      if (!out.metadata.contains("schema")) {
        // Not ours: keep what the producer wrote (Kineto: deviceProperties,
        // schemaVersion, distributedInfo, ...) under "source_fields".
        out.metadata["source"] = other.contains("schemaVersion") ||
                                         other.contains("deviceProperties") ||
                                         other.contains("traceName")
                                     ? "torch.profiler"
                                     : "chrome-trace";
        out.metadata["source_fields"] = std::move(other);
      }
    }
  } catch (const simdjson::simdjson_error& e) {
    throw_with_offset(json, name, e.what());
  } catch (const TraceParseError& e) {
    throw_with_offset(json, name, e.message);
  }
  return out;
}

Trace read_trace(const std::filesystem::path& path) { return parse_trace(read_file(path), path); }

}  // namespace worthit::trace
