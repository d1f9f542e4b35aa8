#include "csv/csv_parser.h"

#include <fast_float/fast_float.h>
#include <omp.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

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

// m * 10^e10 as the correctly rounded float, for digits m < 2^53 (an exact
// double) and e10 within +-60; false where that is not certain.
// d = m * fl(10^e) is one multiply: fl(10^e) is within half a double ulp of
// 10^e and the product adds another half, so d is within 2 double ulps of
// the exact value m * 10^e. Rounding d to float then gives the correctly
// rounded float unless d lies within a few double ulps of a midpoint
// between two floats (its 29 low mantissa bits near 1000...0): that case,
// subnormals and overflow return false for fast_float to redo.
// to_normal_float leaves out the range checks, for callers that have made
// sure that d is 0 or a normal float.
inline bool to_normal_float(uint64_t m, int e10, bool negative, float& out) {
  const double d = double(m) * kPow10Approx[e10 - kPow10Min];
  const uint64_t bits = std::bit_cast<uint64_t>(d);
  // |low 29 bits - 2^28| <= 4, i.e. within 4 double ulps of a float midpoint.
  if ((((bits & ((uint64_t{1} << 29) - 1)) - (uint64_t{1} << 28) + 4) &
       ((uint64_t{1} << 29) - 1)) <= 8)
    return false;
  // The sign as a bit flip: a branch on it (the compiler's choice for
  // `negative ? -f : f`) mispredicts on half of random data.
  out = std::bit_cast<float>(std::bit_cast<uint32_t>(float(d)) ^ uint32_t(negative) << 31);
  return true;
}

inline bool to_float(uint64_t m, int e10, bool negative, float& out) {
  if (e10 < kPow10Min || e10 > -kPow10Min) return false;
  const double d = double(m) * kPow10Approx[e10 - kPow10Min];
  if (d != 0 && (d < 0x1p-126 || d > 0x1.fffffep127)) return false;
  return to_normal_float(m, e10, negative, out);
}

// The portable fast path (SWAR): up to 7 integer and 7 fraction digits and a
// decimal exponent within +-60; nullptr for anything else, which fast_float
// redoes. Reads at most 40 bytes from p; the caller guarantees that many.
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
  if (!to_float(m, e10, negative, out)) return nullptr;
  return p;
}

// Past the separator that must follow a field's number at q: the delimiter
// inside a row, '\n' or "\r\n" after its last field; nullptr when it is
// something else (the caller's careful path then says what is wrong).
inline const char* skip_separator(const char* q, bool last_field, char delim) {
  if (!last_field) return *q == delim ? q + 1 : nullptr;
  if (*q == '\n') return q + 1;
  if (*q == '\r' && q[1] == '\n') return q + 2;
  return nullptr;
}

// The '\n' bytes in [b, e), 8 at a time (SWAR): 1.7x std::count's speed
// here, which matters because a chunk's line count holds up the next chunk.
int64_t count_newlines_swar(const char* b, const char* e) {
  constexpr uint64_t kLow7 = 0x7F * kOnes, kNewlines = '\n' * kOnes;
  int64_t n = 0;
  while (e - b >= 8) {
    // Per-byte counters: at most 255 words before they are summed.
    uint64_t counts = 0;
    for (int i = 0; i < 255 && e - b >= 8; ++i, b += 8) {
      uint64_t w;
      std::memcpy(&w, b, 8);
      const uint64_t x = w ^ kNewlines;                    // zero bytes: newlines
      const uint64_t nonzero = ((x & kLow7) + kLow7) | x;  // high bit set: nonzero byte
      counts += (~nonzero >> 7) & kOnes;
    }
    const uint64_t pairs =
        (counts & 0x00FF00FF00FF00FFull) + ((counts >> 8) & 0x00FF00FF00FF00FFull);
    n += int64_t((pairs * 0x0001000100010001ull) >> 48);
  }
  for (; b < e; ++b) n += *b == '\n';
  return n;
}

// What parse_chunk works in: the chunk's end and the expected shape.
struct Chunk {
  const char* end;
  int64_t row0, rows, cols;
  char delim;
  int64_t first_line;
  float* out;
};

enum class Step { kNext, kDone, kError };

