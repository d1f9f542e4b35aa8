#include "csv/csv_parser.h"

#include <fast_float/fast_float.h>
#include <omp.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <vector>

namespace worthit::kernels::csv {

namespace {

// The end of the field that starts at p: the next delimiter or line end.
const char* field_end(const char* p, const char* end, char delim) {
  while (p < end && *p != delim && *p != '\n' && *p != '\r') ++p;
  return p;
}

std::string quote(const char* b, const char* e) {
  constexpr size_t kMax = 40;  // a runaway field (a missing newline, binary data) stays readable
  std::string s(b, std::min<size_t>(size_t(e - b), kMax));
  if (size_t(e - b) > kMax) s += "...";
  return "'" + s + "'";
}

inline bool is_digit(char c) { return static_cast<unsigned char>(c - '0') < 10; }

constexpr uint64_t kOnes = 0x0101010101010101ull;

// The leading run of ASCII digits in the 8 bytes at p, SWAR style: its
// length (8 when all are digits) and its value. Branch-free, so random
// number lengths cost no mispredictions.
inline int digit_run(const char* p, uint64_t& value) {
  uint64_t w;
  std::memcpy(&w, p, 8);                                      // little-endian: p[0] is the low byte
  const uint64_t hi = (w & (0xF0 * kOnes)) ^ (0x30 * kOnes);  // 0 where 0x30..0x3F
  const uint64_t hi6 = ((w + 0x06 * kOnes) & (0xF0 * kOnes)) ^ (0x30 * kOnes);  // 0 where <= 0x39
  const uint64_t bad = hi | hi6;  // nonzero bytes: not a digit
  const int n = bad ? std::countr_zero(bad) >> 3 : 8;
  if (n == 0) {
    value = 0;
    return 0;
  }
  // Keep the n digits, right-align them as the last n of 8 digit places,
  // then the classic 8-digit multiply-shift conversion.
  const uint64_t keep = n == 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * n)) - 1;
  uint64_t d = ((w & keep) - (0x30 * kOnes & keep)) << (8 * (8 - n));
  d = d * 10 + (d >> 8);
  d = (((d & 0x000000FF000000FFull) * (100 + (1000000ull << 32))) +
       (((d >> 16) & 0x000000FF000000FFull) * (1 + (10000ull << 32)))) >>
      32;
  value = d;
  return n;
}

constexpr uint64_t kPow10Int[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};

// 10^e for e in [-60, 60], each the correctly rounded double (the compiler
// rounds the literals); exact for 0 <= e <= 22.
constexpr int kPow10Min = -60;
constexpr double kPow10Approx[] = {
    1e-60, 1e-59, 1e-58, 1e-57, 1e-56, 1e-55, 1e-54, 1e-53, 1e-52, 1e-51, 1e-50, 1e-49, 1e-48,
    1e-47, 1e-46, 1e-45, 1e-44, 1e-43, 1e-42, 1e-41, 1e-40, 1e-39, 1e-38, 1e-37, 1e-36, 1e-35,
    1e-34, 1e-33, 1e-32, 1e-31, 1e-30, 1e-29, 1e-28, 1e-27, 1e-26, 1e-25, 1e-24, 1e-23, 1e-22,
    1e-21, 1e-20, 1e-19, 1e-18, 1e-17, 1e-16, 1e-15, 1e-14, 1e-13, 1e-12, 1e-11, 1e-10, 1e-9,
    1e-8,  1e-7,  1e-6,  1e-5,  1e-4,  1e-3,  1e-2,  1e-1,  1e0,   1e1,   1e2,   1e3,   1e4,
    1e5,   1e6,   1e7,   1e8,   1e9,   1e10,  1e11,  1e12,  1e13,  1e14,  1e15,  1e16,  1e17,
    1e18,  1e19,  1e20,  1e21,  1e22,  1e23,  1e24,  1e25,  1e26,  1e27,  1e28,  1e29,  1e30,
    1e31,  1e32,  1e33,  1e34,  1e35,  1e36,  1e37,  1e38,  1e39,  1e40,  1e41,  1e42,  1e43,
    1e44,  1e45,  1e46,  1e47,  1e48,  1e49,  1e50,  1e51,  1e52,  1e53,  1e54,  1e55,  1e56,
    1e57,  1e58,  1e59,  1e60};

