// Typed, checked access to the fields of a parsed JSON document, for every
// reader of worthit's file formats (results, calibration, Google Benchmark
// JSON, policy). A value of the wrong type, a number that its C++ type cannot
// hold (1e21 as an int, -1 as a count, 2.5 as an integer) or one outside the
// range a field allows is a SchemaError naming its JSON path, never a raw
// library error or a silent conversion.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "worthit/results/file_io.h"

namespace worthit::json_fields {

using nlohmann::json;

// `where` is the JSON path of the object (or value) being read, e.g.
// "results[3].stats"; messages read "results[3].stats.n: ...".
std::string path_of(const std::string& where, std::string_view key);

// The object's field; SchemaError when `object` is not an object or lacks it.
const json& field(const json& object, std::string_view key, const std::string& where);
// The field, or nullptr when it is absent or null; SchemaError when `object`
// is not an object.
const json* optional_field(const json& object, std::string_view key, const std::string& where);

// Converts one value. Supported: bool, std::string, double (finite), int,
// int64_t, uint64_t (integral numbers that fit; 3.0 is 3), std::vector<T> and
// std::map<std::string, T> of those. `where` is the value's own path.
template <class T>
T as(const json& value, const std::string& where);

template <class T>
T get(const json& object, std::string_view key, const std::string& where) {
  return as<T>(field(object, key, where), path_of(where, key));
}

// Absent or null: `fallback`.
template <class T>
T get_or(const json& object, std::string_view key, T fallback, const std::string& where) {
  const json* v = optional_field(object, key, where);
  return v ? as<T>(*v, path_of(where, key)) : fallback;
}

// `value` when lo <= value <= hi, else SchemaError "where: VALUE is outside lo..hi"
// (`what` replaces the range in the message when given, e.g. "not a positive time").
double in_range(double value, double lo, double hi, const std::string& where,
                const std::string& what = "");
int64_t in_range_integer(int64_t value, int64_t lo, int64_t hi, const std::string& where,
                         const std::string& what = "");
template <class Int>
requires std::is_integral_v<Int> Int in_range(Int value, std::type_identity_t<Int> lo,
                                              std::type_identity_t<Int> hi,
                                              const std::string& where,
                                              const std::string& what = "") {
  return static_cast<Int>(in_range_integer(value, lo, hi, where, what));
}

// The largest count, index or size any worthit file holds in an int field.
inline constexpr int64_t kMaxCount = 1'000'000'000;

// The longest time per call a file may hold: 1e18 ns is 31 years. Any real
// sample is far below it, and sums over kMaxCount samples stay finite, so
// means, variances and ratios over a file's samples cannot overflow.
inline constexpr double kMaxSampleNs = 1e18;

// `value` when it is a positive time per call in nanoseconds (at most
// kMaxSampleNs), else SchemaError "where: VALUE is not a positive time ...".
double sample_time_ns(double value, const std::string& where);

// ---- implementation --------------------------------------------------------

namespace detail {
[[noreturn]] void wrong_type(const json& value, const char* expected, const std::string& where);
int64_t integer(const json& value, int64_t lo, int64_t hi, const std::string& where);
uint64_t unsigned_integer(const json& value, const std::string& where);
double finite_number(const json& value, const std::string& where);

template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};
template <class T>
struct is_string_map : std::false_type {};
template <class T>
struct is_string_map<std::map<std::string, T>> : std::true_type {};
}  // namespace detail

template <class T>
T as(const json& value, const std::string& where) {
  if constexpr (std::is_same_v<T, bool>) {
    if (!value.is_boolean()) detail::wrong_type(value, "a boolean", where);
    return value.get<bool>();
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!value.is_string()) detail::wrong_type(value, "a string", where);
    return value.get<std::string>();
  } else if constexpr (std::is_same_v<T, double>) {
    return detail::finite_number(value, where);
  } else if constexpr (std::is_same_v<T, uint64_t>) {
    return detail::unsigned_integer(value, where);
  } else if constexpr (std::is_same_v<T, int> || std::is_same_v<T, int64_t>) {
    return static_cast<T>(detail::integer(value, std::numeric_limits<T>::min(),
                                          std::numeric_limits<T>::max(), where));
  } else if constexpr (detail::is_vector<T>::value) {
    if (!value.is_array()) detail::wrong_type(value, "an array", where);
    T out;
    out.reserve(value.size());
    for (size_t i = 0; i < value.size(); ++i)
      out.push_back(as<typename T::value_type>(value[i], where + "[" + std::to_string(i) + "]"));
    return out;
  } else if constexpr (detail::is_string_map<T>::value) {
    if (!value.is_object()) detail::wrong_type(value, "an object", where);
    T out;
    for (const auto& [key, item] : value.items())
      out.emplace(key, as<typename T::mapped_type>(item, path_of(where, key)));
    return out;
  } else {
    static_assert(sizeof(T) == 0, "json_fields::as: unsupported type");
  }
}

}  // namespace worthit::json_fields