// The number in field c (0-based) ended at p with something other than the
// separator that should follow it.
ParseError separator_error(const char* start, const char* p, const char* end, int64_t line,
                           int64_t c, int64_t cols, char delim) {
  if (c + 1 < cols && (p == end || *p == '\n' || *p == '\r'))
    return {line, c + 2,
            "expected " + std::to_string(cols) + " fields, found " + std::to_string(c + 1)};
  if (c + 1 == cols && *p == delim)
    return {line, cols + 1, "expected " + std::to_string(cols) + " fields, found more"};
  return {line, c + 1,
          "cannot parse " + quote(start, field_end(start, end, delim)) + " as a number"};
}

// Field c of row r at p, the careful way: fast_float (which reads nothing
// past the end), then the separator; or the error. Advances p, r and c.
// Out of line, so that the hot loop of parse_chunk makes no calls.
[[gnu::noinline]] Step parse_field_slow(const Chunk& k, const char*& p, int64_t& r, int64_t& c,
                                        ParseError& err) {
  const char* end = k.end;
  const int64_t line = k.first_line + r;
  if (c == 0) {
    if (p >= end) return Step::kDone;
    if (k.row0 + r >= k.rows) {
      err = {line, 0, "more data rows than the expected " + std::to_string(k.rows)};
      return Step::kError;
    }
  }
  const char* start = p;
  // fast_float takes '-' but not '+'; a second sign after it stays an error.
  const bool plus = p + 1 < end && *p == '+' && p[1] != '-' && p[1] != '+';
  const char* q = plus ? p + 1 : p;
  float v = 0;
  const auto res = fast_float::from_chars(q, end, v);
  if (res.ec != std::errc()) {
    const char* fe = field_end(start, end, k.delim);
    if (fe == start) {
      const bool line_over = start == end || *start == '\n' || *start == '\r';
      err = {line, c + 1,
             line_over && c == 0 ? "empty line (expected " + std::to_string(k.cols) + " fields)"
             : line_over
                 ? "expected " + std::to_string(k.cols) + " fields, found " + std::to_string(c)
                 : "empty field"};
    } else {
      err = {line, c + 1, "cannot parse " + quote(start, fe) + " as a number"};
    }
    return Step::kError;
  }
  p = res.ptr;
  k.out[(k.row0 + r) * k.cols + c] = v;
  if (c + 1 < k.cols) {
    if (p < end && *p == k.delim) {
      ++p;
      ++c;
      return Step::kNext;
    }
  } else if (p == end || *p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n')) {
    // The last field: the line ends here (or the text does).
    p += p == end ? 0 : *p == '\n' ? 1 : 2;
    c = 0;
    ++r;
    return Step::kNext;
  }
  err = separator_error(start, p, end, line, c, k.cols, k.delim);
  return Step::kError;
}

namespace swar {

// One chunk of whole lines: parses rows starting at output row `row0`.
// Returns false and fills `err` at the first problem. `first_line` is the file
// line number of the chunk's first line.
bool parse_chunk(const char* p, const char* end, int64_t row0, int64_t rows, int64_t cols,
                 char delim, int64_t first_line, float* out, ParseError& err, int64_t& parsed) {
  const Chunk chunk{end, row0, rows, cols, delim, first_line, out};
  int64_t r = 0, c = 0;
  for (;;) {
    // The hot loop takes fields while the inline parser does and the
    // separator is the expected one; anything else (fast_float's numbers, the
    // chunk's last 48 bytes, a surplus row, every error) goes to
    // parse_field_slow, which re-parses that field alone.
    if (c != 0 || row0 + r < rows) {
      float* dst = out + (row0 + r) * cols + c;
      while (end - p > 48) {
        float v;
        const char* q = parse_float_fast(p, v);
        if (!q || !(q = skip_separator(q, c + 1 == cols, delim))) break;
        *dst++ = v;
        p = q;
        if (++c == cols) {
          c = 0;
          if (row0 + ++r >= rows) break;
        }
      }
    }
    const Step s = parse_field_slow(chunk, p, r, c, err);
    if (s != Step::kNext) {
      parsed = r;
      return s == Step::kDone;
    }
  }
}

}  // namespace swar

