// Reads Chrome Trace Event JSON (worthit's own and torch.profiler's) with
// simdjson's on-demand parser: a 1M-event trace must open in well under the
// viewer's 3 s budget. Timestamps are parsed from their digits, not through a
// double, so "1732612345678901.234" keeps its nanoseconds.
#include <simdjson.h>

#include <charconv>
#include <climits>
#include <cmath>
#include <cstring>
#include <string>
#include <unordered_map>

#include "worthit/results/file_io.h"
#include "worthit/trace/time_math.h"
#include "worthit/trace/trace.h"

namespace worthit::trace {
namespace {

namespace od = simdjson::ondemand;

// A schema error inside the events: what, and where (the JSON path and, when
// known, the position in the text).
struct TraceParseError {
  std::string message;
  const char* at = nullptr;
};

// Where a value starts in the text; valid after the value was read too.
const char* location(od::value& v) { return v.raw_json_token().data(); }

[[noreturn]] void out_of_range(std::string_view text) {
  throw TraceParseError{std::string(text) + " us is out of range (a trace time must be within " +
                            std::to_string(kMaxFileTimeNs / 1'000'000'000 / 86400 / 365) +
                            " years of 0)",
                        text.data()};
}

// "123.4567" microseconds -> 123457 ns (rounded); exponents go through a
// double. Anything beyond kMaxFileTimeNs is an error, so later sums of
// timestamps and durations stay in range.
int64_t microseconds_text_to_ns(std::string_view text) {
  std::string_view s = text;
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' ||
                        s.back() == '\t' || s.back() == ',' || s.back() == '}' || s.back() == ']'))
    s.remove_suffix(1);
  if (s.find_first_of("eE") != std::string_view::npos) {
    double v = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec == std::errc::result_out_of_range) out_of_range(s);
    if (r.ec != std::errc() || r.ptr != s.data() + s.size())
      throw TraceParseError{"bad number '" + std::string(s) + "'", s.data()};
    const double ns = v * 1000.0;
    if (!(std::abs(ns) <= static_cast<double>(kMaxFileTimeNs))) out_of_range(s);
    return static_cast<int64_t>(std::llround(ns));
  }
  bool negative = false;
  std::string_view digits = s;
  if (!digits.empty() && digits.front() == '-') {
    negative = true;
    digits.remove_prefix(1);
  }
  const auto dot = digits.find('.');
  const std::string_view whole = digits.substr(0, dot);
  int64_t us = 0;
  if (!whole.empty()) {
    auto r = std::from_chars(whole.data(), whole.data() + whole.size(), us);
    if (r.ec == std::errc::result_out_of_range) out_of_range(s);
    if (r.ec != std::errc() || r.ptr != whole.data() + whole.size())
      throw TraceParseError{"bad number '" + std::string(s) + "'", s.data()};
  }
  if (us > kMaxFileTimeNs / 1000) out_of_range(s);
  int64_t frac_ns = 0;
  if (dot != std::string_view::npos) {
    std::string_view frac = digits.substr(dot + 1);
    int count = 0;
    bool round_up = false;
    for (char c : frac) {
      if (c < '0' || c > '9')
        throw TraceParseError{"bad number '" + std::string(s) + "'", s.data()};
      if (count < 3)
        frac_ns = frac_ns * 10 + (c - '0');
      else if (count == 3)
        round_up = c >= '5';
      ++count;
    }
    for (int d = std::min(count, 3); d < 3; ++d) frac_ns *= 10;
    if (round_up) ++frac_ns;
  }
  const int64_t ns = us * 1000 + frac_ns;
  if (ns > kMaxFileTimeNs) out_of_range(s);
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

// A number token as the file has it, without what follows it.
std::string trimmed(std::string_view token) {
  while (!token.empty() && std::strchr(" \t\r\n,}]", token.back())) token.remove_suffix(1);
  return std::string(token);
}

// An integral number that fits int64 (pids and tids are ints; 12.0 is 12).
int64_t integral_id(od::value v) {
  od::number n = v.get_number();
  switch (n.get_number_type()) {
    case od::number_type::signed_integer:
      return n.get_int64();
    case od::number_type::unsigned_integer:
      if (n.get_uint64() > uint64_t(INT64_MAX))
        throw TraceParseError{std::to_string(n.get_uint64()) + " does not fit a 64-bit id",
                              location(v)};
      return static_cast<int64_t>(n.get_uint64());
    default: {
      const double d = n.get_double();
      // 2^63 is the first double past INT64_MAX; converting beyond it is undefined.
      if (!(d == std::trunc(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0))
        throw TraceParseError{trimmed(v.raw_json_token()) + " is not an integral 64-bit id",
                              location(v)};
      return static_cast<int64_t>(d);
    }
  }
}

int64_t read_id(od::value v, IdMapper& ids, std::string* name_out) {
  if (v.type() == od::json_type::string) {
    std::string_view s = v.get_string();
    bool named = false;
    int64_t id = ids.map(s, &named);
    if (named) *name_out = std::string(s);
    return id;
  }
  return integral_id(v);
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
  const double d = n.get_double();
  if (!(d == std::trunc(d) && d >= 0 && d < 18446744073709551616.0))
    throw TraceParseError{trimmed(v.raw_json_token()) + " is not an integral flow id", location(v)};
  return static_cast<uint64_t>(d);
}

std::string describe(simdjson::error_code code) {
  switch (code) {
    case simdjson::INCORRECT_TYPE:
      return "has the wrong type";
    case simdjson::NUMBER_OUT_OF_RANGE:
      return "number out of range";
    default:
      return simdjson::error_message(code);
  }
}

void read_field(std::string_view key, od::value v, Event& e, std::string& pid_name,
                std::string& tid_name, IdMapper& pids, IdMapper& tids) {
  if (key == "name") {
    e.name = std::string_view(v.get_string());
  } else if (key == "cat") {
    e.category = std::string_view(v.get_string());
  } else if (key == "ph") {
    std::string_view ph = v.get_string();
    if (ph.size() != 1) throw TraceParseError{"bad phase '" + std::string(ph) + "'", location(v)};
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

void read_event(od::object obj, Trace& out, IdMapper& pids, IdMapper& tids) {
  Event e;
  std::string pid_name, tid_name;
  // An error in a field names it (".ts: bad number '1x'") and where it is;
  // the position is looked up only then, the happy path pays nothing.
  std::string_view key;
  od::value v;
  try {
    for (auto field : obj) {
      key = field.unescaped_key();
      v = field.value();
      read_field(key, v, e, pid_name, tid_name, pids, tids);
    }
  } catch (const simdjson::simdjson_error& err) {
    // A syntax error: the caller finds its byte offset.
    if (key.empty() ||
        (err.error() != simdjson::INCORRECT_TYPE && err.error() != simdjson::NUMBER_OUT_OF_RANGE))
      throw;
    throw TraceParseError{"." + std::string(key) + ": " + describe(err.error()), location(v)};
  } catch (const TraceParseError& err) {
    throw TraceParseError{"." + std::string(key) + ": " + err.message,
                          err.at ? err.at : location(v)};
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

void read_events(od::array events, Trace& out, std::string_view path) {
  IdMapper pids, tids;
  size_t index = 0;
  // The event's path is only spelled out on the error path.
  auto where = [&] { return std::string(path) + "[" + std::to_string(index) + "]"; };
  for (auto item : events) {
    od::value v = item.value();
    try {
      if (v.type() != od::json_type::object)
        throw TraceParseError{": expected an event object", location(v)};
      read_event(v.get_object(), out, pids, tids);
    } catch (const TraceParseError& err) {
      throw TraceParseError{where() + err.message, err.at};
    } catch (const simdjson::simdjson_error& err) {
      if (err.error() != simdjson::INCORRECT_TYPE) throw;  // syntax: the caller finds the offset
      throw TraceParseError{where() + ": " + describe(err.error()), location(v)};
    }
    ++index;
  }
}

// Only on the error path: nlohmann reports the byte offset of a syntax error.
[[noreturn]] void throw_with_offset(std::string_view json, const std::filesystem::path& name,
                                    const std::string& message) {
  [[maybe_unused]] auto ignored = parse_json_text(json, name);  // throws at a syntax error
  throw FileError(name, "not a Chrome trace: " + message);
}

}  // namespace

Trace parse_trace(std::string_view json, const std::filesystem::path& name) {
  if (json.find_first_not_of(" \t\r\n") == std::string_view::npos)
    throw FileError(name, 0, "empty file, expected a Chrome trace (JSON)");
  Trace out;
  simdjson::padded_string padded(json);
  try {
    od::parser parser;
    od::document doc = parser.iterate(padded);
    if (doc.type() == od::json_type::array) {
      read_events(doc.get_array(), out, "");
      out.metadata["source"] = "chrome-trace";
    } else {
      bool saw_events = false;
      nlohmann::json other = nlohmann::json::object();
      for (auto field : doc.get_object()) {
        std::string_view key = field.unescaped_key();
        if (key == "traceEvents") {
          od::value events = field.value();
          if (events.type() != od::json_type::array)
            throw TraceParseError{"traceEvents: expected an array", location(events)};
          read_events(events.get_array(), out, "traceEvents");
          saw_events = true;
        } else if (key == "worthit") {
          od::value v = field.value();
          if (v.type() != od::json_type::object)
            throw TraceParseError{"worthit: expected an object (the trace's metadata)",
                                  location(v)};
          out.metadata = to_nlohmann(v);
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
    // A schema error: report its position when it lies in the text, else
    // the syntax error that may have caused it.
    const char* begin = padded.data();
    if (e.at && e.at >= begin && e.at < begin + json.size())
      throw FileError(name, static_cast<uint64_t>(e.at - begin), e.message);
    throw_with_offset(json, name, e.message);
  }
  return out;
}

Trace read_trace(const std::filesystem::path& path) { return parse_trace(read_file(path), path); }

}  // namespace worthit::trace