// The common case, inline: up to 7 integer and 7 fraction digits (so the
// digits m < 2^53 are an exact double) and a decimal exponent e within +-60.
// d = m * fl(10^e) is one multiply: fl(10^e) is within half a double ulp of
// 10^e and the product adds another half, so d is within 2 double ulps of
// the exact value m * 10^e. Rounding d to float then gives the correctly
// rounded float unless d lies within a few double ulps of a midpoint
// between two floats (its 29 low mantissa bits near 1000...0): that case,
// subnormals, overflow and anything unusual return nullptr for fast_float to
// redo. Reads at most 40 bytes from p; the caller guarantees that many.
const char* parse_float_fast(const char* p, float& out) {
  const bool negative = *p == '-';
  p += negative;
  uint64_t m = 0, frac = 0;
  const int n_int = digit_run(p, m);
  if (n_int == 8) return nullptr;
  p += n_int;
  // The fraction, branch-free too: whether a '.' follows is as random as
  // the number's shape.
  const bool dot = *p == '.';
  const int n_run = digit_run(p + 1, frac);
  if (dot && n_run == 8) return nullptr;
  const int n_frac = dot ? n_run : 0;
  m = m * kPow10Int[n_frac] + (dot ? frac : 0);
  p += int(dot) + n_frac;
  int e10 = -n_frac;
  if (n_int + n_frac == 0) return nullptr;
  if ((*p | 0x20) == 'e') {
    ++p;
    const bool eneg = *p == '-';
    p += eneg || *p == '+';
    if (!is_digit(*p)) return nullptr;
    int x = 0;
    for (int i = 0; i < 3 && is_digit(*p); ++i, ++p) x = x * 10 + (*p - '0');
    if (is_digit(*p)) return nullptr;
    e10 += eneg ? -x : x;
  }
  if (e10 < kPow10Min || e10 > -kPow10Min) return nullptr;
  const double d = double(m) * kPow10Approx[e10 - kPow10Min];
  if (d != 0 && (d < 0x1p-126 || d > 0x1.fffffep127)) return nullptr;
  uint64_t bits;
  std::memcpy(&bits, &d, sizeof bits);
  // |low 29 bits - 2^28| <= 4, i.e. within 4 double ulps of a float midpoint.
  if ((((bits & ((uint64_t{1} << 29) - 1)) - (uint64_t{1} << 28) + 4) &
       ((uint64_t{1} << 29) - 1)) <= 8)
    return nullptr;
  const float f = float(d);
  out = negative ? -f : f;
  return p;
}

int64_t count_lines(const char* b, const char* e) {
  const int64_t newlines = std::count(b, e, '\n');
  return newlines + (e > b && e[-1] != '\n' ? 1 : 0);
}

// One chunk of whole lines: parses `lines` rows starting at output row
// `row0`. Returns false and fills `err` at the first problem. `first_line`
// is the file line number of the chunk's first line.
bool parse_chunk(const char* p, const char* end, int64_t row0, int64_t rows, int64_t cols,
                 char delim, int64_t first_line, float* out, ParseError& err, int64_t& parsed) {
  for (int64_t r = 0; p < end; parsed = ++r) {
    const int64_t line = first_line + r;
    if (row0 + r >= rows) {
      err = {line, 0, "more data rows than the expected " + std::to_string(rows)};
      return false;
    }
    float* dst = out + (row0 + r) * cols;
    for (int64_t c = 0; c < cols; ++c) {
      const char* start = p;
      float v = 0;
      if (end - p > 48)
        if (const char* q = parse_float_fast(p, v)) {
          p = q;
          goto parsed;
        }
      {
        if (p < end && *p == '+') ++p;  // fast_float takes '-' but not '+'
        const auto res = fast_float::from_chars(p, end, v);
        if (res.ec != std::errc()) {
          const char* fe = field_end(start, end, delim);
          if (fe == start) {
            const bool line_over = start == end || *start == '\n' || *start == '\r';
            err = {line, c + 1,
                   line_over && c == 0 ? "empty line (expected " + std::to_string(cols) + " fields)"
                   : line_over
                       ? "expected " + std::to_string(cols) + " fields, found " + std::to_string(c)
                       : "empty field"};
          } else {
            err = {line, c + 1, "cannot parse " + quote(start, fe) + " as a number"};
          }
          return false;
        }
        p = res.ptr;
      }
    parsed:
      dst[c] = v;
      if (c + 1 < cols) {
        if (p < end && *p == delim) {
          ++p;
          continue;
        }
        if (p == end || *p == '\n' || *p == '\r') {
          err = {line, c + 2,
                 "expected " + std::to_string(cols) + " fields, found " + std::to_string(c + 1)};
        } else {
          err = {line, c + 1,
                 "cannot parse " + quote(start, field_end(start, end, delim)) + " as a number"};
        }
        return false;
      }
      // The last field: the line must end here.
      if (p == end) continue;
      if (*p == '\n') {
        ++p;
      } else if (*p == '\r' && p + 1 < end && p[1] == '\n') {
        p += 2;
      } else if (*p == delim) {
        err = {line, cols + 1, "expected " + std::to_string(cols) + " fields, found more"};
        return false;
      } else {
        err = {line, c + 1,
               "cannot parse " + quote(start, field_end(start, end, delim)) + " as a number"};
        return false;
      }
    }
  }
  return true;
}

}  // namespace

