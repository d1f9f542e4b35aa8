// A strict numeric CSV parser: text in memory -> row-major float32 matrix.
// Numbers take inline fast paths (AVX-512 where the CPU has it, else SWAR)
// that give the correctly rounded float or leave the number to fast_float
// (correctly rounded, locale-free); threads parse chunks of the text split
// at line boundaries. Malformed input (ragged rows, bad numbers, empty
// fields, an empty file, a row count that does not match) is reported with
// the line and column; it never crashes and never writes outside the output.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace worthit::kernels::csv {

struct ParseOptions {
  bool header = true;  // the first line holds column names and is skipped
  char delimiter = ',';
  int threads = 1;
  // Use the AVX-512 field parsers where the CPU has AVX-512 F/BW/VL/DQ/CD;
  // false forces the portable SWAR path that other CPUs run (tests use it).
  bool simd = true;
};

// Where and why parsing stopped. Line is the 1-based line of the file (the
// header is line 1), column the 1-based field; 0 when not applicable.
struct ParseError {
  int64_t line = 0;
  int64_t column = 0;
  std::string message;

  std::string what() const;  // "line 12, column 3: cannot parse 'x1' as a number"
};

struct ParseResult {
  bool ok = true;
  int64_t rows = 0;  // data rows parsed (== the expected count when ok)
  ParseError error;  // the earliest error in the file when !ok
};

// The shape of a CSV text: columns counted on the first data line (the
// header when there is no data), rows counted by line ends after the header.
// Cheap: one newline count. Does not validate the fields.
struct Shape {
  int64_t rows = 0;
  int64_t cols = 0;
};
Shape scan_shape(std::string_view text, const ParseOptions& options);

// Parses exactly `rows` data rows of `cols` fields each into `out`
// (rows * cols floats, row-major). A '\r' before '\n' and a missing final
// newline are accepted; a leading '+' is accepted; anything else that is not
// a number where one is expected is an error.
ParseResult parse_csv(std::string_view text, std::span<float> out, int64_t rows, int64_t cols,
                      const ParseOptions& options);

// The field parser parse_csv uses with these options on this CPU: "avx512" or
// "swar".
const char* field_parser_name(const ParseOptions& options);

}  // namespace worthit::kernels::csv