// The AVX-512 field parsers and their row loop, compiled for AVX-512 F, BW,
// VL, DQ and CD and BMI2 (Skylake-SP, Ice Lake, Zen 4 and later) and run
// only where the CPU has them (chunk_parser). GCC only, like
// simd_dispatch.h; other compilers and CPUs run the SWAR path.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && \
    !defined(WORTHIT_SIMD_NO_DISPATCH)
#define WORTHIT_CSV_AVX512 1
#pragma GCC push_options
#pragma GCC target("avx2,avx512f,avx512bw,avx512vl,avx512dq,avx512cd,bmi,bmi2,popcnt")
// GCC 12's intrinsics that start from an undefined vector (_mm512_undefined_*)
// warn here (GCC bug 105593, fixed in 13).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
namespace avx512 {

// The AVX-512 fast path: one 16-byte load at the field start, classified at
// once into bit masks (digits, '.', 'e'/'E', signs). The number's end, its
// point and its exponent follow from bit tricks on the masks, the shape is
// checked with one branch, and one shuffle puts the mantissa digits (the
// point squeezed out) right-aligned in lanes 0-11 and the exponent digits in
// lanes 12-15, for the multiply-add digit trick to convert both at once. No
// branch depends on the number's shape (random shapes would mispredict).
// Takes at most 15 characters: [sign] 1 to 12 digits with at most one '.',
// then optionally e/E, [sign] and 1 to 4 digits; nullptr for anything else.
// Reads 16 bytes at p.
[[gnu::always_inline]] inline const char* parse_float_avx512(const char* p, float& out) {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m128i d = _mm_sub_epi8(v, _mm_set1_epi8('0'));
  const __mmask16 kdig = _mm_cmplt_epu8_mask(d, _mm_set1_epi8(10));
  const uint32_t dig = kdig;
  const uint32_t dot_any = _mm_cmpeq_epi8_mask(v, _mm_set1_epi8('.'));
  const uint32_t e_any =
      _mm_cmpeq_epi8_mask(_mm_or_si128(v, _mm_set1_epi8(0x20)), _mm_set1_epi8('e'));
  const uint32_t minus_any = _mm_cmpeq_epi8_mask(v, _mm_set1_epi8('-'));
  const uint32_t plus_any = _mm_cmpeq_epi8_mask(v, _mm_set1_epi8('+'));
  const uint32_t len = _tzcnt_u32(~(dig | dot_any | e_any | minus_any | plus_any));
  const uint32_t field = _bzhi_u32(~0u, len);
  const uint32_t e = e_any & field;
  const uint32_t dot = dot_any & field;
  const uint32_t minus = minus_any & field;
  const uint32_t sign = (minus_any | plus_any) & field;
  const uint32_t mend = _tzcnt_u32(e | 1u << len);
  const uint32_t mant = _bzhi_u32(~0u, mend);
  const uint32_t mdig = dig & mant;
  const uint32_t xdig = dig & field & ~(mant << 1 | 1);
  const uint32_t n_digits = _mm_popcnt_u32(mdig);
  // The shape: a terminator within the 16 bytes, at most one 'e' and one '.',
  // the '.' before the 'e', signs only first or right after the 'e', 1 to 12
  // mantissa digits, an exponent that ends in a digit and has at most 4.
  const bool bad = (len >= 16) | (_blsr_u32(e) != 0) | (_blsr_u32(dot) != 0) |
                   ((dot & ~mant) != 0) | ((sign & ~(1u | e << 1)) != 0) | (n_digits - 1 > 11) |
                   ((e != 0) & !((dig << 1 >> len) & 1)) | (len - mend > 5);
  if (bad) return nullptr;
  // Shuffle indices: lane i < 12 takes byte mend - 12 + i, one further left
  // where that is at or left of the point; lane 12 + j takes byte len - 4 + j,
  // kept only for the exponent's nx digits. Non-digits are zeroed first.
  const uint32_t nx = _mm_popcnt_u32(xdig);
  const __mmask16 lanes = __mmask16(0x0FFF | ((0xFFFF0000u >> nx) & 0xF000));
  __m128i idx = _mm_add_epi8(
      _mm_mask_set1_epi8(_mm_set1_epi8(char(mend)), 0xF000, char(len)),
      _mm_setr_epi8(-12, -11, -10, -9, -8, -7, -6, -5, -4, -3, -2, -1, -4, -3, -2, -1));
  const uint32_t left_of_dot = _bzhi_u32(~0u, _tzcnt_u32(dot) + 13 - mend) & -uint32_t(dot != 0);
  idx = _mm_mask_sub_epi8(idx, __mmask16(left_of_dot), idx, _mm_set1_epi8(1));
  __m128i t = _mm_maskz_shuffle_epi8(lanes, _mm_maskz_mov_epi8(kdig, d), idx);
  t = _mm_maddubs_epi16(t, _mm_set1_epi16(0x010A));
  t = _mm_madd_epi16(t, _mm_set1_epi32(0x00010064));
  const int x = _mm_extract_epi32(t, 3);
  t = _mm_madd_epi16(_mm_packus_epi32(t, t), _mm_setr_epi16(10000, 1, 1, 0, 0, 0, 0, 0));
  const uint64_t m8 = uint64_t(_mm_cvtsi128_si64(t));
  const bool xneg = (minus >> (mend + 1)) & 1;
  const int n_frac = int(_mm_popcnt_u32(mdig & -(dot << 1)));
  const int e10 = (xneg ? -x : x) - n_frac;
  if ((e10 < -37) | (int(n_digits) + e10 > 38)) return nullptr;
  const uint64_t m = (m8 & 0xFFFFFFFF) * 10000 + (m8 >> 32);
  if (!to_normal_float(m, e10, minus & 1, out)) return nullptr;
  return p + len;
}

// Four fields at once, one per 128-bit lane of a 512-bit register, for the
// common case: each field is a number of at most 15 characters with at most
// 2 exponent digits, and its separator (found beforehand, from a bit mask of
// the separators) is the expected one: '\n' where bit k of `line_end` says
// field k ends its line, the delimiter elsewhere. The shape checks work on
// the four fields' 16-bit masks side by side in one 64-bit word (per-lane
// subtractions cannot borrow across lanes: bit 15 of every lane is free or
// its lane is nonzero). The digits are converted left-aligned: with the
// point squeezed out and the exponent masked off, a lane read as a 16-digit
// integer is m * 10^(16 - mend), exact in a double because
// m * 5^(16 - mend) < 2^mend * 5^16 < 2^53 for mend <= 15; the exponent
// digits are summed with weights 10 and 1. Returns false, writing nothing,
// where any field does not fit; parse_float_avx512 then takes them one by
// one. Reads 16 bytes at each field start.
[[gnu::always_inline]] inline bool parse_four(const char* p, const char* const sep[4],
                                              uint32_t line_end, char delim, float* dst) {
  constexpr uint64_t kL = 0x0001000100010001ull;  // bit 0 of every lane
  constexpr uint64_t kH = 0x8000800080008000ull;  // bit 15 of every lane
  const char* const start[4] = {p, sep[0] + 1, sep[1] + 1, sep[2] + 1};
  uint64_t too_long = 0;
  uint32_t ends = 0;
  for (int k = 0; k < 4; ++k) {
    too_long |= uint64_t(sep[k] - start[k]);
    ends |= uint32_t(*sep[k] == '\n') << k;
  }
  if ((too_long > 15) | (ends != line_end)) return false;
  const __m512i z = _mm512_inserti32x4(
      _mm512_inserti32x4(
          _mm512_inserti32x4(
              _mm512_castsi128_si512(_mm_loadu_si128(reinterpret_cast<const __m128i*>(start[0]))),
              _mm_loadu_si128(reinterpret_cast<const __m128i*>(start[1])), 1),
          _mm_loadu_si128(reinterpret_cast<const __m128i*>(start[2])), 2),
      _mm_loadu_si128(reinterpret_cast<const __m128i*>(start[3])), 3);
  const __m512i d = _mm512_sub_epi8(z, _mm512_set1_epi8('0'));
  const uint64_t dig = _mm512_cmplt_epu8_mask(d, _mm512_set1_epi8(10));
  const uint64_t seps = _mm512_cmpeq_epi8_mask(z, _mm512_set1_epi8(delim)) |
                        _mm512_cmpeq_epi8_mask(z, _mm512_set1_epi8('\n'));
  const uint64_t dot_any = _mm512_cmpeq_epi8_mask(z, _mm512_set1_epi8('.'));
  const uint64_t e_any =
      _mm512_cmpeq_epi8_mask(_mm512_or_si512(z, _mm512_set1_epi8(0x20)), _mm512_set1_epi8('e'));
  const uint64_t minus_any = _mm512_cmpeq_epi8_mask(z, _mm512_set1_epi8('-'));
  const uint64_t plus_any = _mm512_cmpeq_epi8_mask(z, _mm512_set1_epi8('+'));
  // Every lane holds its separator (lengths <= 15), so seps - kL borrows
  // within lanes: field = the bits below each lane's separator.
  const uint64_t field = ~seps & (seps - kL);
  const uint64_t e = e_any & field;
  const uint64_t dot = dot_any & field;
  const uint64_t minus = minus_any & field;
  const uint64_t sign = (minus_any | plus_any) & field;
  const uint64_t below_e = (e | kH) - kL;      // per lane: bits below the 'e', all if none
  const uint64_t below_dot = (dot | kH) - kL;  // likewise; bit 15 set where a '.' is
  const uint64_t mant = below_e & field;
  const uint64_t mdig = dig & mant;
  const uint64_t xdig = dig & field & ~(mant | e);
  const uint64_t top = field & ~(field >> 1);  // each field's last character
  const uint64_t bad = (field & ~(dig | dot_any | e_any | minus_any | plus_any)) | (e & below_e) |
                       (dot & below_dot) | (dot & ~mant) | (sign & ~(kL | e << 1)) |
                       (~((mdig | kH) - kL) & kH) | (top & (e | (e << 1 & ~dig))) |
                       (xdig & (xdig >> 1) & (xdig >> 2));
  if (bad) return false;

  // Mantissa: digits only, then bytes at or left of the point from one
  // byte further left (the point squeezed out, a 0 shifted in at byte 0).
  const uint64_t has_dot = ((below_dot & kH) >> 15) * 0x7FFF;
  const uint64_t shift = dot | (below_dot & has_dot);
  const __m512i md = _mm512_maskz_mov_epi8(mdig, d);
  __m512i t = _mm512_mask_blend_epi8(shift, md, _mm512_bslli_epi128(md, 1));
  t = _mm512_maddubs_epi16(t, _mm512_set1_epi16(0x010A));   // 2 digits per u16
  t = _mm512_madd_epi16(t, _mm512_set1_epi32(0x00010064));  // 4 per u32
  t = _mm512_packus_epi32(t, t);                            // 4 per u16
  t = _mm512_madd_epi16(t, _mm512_set1_epi32(0x00012710));  // 8 per u32: hi, lo
  t = _mm512_add_epi64(_mm512_mul_epu32(t, _mm512_set1_epi64(100000000)),
                       _mm512_srli_epi64(t, 32));  // 16 per u64 (qwords 0 and 1 alike)
  // Exponent: its last digit plus 10 times the one before.
  const uint64_t ones = xdig & top;
  const __m512i tens = _mm512_maskz_mov_epi8(xdig & ~ones, d);
  __m512i x = _mm512_sad_epu8(  // (digits <= 9: the 16-bit shift keeps bytes apart)
      _mm512_add_epi8(_mm512_maskz_mov_epi8(ones, d),
                      _mm512_add_epi8(_mm512_slli_epi16(tens, 3), _mm512_add_epi8(tens, tens))),
      _mm512_setzero_si512());
  x = _mm512_add_epi64(x, _mm512_shuffle_epi32(x, _MM_PERM_BADC));  // both qwords: the sum
  // One value per lane: qword 0 of each lane, as 4 doubles and 4 ints.
  const __m512i lane0 = _mm512_setr_epi64(0, 2, 4, 6, 0, 2, 4, 6);
  const __m256d m = _mm256_cvtepu64_pd(_mm512_castsi512_si256(_mm512_permutexvar_epi64(lane0, t)));
  __m128i x4 = _mm256_castsi256_si128(_mm512_cvtepi64_epi32(_mm512_permutexvar_epi64(lane0, x)));
  // The decimal exponent of the left-aligned digits: +-x - 16 + (the
  // characters before the exponent's digits that count: up to and with the
  // point, else up to the 'e'), the latter the bit length of a run of ones.
  const uint64_t int_part = ((((dot << 1) | kH) - kL) & has_dot) | (mant & ~has_dot);
  const __m128i ilen = _mm_sub_epi32(
      _mm_set1_epi32(32),
      _mm_lzcnt_epi32(_mm_cvtepu16_epi32(_mm_cvtsi64_si128(int64_t(int_part & ~kH)))));
  const __mmask8 xneg = __mmask8(_pext_u64(((minus & e << 1) | kH) - kL, kH));
  x4 = _mm_mask_sub_epi32(x4, xneg, _mm_setzero_si128(), x4);
  const __m128i e10 = _mm_add_epi32(_mm_sub_epi32(x4, _mm_set1_epi32(16)), ilen);
  if (_mm_cmpgt_epu32_mask(_mm_sub_epi32(e10, _mm_set1_epi32(kPow10Min)),
                           _mm_set1_epi32(-2 * kPow10Min)))
    return false;
  const __m256d v = _mm256_mul_pd(m, _mm256_i32gather_pd(kPow10Approx - kPow10Min, e10, 8));
  // As to_normal_float: 0 or a normal float, and not within 4 double ulps of
  // a midpoint between two floats.
  const __m256i bits = _mm256_castpd_si256(v);
  const __m256d mag = _mm256_andnot_pd(_mm256_set1_pd(-0.0), v);
  const __mmask8 risky =
      _mm256_cmple_epu64_mask(
          _mm256_and_si256(_mm256_sub_epi64(_mm256_and_si256(bits, _mm256_set1_epi64x(0x1FFFFFFF)),
                                            _mm256_set1_epi64x((1 << 28) - 4)),
                           _mm256_set1_epi64x(0x1FFFFFFF)),
          _mm256_set1_epi64x(8)) |
      (_mm256_cmp_pd_mask(mag, _mm256_set1_pd(0x1p-126), _CMP_LT_OQ) &
       _mm256_cmp_pd_mask(mag, _mm256_setzero_pd(), _CMP_NEQ_OQ)) |
      _mm256_cmp_pd_mask(mag, _mm256_set1_pd(0x1.fffffep127), _CMP_GT_OQ);
  if (risky) return false;
  const __mmask8 negative = __mmask8(_pext_u64(minus, kL));
  __m128 f = _mm256_cvtpd_ps(v);
  f = _mm_mask_xor_ps(f, negative, f, _mm_set1_ps(-0.0f));
  _mm_storeu_ps(dst, f);
  return true;
}

// Bit i set where b[i] is the delimiter or '\n'. Reads 64 bytes.
inline uint64_t separators(const char* b, __m512i delim) {
  const __m512i x = _mm512_loadu_si512(b);
  return _mm512_cmpeq_epi8_mask(x, delim) | _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8('\n'));
}

