// Time arithmetic on trace timestamps (nanoseconds, int64). Every sum of a
// timestamp and a duration in the trace library goes through these, so an
// out-of-range value read from a file saturates instead of overflowing.
#pragma once

#include <cstdint>
#include <limits>

namespace worthit::trace {

inline constexpr int64_t kMaxTimeNs = std::numeric_limits<int64_t>::max();
inline constexpr int64_t kMinTimeNs = std::numeric_limits<int64_t>::min();

// The largest magnitude a timestamp or duration read from a file may have:
// 2^62 ns, about 146 years (epoch nanoseconds reach it in 2116). Within it,
// the end of any slice read from a file is representable.
inline constexpr int64_t kMaxFileTimeNs = int64_t{1} << 62;

// a + b, clamped to the int64 range.
constexpr int64_t add_saturating(int64_t a, int64_t b) {
  int64_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) return b > 0 ? kMaxTimeNs : kMinTimeNs;
  return sum;
}

// a - b, clamped to the int64 range.
constexpr int64_t sub_saturating(int64_t a, int64_t b) {
  int64_t diff = 0;
  if (__builtin_sub_overflow(a, b, &diff)) return b < 0 ? kMaxTimeNs : kMinTimeNs;
  return diff;
}

// The end of a slice that starts at ts_ns and lasts dur_ns.
constexpr int64_t end_ns(int64_t ts_ns, int64_t dur_ns) { return add_saturating(ts_ns, dur_ns); }

}  // namespace worthit::trace