std::string ParseError::what() const {
  std::string s;
  if (line > 0) s += "line " + std::to_string(line);
  if (column > 0) s += (s.empty() ? "" : ", ") + std::string("column ") + std::to_string(column);
  return s.empty() ? message : s + ": " + message;
}

Shape scan_shape(std::string_view text, const ParseOptions& options) {
  Shape s;
  const char* b = text.data();
  const char* e = b + text.size();
  const char* first = std::find(b, e, '\n');
  const char* body = first == e ? e : first + 1;
  const char* probe_b = b;
  const char* probe_e = first;
  if (options.header) {
    s.rows = count_lines(body, e);
    if (body < e) {
      probe_b = body;
      probe_e = std::find(body, e, '\n');
    }
  } else {
    s.rows = count_lines(b, e);
  }
  if (probe_b < probe_e) s.cols = std::count(probe_b, probe_e, options.delimiter) + 1;
  return s;
}

ParseResult parse_csv(std::string_view text, std::span<float> out, int64_t rows, int64_t cols,
                      const ParseOptions& options) {
  ParseResult result;
  auto fail = [&](ParseError e) {
    result.ok = false;
    result.error = std::move(e);
    return result;
  };
  if (cols <= 0 || rows < 0)
    return fail({0, 0, "the expected shape must have at least one column"});
  if (int64_t(out.size()) < rows * cols)
    return fail({0, 0,
                 "output holds " + std::to_string(out.size()) + " floats, " +
                     std::to_string(rows * cols) + " needed"});
  if (text.empty()) return fail({1, 1, "empty input (no header line, no data)"});

  const char* b = text.data();
  const char* e = b + text.size();
  int64_t first_line = 1;
  if (options.header) {
    const char* nl = static_cast<const char*>(std::memchr(b, '\n', text.size()));
    b = nl ? nl + 1 : e;
    first_line = 2;
  }

  // Chunk boundaries just after a newline, so each thread owns whole lines.
  const int threads = std::max(1, std::min<int>(options.threads, int((e - b) / 4096) + 1));
  std::vector<const char*> start(size_t(threads) + 1, e);
  start[0] = b;
  for (int t = 1; t < threads; ++t) {
    const char* probe = std::max(start[size_t(t) - 1], b + (e - b) * t / threads - 1);
    const char* nl = static_cast<const char*>(std::memchr(probe, '\n', size_t(e - probe)));
    start[size_t(t)] = nl ? nl + 1 : e;
  }
  std::vector<int64_t> lines(size_t(threads), 0), row0(size_t(threads) + 1, 0),
      parsed(size_t(threads), 0);
  std::vector<ParseError> errors(static_cast<size_t>(threads));
  std::vector<char> failed(size_t(threads), 0);

#pragma omp parallel num_threads(threads)
  {
    // Every chunk but the last counts its lines, so each knows its first
    // output row; the last chunk just parses to the end (one thread: no
    // counting pass at all).
    const int t = omp_get_thread_num();
    const size_t ts = size_t(t);
    if (t + 1 < threads) lines[ts] = count_lines(start[ts], start[ts + 1]);
#pragma omp barrier
#pragma omp single
    for (size_t i = 0; i + 1 < size_t(threads); ++i) row0[i + 1] = row0[i] + lines[i];
    // (the single's implicit barrier publishes row0)
    failed[ts] = !parse_chunk(start[ts], start[ts + 1], row0[ts], rows, cols, options.delimiter,
                              first_line + row0[ts], out.data(), errors[ts], parsed[ts]);
  }

  for (int t = 0; t < threads; ++t)
    if (failed[size_t(t)]) {
      result.rows = std::min(rows, row0[size_t(t)] + parsed[size_t(t)]);
      return fail(errors[size_t(t)]);
    }
  result.rows = row0[size_t(threads) - 1] + parsed[size_t(threads) - 1];
  if (result.rows < rows)
    return fail(
        {first_line + result.rows, 0,
         "expected " + std::to_string(rows) + " data rows, found " + std::to_string(result.rows)});
  return result;
}

}  // namespace worthit::kernels::csv