// As swar::parse_chunk (a loop of its own, for the field parsers to inline:
// GCC does not inline across targets), with two inline paths: four fields at
// a time (parse_four) while they fit, their separators taken from a bit mask
// of 64-byte blocks (one tzcnt and one blsr each, so no field waits for the
// one before it to be parsed); else one field at a time with
// parse_float_avx512 to the end of the line, then four at a time again.
bool parse_chunk(const char* p, const char* end, int64_t row0, int64_t rows, int64_t cols,
                 char delim, int64_t first_line, float* out, ParseError& err, int64_t& parsed) {
  const Chunk chunk{end, row0, rows, cols, delim, first_line, out};
  const __m512i vdelim = _mm512_set1_epi8(delim);
  int64_t r = 0, c = 0;
  for (;;) {
    if (c != 0 || row0 + r < rows) {
      float* dst = out + (row0 + r) * cols + c;
      for (;;) {
        // Blocks are read while 128 bytes are left from their start, so a
        // field (16 bytes read from its start, before its separator) and the
        // block stay inside the text.
        if (c == 0 && end - p >= 128) {
          const char* base = p;
          uint64_t seps = separators(base, vdelim);
          while ((rows - row0 - r) * cols - c >= 4) {
            const char* sep[4];
            int k = 0;
            for (; k < 4; ++k) {
              while (seps == 0 && end - base >= 128 + 64) {
                base += 64;
                seps = separators(base, vdelim);
              }
              if (seps == 0) break;
              sep[k] = base + _tzcnt_u64(seps);
              seps = _blsr_u64(seps);
            }
            uint32_t line_end = 0;
            for (int64_t j = cols - 1 - c; j < 4; j += cols) line_end |= 1u << j;
            if (k < 4 || !parse_four(p, sep, line_end, delim, dst)) break;
            dst += 4;
            p = sep[3] + 1;
            for (c += 4; c >= cols; c -= cols) ++r;
          }
        }
        // One field at a time, to the end of the line.
        if (c == 0 && row0 + r >= rows) break;
        if (end - p <= 48) break;
        float v;
        const char* q = parse_float_avx512(p, v);
        if (!q || !(q = skip_separator(q, c + 1 == cols, delim))) break;
        *dst++ = v;
        p = q;
        if (++c == cols) {
          c = 0;
          ++r;
        }
      }
    }
    const Step s = parse_field_slow(chunk, p, r, c, err);
    if (s != Step::kNext) {
      parsed = r;
      return s == Step::kDone;
    }
  }
}

