#include "csv/csv_workload.h"

#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "src/random_inputs.h"

namespace worthit::kernels {

namespace {

// One value's shape, drawn from two generator outputs: `f` picks the form and
// the digit counts, `d` supplies the digits. Drawing a fixed number of values
// per token keeps the length pass and the write pass in step.
struct Token {
  uint64_t f = 0;
  uint64_t d = 0;

  bool negative() const { return f & 1; }
  int kind() const { return int((f >> 1) & 3); }
  int int_digits() const { return int((f >> 3) % 3) + 1; }       // decimals: 1..3
  int frac_digits() const { return int((f >> 8) % 6) + 1; }      // decimals, scientific: 1..6
  int integer_digits() const { return int((f >> 16) % 6) + 1; }  // integers: 1..6
  int zeros() const { return int((f >> 24) % 4); }               // small: 0..3 zeros
  int small_digits() const { return int((f >> 28) % 4) + 1; }    // small: 1..4 digits
  int exponent() const { return int((f >> 32) % 21); }           // scientific: 0..20
  bool exponent_negative() const { return (f >> 40) & 1; }
  bool upper_e() const { return (f >> 41) & 1; }

  int length() const {
    const int sign = negative() ? 1 : 0;
    switch (kind()) {
      case 0:
        return sign + int_digits() + 1 + frac_digits();
      case 1:
        return sign + 2 + frac_digits() + 4;  // d.ddd e+XX
      case 2:
        return sign + integer_digits();
      default:
        return sign + 2 + zeros() + small_digits();
    }
  }

  // Writes length() characters at p.
  void write(char* p) const {
    uint64_t digits = d;
    auto digit = [&] {
      const char c = char('0' + digits % 10);
      digits /= 10;
      return c;
    };
    auto lead = [&] {  // a nonzero first digit, so integers have no leading zeros
      const char c = char('1' + digits % 9);
      digits /= 9;
      return c;
    };
    if (negative()) *p++ = '-';
    switch (kind()) {
      case 0: {
        const int a = int_digits();
        *p++ = a > 1 ? lead() : digit();
        for (int i = 1; i < a; ++i) *p++ = digit();
        *p++ = '.';
        for (int i = 0; i < frac_digits(); ++i) *p++ = digit();
        break;
      }
      case 1: {
        *p++ = lead();
        *p++ = '.';
        for (int i = 0; i < frac_digits(); ++i) *p++ = digit();
        *p++ = upper_e() ? 'E' : 'e';
        *p++ = exponent_negative() ? '-' : '+';
        *p++ = char('0' + exponent() / 10);
        *p++ = char('0' + exponent() % 10);
        break;
      }
      case 2: {
        const int a = integer_digits();
        *p++ = a > 1 ? lead() : digit();
        for (int i = 1; i < a; ++i) *p++ = digit();
        break;
      }
      default: {
        *p++ = '0';
        *p++ = '.';
        for (int i = 0; i < zeros(); ++i) *p++ = '0';
        for (int i = 0; i < small_digits(); ++i) *p++ = digit();
        break;
      }
    }
  }
};

// Each row has its own generator, so rows are generated in parallel and any
// row can be regenerated alone.
SplitMix64 row_generator(uint64_t seed, int64_t row) {
  SplitMix64 mix(seed * 0xD1B54A32D192ED03ull + uint64_t(row));
  return SplitMix64(mix.next());
}

std::string header_line(int64_t cols) {
  std::string h;
  for (int64_t c = 0; c < cols; ++c) h += (c ? ",c" : "c") + std::to_string(c);
  return h + "\n";
}

int64_t row_length(uint64_t seed, int64_t row, int64_t cols) {
  SplitMix64 g = row_generator(seed, row);
  int64_t n = cols;  // cols - 1 commas and the newline
  for (int64_t c = 0; c < cols; ++c) {
    Token t{g.next(), g.next()};
    n += t.length();
  }
  return n;
}

void write_row(uint64_t seed, int64_t row, int64_t cols, char* p) {
  SplitMix64 g = row_generator(seed, row);
  for (int64_t c = 0; c < cols; ++c) {
    Token t{g.next(), g.next()};
    t.write(p);
    p += t.length();
    *p++ = c + 1 < cols ? ',' : '\n';
  }
}

// Writes the CSV for (rows, cols, seed) into a buffer from `alloc(bytes)`.
template <class Alloc>
void generate(int64_t rows, int64_t cols, uint64_t seed, Alloc alloc) {
  const std::string header = header_line(cols);
  std::vector<int64_t> offset(size_t(rows) + 1, 0);
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) offset[size_t(r) + 1] = row_length(seed, r, cols);
  offset[0] = int64_t(header.size());
  for (int64_t r = 0; r < rows; ++r) offset[size_t(r) + 1] += offset[size_t(r)];
  char* out = alloc(offset[size_t(rows)]);
  std::memcpy(out, header.data(), header.size());
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) write_row(seed, r, cols, out + offset[size_t(r)]);
}

