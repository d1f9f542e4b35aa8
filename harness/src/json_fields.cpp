#include "worthit/results/json_fields.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace worthit::json_fields {

std::string path_of(const std::string& where, std::string_view key) {
  return where.empty() ? std::string(key) : where + "." + std::string(key);
}

const json& field(const json& object, std::string_view key, const std::string& where) {
  const json* v = optional_field(object, key, where);
  if (!object.contains(key))
    throw SchemaError(where + ": missing field '" + std::string(key) + "'");
  if (!v) throw SchemaError(path_of(where, key) + ": is null");
  return *v;
}

const json* optional_field(const json& object, std::string_view key, const std::string& where) {
  if (!object.is_object()) detail::wrong_type(object, "an object", where);
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

namespace {

std::string shown(const json& v) {
  std::string text = v.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return text;
}

// The shortest text that reads back as `v`: -0.1, not -0.10000000000000001;
// whole numbers in full (-23100000, not -2.31e+07).
std::string shown(double v) {
  char buf[40];
  if (v == std::trunc(v) && std::abs(v) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
  }
  for (int digits = 6; digits <= 17; ++digits) {
    std::snprintf(buf, sizeof buf, "%.*g", digits, v);
    if (std::strtod(buf, nullptr) == v || !std::isfinite(v)) break;
  }
  return buf;
}

}  // namespace

double in_range(double value, double lo, double hi, const std::string& where,
                const std::string& what) {
  if (!(value >= lo && value <= hi))
    throw SchemaError(where + ": " + shown(value) + " " +
                      (what.empty() ? "is outside " + shown(lo) + ".." + shown(hi) : what));
  return value;
}

double sample_time_ns(double value, const std::string& where) {
  return in_range(value, std::numeric_limits<double>::min(), kMaxSampleNs, where,
                  "is not a positive time in nanoseconds (at most 1e18)");
}

int64_t in_range_integer(int64_t value, int64_t lo, int64_t hi, const std::string& where,
                         const std::string& what) {
  if (value < lo || value > hi)
    throw SchemaError(
        where + ": " + std::to_string(value) + " " +
        (what.empty() ? "is outside " + std::to_string(lo) + ".." + std::to_string(hi) : what));
  return value;
}

namespace detail {

void wrong_type(const json& value, const char* expected, const std::string& where) {
  throw SchemaError(where + ": expected " + expected + ", got " + value.type_name() +
                    (value.is_primitive() && !value.is_null() ? " " + shown(value) : ""));
}

int64_t integer(const json& value, int64_t lo, int64_t hi, const std::string& where) {
  if (value.is_number_unsigned()) {
    const uint64_t u = value.get<uint64_t>();
    if (u > static_cast<uint64_t>(hi))
      throw SchemaError(where + ": " + shown(value) + " does not fit (at most " +
                        std::to_string(hi) + ")");
    return static_cast<int64_t>(u);
  }
  if (value.is_number_integer()) {
    const int64_t v = value.get<int64_t>();
    if (v < lo || v > hi)
      throw SchemaError(where + ": " + shown(value) + " does not fit (" + std::to_string(lo) +
                        ".." + std::to_string(hi) + ")");
    return v;
  }
  if (value.is_number_float()) {
    // Integral floats (3.0) are accepted; the bounds are checked as doubles
    // first, because converting an out-of-range double is undefined.
    const double d = value.get<double>();
    if (!(d == std::trunc(d)))
      throw SchemaError(where + ": " + shown(value) + " is not an integer");
    if (!(d >= static_cast<double>(lo) && d < -static_cast<double>(INT64_MIN) &&
          d <= static_cast<double>(hi)))
      throw SchemaError(where + ": " + shown(value) + " does not fit (" + std::to_string(lo) +
                        ".." + std::to_string(hi) + ")");
    return static_cast<int64_t>(d);
  }
  wrong_type(value, "an integer", where);
}

uint64_t unsigned_integer(const json& value, const std::string& where) {
  if (value.is_number_unsigned()) return value.get<uint64_t>();
  if (value.is_number_integer()) {
    // A signed number that is not negative (built in memory from an int64_t).
    const int64_t v = value.get<int64_t>();
    if (v >= 0) return static_cast<uint64_t>(v);
    throw SchemaError(where + ": " + shown(value) + " is negative, expected an unsigned integer");
  }
  if (value.is_number_float()) {
    const double d = value.get<double>();
    if (!(d == std::trunc(d)))
      throw SchemaError(where + ": " + shown(value) + " is not an integer");
    if (!(d >= 0 && d < 18446744073709551616.0))
      throw SchemaError(where + ": " + shown(value) + " does not fit an unsigned 64-bit integer");
    return static_cast<uint64_t>(d);
  }
  wrong_type(value, "an unsigned integer", where);
}

double finite_number(const json& value, const std::string& where) {
  if (!value.is_number()) wrong_type(value, "a number", where);
  const double d = value.get<double>();
  if (!std::isfinite(d)) throw SchemaError(where + ": " + shown(value) + " is not finite");
  return d;
}

}  // namespace detail

}  // namespace worthit::json_fields