// The '\n' bytes in [b, e), 64 at a time.
int64_t count_newlines(const char* b, const char* e) {
  const __m512i newline = _mm512_set1_epi8('\n');
  int64_t n = 0;
  for (; e - b >= 64; b += 64)
    n += _mm_popcnt_u64(_mm512_cmpeq_epi8_mask(_mm512_loadu_si512(b), newline));
  for (; b < e; ++b) n += *b == '\n';
  return n;
}

}  // namespace avx512
#pragma GCC diagnostic pop
#pragma GCC pop_options

bool have_avx512() {
  static const bool yes = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                          __builtin_cpu_supports("avx512vl") &&
                          __builtin_cpu_supports("avx512dq") &&
                          __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("bmi2") &&
                          __builtin_cpu_supports("popcnt");
  return yes;
}
#endif

// Lines in [b, e): newlines, plus an unterminated last line.
int64_t count_lines(const char* b, const char* e, bool simd) {
  int64_t newlines = 0;
#ifdef WORTHIT_CSV_AVX512
  if (simd && have_avx512())
    newlines = avx512::count_newlines(b, e);
  else
#endif
    newlines = count_newlines_swar(b, e);
  (void)simd;
  return newlines + (e > b && e[-1] != '\n' ? 1 : 0);
}

using ChunkParser = bool (*)(const char*, const char*, int64_t, int64_t, int64_t, char, int64_t,
                             float*, ParseError&, int64_t&);

