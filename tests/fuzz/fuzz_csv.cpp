// The CSV parser on arbitrary text: the portable (SWAR) path and the
// AVX-512 path (where this build and CPU have it) must agree on every value's
// bits and on every error, and every value they accept must be strtof's
// reading of its field. The first byte picks the options.
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "csv/csv_parser.h"
#include "fuzz_support.h"

namespace csv = worthit::kernels::csv;
using worthit::fuzz::expect;
using worthit::fuzz::fail;

namespace {

// The fields of the data rows, split the way the format defines them: lines
// end at '\n' (a '\r' before it is dropped), the last one may lack it.
std::vector<std::string_view> fields_of(std::string_view text, const csv::ParseOptions& o) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  bool header = o.header;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = end + 1;
    if (header) {
      header = false;
      continue;
    }
    for (size_t start = 0;;) {
      const size_t d = line.find(o.delimiter, start);
      out.push_back(
          line.substr(start, d == std::string_view::npos ? std::string_view::npos : d - start));
      if (d == std::string_view::npos) break;
      start = d + 1;
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  csv::ParseOptions o;
  o.header = data[0] & 1;
  o.delimiter = (data[0] & 2) ? ';' : ',';
  o.threads = 1 + ((data[0] >> 2) & 3);
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);

  const csv::Shape shape = csv::scan_shape(text, o);
  if (shape.rows < 0 || shape.cols < 0 || shape.rows * shape.cols > (1 << 20)) return 0;
  // A row count off by one must be reported, not overrun: try the shape and
  // one row more.
  for (int64_t rows : {shape.rows, shape.rows + 1}) {
    const size_t n = size_t(rows * shape.cols);
    std::vector<float> swar(n + 1, -7.0f), simd(n + 1, -7.0f);
    o.simd = false;
    const auto a = csv::parse_csv(text, std::span<float>(swar.data(), n), rows, shape.cols, o);
    o.simd = true;
    const auto b = csv::parse_csv(text, std::span<float>(simd.data(), n), rows, shape.cols, o);
    expect(swar[n] == -7.0f && simd[n] == -7.0f, "wrote past the output");
    expect(a.ok == b.ok, "the paths disagree on accepting",
           a.error.what() + " | " + b.error.what());
    if (!a.ok) {
      expect(a.error.what() == b.error.what(), "the paths disagree on the error",
             a.error.what() + " | " + b.error.what());
      continue;
    }
    expect(std::memcmp(swar.data(), simd.data(), n * sizeof(float)) == 0,
           "the paths disagree on a value");
    const auto fields = fields_of(text, o);
    expect(fields.size() == n, "accepted a table whose fields do not match its shape",
           std::to_string(fields.size()) + " fields for " + std::to_string(n));
    for (size_t i = 0; i < n; ++i) {
      const std::string field(fields[i]);
      char* end = nullptr;
      const float expected = std::strtof(field.c_str(), &end);
      expect(end == field.c_str() + field.size(), "accepted what strtof does not", field);
      if (std::bit_cast<uint32_t>(expected) != std::bit_cast<uint32_t>(swar[i]))
        fail("a value differs from strtof", "'" + field + "' -> " + std::to_string(swar[i]) +
                                                ", strtof " + std::to_string(expected));
    }
  }
  return 0;
}