Size csv_size(const CsvParseWorkload& w, int64_t rows, int64_t cols) {
  return w.make_size({{"rows", rows}, {"cols", cols}});
}

// 16 columns make a row of 126 bytes on average: 8320 rows are 1 MiB.
constexpr int64_t kCols = 16;
constexpr int64_t kRowsPerMiB = 8320;

}  // namespace

std::string CsvParseWorkload::description() const {
  return "numeric CSV text (header, negatives, exponents) -> float32 matrix; parsed from memory";
}

std::vector<Size> CsvParseWorkload::sizes() const {
  std::vector<Size> s = {csv_size(*this, kRowsPerMiB, kCols),
                         csv_size(*this, 10 * kRowsPerMiB, kCols),
                         csv_size(*this, 100 * kRowsPerMiB, kCols)};
  if (const char* large = std::getenv("WORTHIT_CSV_LARGE"); large && std::strcmp(large, "1") == 0)
    s.push_back(csv_size(*this, 1000 * kRowsPerMiB, kCols));
  return s;
}

std::vector<Size> CsvParseWorkload::quick_sizes() const {
  return {csv_size(*this, kRowsPerMiB, kCols)};
}

Size CsvParseWorkload::make_size(const std::map<std::string, int64_t>& params) const {
  Size s = Workload::make_size(params);
  check_range(name(), "cols", s.at("cols"), 1, 4096);
  check_range(name(), "rows", s.at("rows"), 1, int64_t{1} << 31);
  if (csv_expected_bytes(s.at("rows"), s.at("cols")) > double(int64_t{16} << 30))
    throw std::invalid_argument("workload 'csv_parse': " + s.label +
                                " would be over 16 GiB of text");
  return s;
}

double csv_expected_bytes(int64_t rows, int64_t cols) {
  // Mean token length: a sign half the time (0.5) plus the mean of the four
  // forms (6.5, 9.5, 3.5, 6) = 6.875; one separator per value.
  return double(header_line(cols).size()) + double(rows) * double(cols) * 7.875;
}

std::string make_csv_text(int64_t rows, int64_t cols, uint64_t seed) {
  std::string text;
  generate(rows, cols, seed, [&](int64_t bytes) {
    text.resize(size_t(bytes));
    return text.data();
  });
  return text;
}

Buffers CsvParseWorkload::make_inputs(const Size& size, uint64_t seed) const {
  Buffers in;
  generate(size.at("rows"), size.at("cols"), seed, [&](int64_t bytes) {
    in.emplace_back("csv", DType::u8, std::vector<int64_t>{bytes});
    return reinterpret_cast<char*>(in.back().as<uint8_t>());
  });
  return in;
}

Buffers CsvParseWorkload::make_outputs(const Size& size) const {
  Buffers out;
  out.emplace_back("values", DType::f32, std::vector<int64_t>{size.at("rows"), size.at("cols")});
  return out;
}

// A deliberately plain parser, independent of the candidates: line starts
// first, then strtof per field (glibc's strtof is correctly rounded, and the
// "C" numeric locale is the default of every process that does not change it).
void CsvParseWorkload::reference(const Buffers& inputs, Buffers& outputs) const {
  const char* text = reinterpret_cast<const char*>(inputs[0].as<uint8_t>());
  const int64_t n = inputs[0].numel();
  const int64_t rows = outputs[0].shape()[0];
  const int64_t cols = outputs[0].shape()[1];
  if (n == 0 || text[n - 1] != '\n')
    throw std::runtime_error("csv_parse reference: text must end with a newline");
  std::vector<int64_t> line_start;
  line_start.reserve(size_t(rows) + 1);
  for (int64_t i = 0; i < n; ++i)
    if (text[i] == '\n' && i + 1 < n) line_start.push_back(i + 1);
  if (int64_t(line_start.size()) != rows)
    throw std::runtime_error("csv_parse reference: " + std::to_string(line_start.size()) +
                             " data rows, expected " + std::to_string(rows));
  float* out = outputs[0].as<float>();
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    const char* p = text + line_start[size_t(r)];
    for (int64_t c = 0; c < cols; ++c) {
      char* end = nullptr;
      out[r * cols + c] = std::strtof(p, &end);
      p = end + 1;  // skip the ',' or '\n'
    }
  }
}

// Every parser that rounds the decimal text once to float32 is exact. One
// that goes through double (Python's float(), pandas) can round twice: at
// most one float32 ulp (2^-23 relative) away.
Tolerance CsvParseWorkload::tolerance(DType dtype) const {
  if (dtype == DType::f32) return {1e-37, 2.5e-7};
  return Workload::tolerance(dtype);
}

double CsvParseWorkload::bytes_moved(const Size& size) const {
  return csv_expected_bytes(size.at("rows"), size.at("cols")) +
         4.0 * double(size.at("rows") * size.at("cols"));
}

// Parsing does integer and branch work, not floating-point arithmetic.
double CsvParseWorkload::flops(const Size&) const { return 0; }

}  // namespace worthit::kernels