ChunkParser chunk_parser(const ParseOptions& options) {
#ifdef WORTHIT_CSV_AVX512
  if (options.simd && have_avx512()) return avx512::parse_chunk;
#endif
  (void)options;
  return swar::parse_chunk;
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
    s.rows = count_lines(body, e, options.simd);
    if (body < e) {
      probe_b = body;
      probe_e = std::find(body, e, '\n');
    }
  } else {
    s.rows = count_lines(b, e, options.simd);
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
  const ChunkParser parse_rows = chunk_parser(options);

#pragma omp parallel num_threads(threads)
  {
    // Every chunk but the last counts its lines, so each knows its first
    // output row; the last chunk just parses to the end (one thread: no
    // counting pass at all).
    const int t = omp_get_thread_num();
    const size_t ts = size_t(t);
    if (t + 1 < threads) lines[ts] = count_lines(start[ts], start[ts + 1], options.simd);
#pragma omp barrier
#pragma omp single
    for (size_t i = 0; i + 1 < size_t(threads); ++i) row0[i + 1] = row0[i] + lines[i];
    // (the single's implicit barrier publishes row0)
    failed[ts] = !parse_rows(start[ts], start[ts + 1], row0[ts], rows, cols, options.delimiter,
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

const char* field_parser_name(const ParseOptions& options) {
  return chunk_parser(options) == swar::parse_chunk ? "swar" : "avx512";
}

}  // namespace worthit::kernels::csv
