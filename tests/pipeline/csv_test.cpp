#include <gtest/gtest.h>

#include <bit>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "csv/csv_workload.h"
#include "gate_support.h"
#ifdef WORTHIT_HAVE_FAST_FLOAT
#include "csv/csv_parser.h"
#endif

namespace worthit {
namespace {

TEST(CsvWorkload, TextIsSeededAndHasEveryValueShape) {
  const std::string a = kernels::make_csv_text(200, 7, 5);
  EXPECT_EQ(a, kernels::make_csv_text(200, 7, 5));
  EXPECT_NE(a, kernels::make_csv_text(200, 7, 6));
  EXPECT_TRUE(a.starts_with("c0,c1,c2,c3,c4,c5,c6\n"));
  EXPECT_EQ(a.back(), '\n');
  EXPECT_NE(a.find('-'), std::string::npos);
  EXPECT_NE(a.find("e-"), std::string::npos);
  EXPECT_NE(a.find("E+"), std::string::npos);
  EXPECT_NE(a.find("0.00"), std::string::npos);
}

TEST(CsvWorkload, ExpectedBytesMatchTheText) {
  const std::string t = kernels::make_csv_text(8320, 16, 42);
  const double expected = kernels::csv_expected_bytes(8320, 16);
  EXPECT_NEAR(double(t.size()) / expected, 1.0, 0.005) << t.size() << " vs " << expected;
  EXPECT_NEAR(double(t.size()), 1 << 20, 0.02 * (1 << 20));  // the 1 MiB size is about 1 MiB
}

TEST(CsvWorkload, InputBufferMatchesTheText) {
  kernels::CsvParseWorkload w;
  const Size s = w.make_size({{"rows", 300}, {"cols", 5}});
  const Buffers in = w.make_inputs(s, 9);
  const std::string t = kernels::make_csv_text(300, 5, 9);
  ASSERT_EQ(size_t(in[0].numel()), t.size());
  EXPECT_EQ(0, std::memcmp(in[0].data(), t.data(), t.size()));
}

#ifdef WORTHIT_HAVE_FAST_FLOAT

namespace csv = kernels::csv;

TEST(CsvFastFloat, PassesTheGateAtSeveralShapesAndThreadCounts) {
  for (int threads : {1, 2, 5})
    for (const auto& p :
         std::vector<std::map<std::string, int64_t>>{{{"rows", 1}, {"cols", 1}},
                                                     {{"rows", 3}, {"cols", 40}},
                                                     {{"rows", 5000}, {"cols", 16}}}) {
      const Correctness c = test::gate("csv_parse", "cpp-fast-float", p, threads);
      EXPECT_TRUE(c.passed) << threads << " threads, rows=" << p.at("rows") << ": " << c.detail;
      // Exactly rounded once: no error at all against strtof.
      EXPECT_EQ(c.max_abs_error, 0.0);
    }
}

struct Parsed {
  csv::ParseResult result;
  std::vector<float> values;
};

// simd = false forces the portable (SWAR) field parser that CPUs without
// AVX-512 run; both paths must give the same bits and the same errors.
Parsed parse(const std::string& text, int64_t rows, int64_t cols, int threads = 1,
             bool simd = true) {
  Parsed p;
  p.values.assign(size_t(rows * cols), -1.0f);
  csv::ParseOptions o;
  o.threads = threads;
  o.simd = simd;
  p.result = csv::parse_csv(text, p.values, rows, cols, o);
  return p;
}

TEST(CsvParser, AcceptsCrLfPlusSignsAndAMissingFinalNewline) {
  const Parsed p = parse("a,b\r\n+1.5,-2e3\r\n3,4.25E-1", 2, 2);
  ASSERT_TRUE(p.result.ok) << p.result.error.what();
  EXPECT_EQ(p.values, (std::vector<float>{1.5f, -2000.0f, 3.0f, 0.425f}));
}

TEST(CsvParser, ShapeScan) {
  const auto s = csv::scan_shape("a,b,c\n1,2,3\n4,5,6\n", {});
  EXPECT_EQ(s.rows, 2);
  EXPECT_EQ(s.cols, 3);
  EXPECT_EQ(csv::scan_shape("", {}).rows, 0);
}

TEST(CsvParser, LineCountsAgreeOnBothPaths) {
  // Lines of 1 to 40 bytes over many of the SWAR counter's 2040-byte blocks
  // and the AVX-512 64-byte blocks, with and without a final newline.
  std::string text = "h\n";
  int64_t lines = 0;
  for (int i = 0; text.size() < 70000; ++i, ++lines)
    text += std::string(size_t(1 + (i * 7) % 40), '1') + "\n";
  for (const bool final_newline : {true, false}) {
    const std::string t = final_newline ? text : text + "2";
    for (const bool simd : {true, false}) {
      csv::ParseOptions o;
      o.simd = simd;
      EXPECT_EQ(csv::scan_shape(t, o).rows, lines + (final_newline ? 0 : 1))
          << "simd " << simd << ", final newline " << final_newline;
    }
  }
}

struct Malformed {
  const char* what;
  std::string text;
  int64_t rows, cols;
  int64_t line, column;
  const char* message_part;
};

TEST(CsvParser, MalformedInputReportsLineAndColumn) {
  const std::vector<Malformed> cases = {
      {"empty file", "", 1, 2, 1, 1, "empty input"},
      {"header only", "a,b\n", 1, 2, 2, 0, "expected 1 data rows, found 0"},
      {"short row", "a,b,c\n1,2,3\n4,5\n6,7,8\n", 3, 3, 3, 3, "expected 3 fields, found 2"},
      {"long row", "a,b\n1,2\n3,4,5\n", 2, 2, 3, 3, "found more"},
      {"bad number", "a,b\n1,2\n3,x7\n", 2, 2, 3, 2, "cannot parse 'x7'"},
      {"trailing junk", "a,b\n1,2.5.1\n", 1, 2, 2, 2, "cannot parse '2.5.1'"},
      {"junk in last field", "a,b\n1,2q\n", 1, 2, 2, 2, "cannot parse '2q'"},
      {"empty field", "a,b,c\n1,,3\n", 1, 3, 2, 2, "empty field"},
      {"blank line", "a,b\n1,2\n\n3,4\n", 3, 2, 3, 1, "empty line"},
      {"too many rows", "a\n1\n2\n3\n", 2, 1, 4, 0, "more data rows"},
      {"too few rows", "a\n1\n2\n", 5, 1, 4, 0, "expected 5 data rows, found 2"},
      {"lone minus", "a\n-\n", 1, 1, 2, 1, "cannot parse '-'"},
      {"trailing delimiter", "a,b\n1,2,\n", 1, 2, 2, 3, "found more"},
  };
  for (const auto& m : cases)
    for (int threads : {1, 4}) {
      const Parsed p = parse(m.text, m.rows, m.cols, threads, threads == 1);
      ASSERT_FALSE(p.result.ok) << m.what;
      EXPECT_EQ(p.result.error.line, m.line) << m.what << ": " << p.result.error.what();
      EXPECT_EQ(p.result.error.column, m.column) << m.what << ": " << p.result.error.what();
      EXPECT_NE(p.result.error.message.find(m.message_part), std::string::npos)
          << m.what << ": " << p.result.error.what();
    }
}

// Both field parsers against each other and against strtof: the same bits
// for every value, the same error (line, column, message) for every field
// they reject. Each value gets its own line and is followed by enough lines
// that the inline fast paths (which read ahead, up to 192 bytes for the
// AVX-512 separator blocks) take it.
void expect_paths_agree(const std::vector<std::string>& tokens, const std::string& eol = "\n",
                        bool check_strtof = true) {
  std::string text = "a" + eol;
  for (const std::string& t : tokens) text += t + eol;
  for (int i = 0; i < 128; ++i) text += "7" + eol;
  const int64_t rows = int64_t(tokens.size()) + 128;
  const Parsed simd = parse(text, rows, 1, 1, true);
  const Parsed swar = parse(text, rows, 1, 1, false);
  ASSERT_EQ(simd.result.ok, swar.result.ok)
      << simd.result.error.what() << " | " << swar.result.error.what();
  if (!simd.result.ok) {
    EXPECT_EQ(simd.result.error.what(), swar.result.error.what());
    return;
  }
  EXPECT_EQ(0, std::memcmp(simd.values.data(), swar.values.data(), simd.values.size() * 4));
  for (size_t i = 0; i < tokens.size() && check_strtof; ++i) {
    const float expected = std::strtof(tokens[i].c_str(), nullptr);
    EXPECT_EQ(std::bit_cast<uint32_t>(simd.values[i]), std::bit_cast<uint32_t>(expected))
        << "'" << tokens[i] << "' (avx512 path): " << simd.values[i] << " vs " << expected;
    EXPECT_EQ(std::bit_cast<uint32_t>(swar.values[i]), std::bit_cast<uint32_t>(expected))
        << "'" << tokens[i] << "' (portable path): " << swar.values[i] << " vs " << expected;
  }
}

TEST(CsvParser, FieldParsersAgreeOnEdgeCases) {
  EXPECT_NE(csv::field_parser_name({}), nullptr);
  csv::ParseOptions portable;
  portable.simd = false;
  EXPECT_STREQ(csv::field_parser_name(portable), "swar");
  const std::vector<std::string> ok = {
      // shapes: points at either end, signs, exponent letters and signs
      "1.", ".5", "-.5", "+1", "+.5e1", "-1.e5", "1e5", "1E5", "1e+5", "1e-5", "1E-05", "-1.5E+12",
      "2.5e+07", "-3.25e-07", "0", "-0", "0.0", "0e0", "-0.000731", "40213", "1e0001", "1e-0001",
      // lengths around the 16-byte loads: 14, 15 (the longest the AVX-512
      // paths take), 16 and 17 characters
      "-1.23456789e-1", "-1.23456789e-10", "-1.234567891e-10", "-12.34567891e-10",
      "123456789012345", "1234567890123456", "12345678901234567",
      // digit counts: 12 (the one-field AVX-512 parser's most), 13, long runs
      "123456789012", "1234567890123", "0.123456789012", "0.1234567890123", "12345678901234567890",
      "0.00000000000000000000000000123", "1234567.1234567", "12345678.12345678",
      // exponents: 3 to 5 digits (the four-field path takes 2 at most),
      // leading zeros, the float range's ends
      "1e00005", "1e-00005", "3.4028235e38", "3.4028234e38", "1.17549435e-38", "1.1754942e-38",
      "1e-38", "1e-37", "9.99e37", "1e38", "1e-45", "1.4e-45", "7e-46",
      // rounding midpoints between floats (ties to even) and their neighbours
      "16777217", "16777219", "16777217.0000001", "16777216.9999999", "33554434", "33554438",
      "0.500000029802322387695312", "1.00000005960464477539062", "1.0000000596046448",
      "1.0000000596046447", "8388609.5", "8388608.5", "4294967808", "4294967808.001",
      "4294967807.999"};
  expect_paths_agree(ok);
  expect_paths_agree(ok, "\r\n");
  for (const char* bad :
       {"1.5x",    "1e5e5",    "1-2",      "--1", "1..2", "e5",           ".e5",   ".",
        "1e",      "1e+",      "1e+-5",    "+",   "-",    "1.5.",         "1e5.",  "0x10",
        "inf",     "nan",      "1,5",      "1 ",  " 1",   "3.4028236e38", "1e39",  "1e400",
        "1e10001", "1e+10001", "1e-10001", "+-1", "++1",  "-+1",          "+-1e-5"}) {
    expect_paths_agree({"1.5", bad, "2"});
  }
}

// Random tokens over the number alphabet, short and long: both field parsers
// and strtof agree on every one they accept, and both reject the same ones
// with the same error.
TEST(CsvParser, FieldParsersAgreeOnRandomTokens) {
  std::mt19937_64 rng(7);
  const std::string alphabet = "0123456789012345678901234567890123456789.eE+-";
  std::vector<std::string> valid;
  for (int i = 0; i < 20000; ++i) {
    std::string t;
    const int n = 1 + int(rng() % 18);
    for (int k = 0; k < n; ++k) t += alphabet[rng() % alphabet.size()];
    char* endp = nullptr;
    std::strtof(t.c_str(), &endp);
    const bool is_number = *endp == '\0' && t.find_first_of("0123456789") < t.size() &&
                           t.find_first_of("xXnNiI") == std::string::npos;
    if (is_number)
      valid.push_back(t);
    else if (i % 40 == 0)
      expect_paths_agree({"1", t, "2"}, "\n", false);
  }
  ASSERT_GT(valid.size(), 500u);
  expect_paths_agree(valid);
  // Decimal numbers of 1 to 12 significant digits and exponents to +-40,
  // the AVX-512 path's whole range, near and away from midpoints.
  std::vector<std::string> decimals;
  for (int i = 0; i < 20000; ++i) {
    const int digits = 1 + int(rng() % 12);
    std::string t = (rng() & 1) ? "-" : "";
    for (int k = 0; k < digits; ++k) t += char('0' + rng() % 10);
    if (rng() & 1) t.insert(t.size() - rng() % (digits + 1), ".");
    if (rng() % 3 == 0) t += (rng() & 1 ? "e" : "E") + std::to_string(int(rng() % 81) - 40);
    decimals.push_back(t);
  }
  expect_paths_agree(decimals);
}

TEST(CsvParser, BothPathsParseTheWorkloadBitForBit) {
  const std::string text = kernels::make_csv_text(3000, 16, 11);
  const Parsed simd = parse(text, 3000, 16, 1, true);
  const Parsed swar = parse(text, 3000, 16, 2, false);
  ASSERT_TRUE(simd.result.ok) << simd.result.error.what();
  ASSERT_TRUE(swar.result.ok) << swar.result.error.what();
  EXPECT_EQ(0, std::memcmp(simd.values.data(), swar.values.data(), simd.values.size() * 4));
  // CRLF line ends and ';' as the delimiter take the same paths.
  std::string crlf;
  for (char ch : text) {
    if (ch == '\n') crlf += '\r';
    crlf += ch == ',' ? ';' : ch;
  }
  csv::ParseOptions o;
  o.delimiter = ';';
  for (bool simd_on : {true, false}) {
    o.simd = simd_on;
    std::vector<float> v(simd.values.size());
    const auto r = csv::parse_csv(crlf, v, 3000, 16, o);
    ASSERT_TRUE(r.ok) << r.error.what();
    EXPECT_EQ(0, std::memcmp(v.data(), simd.values.data(), v.size() * 4)) << simd_on;
  }
}

// The AVX-512 path parses four fields at a time where they fit (at most 15
// characters, 1 or 2 exponent digits, the expected separators) and one at a
// time otherwise. Mixed tables of every column count up to 17 (groups that
// span lines, row counts not a multiple of 4), with both line ends and two
// delimiters: both paths give strtof's bits, or the same error.
TEST(CsvParser, FieldParsersAgreeOnMixedTables) {
  std::mt19937_64 rng(3);
  std::vector<std::string> tokens;
  std::istringstream list(
      "0 -0 7 -12.0345 3.25e-07 -1.5E+12 40213 0.000731 +2.5 1. .5 -.5e1 1e5 1E-5 2e+05 "
      "9.99e+37 -1.23456789e-10 123456789012345 0.00000000123 1.5e-005 2.5e100 "
      "1234567890123456 16777217 1e-45 4.9e-324 12345678901234567890 1e0001 0.1234567890123");
  for (std::string t; list >> t;) tokens.push_back(t);
  const std::vector<std::string> junk = {"", "x", "1.5.2", "--1", "1e", "1e+", "1 ", "nan"};
  for (int64_t cols = 1; cols <= 17; ++cols)
    for (const char* eol : {"\n", "\r\n"})
      for (char delim : {',', ';'}) {
        const int64_t rows = 40 + int64_t(rng() % 9);
        std::string text = "h";
        for (int64_t c = 1; c < cols; ++c) text += std::string(1, delim) + "h";
        text += eol;
        std::vector<std::string> cells;
        std::vector<size_t> offset;
        for (int64_t i = 0; i < rows * cols; ++i) {
          cells.push_back(tokens[rng() % tokens.size()]);
          offset.push_back(text.size());
          text += cells.back() + ((i + 1) % cols ? std::string(1, delim) : std::string(eol));
        }
        csv::ParseOptions o;
        o.delimiter = delim;
        std::vector<float> a(size_t(rows * cols)), b(a.size());
        const auto ra = csv::parse_csv(text, a, rows, cols, o);
        o.simd = false;
        const auto rb = csv::parse_csv(text, b, rows, cols, o);
        ASSERT_TRUE(ra.ok) << cols << ": " << ra.error.what();
        ASSERT_TRUE(rb.ok) << cols << ": " << rb.error.what();
        for (size_t i = 0; i < cells.size(); ++i) {
          const float expected = std::strtof(cells[i].c_str(), nullptr);
          ASSERT_EQ(std::bit_cast<uint32_t>(a[i]), std::bit_cast<uint32_t>(expected))
              << "'" << cells[i] << "' at " << i << ", cols=" << cols;
          ASSERT_EQ(std::bit_cast<uint32_t>(b[i]), std::bit_cast<uint32_t>(expected))
              << "'" << cells[i] << "' at " << i << ", cols=" << cols;
        }
        // Parses a corrupted text on both paths; they must agree on the error.
        auto parse_both_ways = [&](const std::string& bad) {
          o.simd = true;
          const auto ea = csv::parse_csv(bad, a, rows, cols, o);
          o.simd = false;
          const auto eb = csv::parse_csv(bad, b, rows, cols, o);
          EXPECT_EQ(ea.ok, eb.ok) << ea.error.what() << " | " << eb.error.what();
          EXPECT_EQ(ea.error.what(), eb.error.what());
          return ea;
        };
        // One bad cell, anywhere: the same error from both paths.
        for (int k = 0; k < 3; ++k) {
          const int64_t at = int64_t(rng() % cells.size());
          std::string bad = text;
          bad.replace(offset[size_t(at)], cells[size_t(at)].size(), junk[rng() % junk.size()]);
          const auto ea = parse_both_ways(bad);
          if (!ea.ok) {
            EXPECT_EQ(ea.error.line, 2 + at / cols) << ea.error.what();
          }
        }
        // A separator swapped for the other kind, or dropped (short and long
        // rows): the same error from both paths.
        for (int k = 0; k < 3; ++k) {
          const size_t at = size_t(rng() % cells.size());
          const size_t pos = offset[at] + cells[at].size();
          std::string bad = text;
          if (k == 2)
            bad.erase(pos, 1);
          else
            bad[pos] = bad[pos] == delim ? '\n' : delim;
          parse_both_ways(bad);
        }
      }
}

// Errors in a large file are reported at their real line, the earliest one
// when several chunks fail, whatever the thread count.
TEST(CsvParser, ErrorsInLargeFilesAreReportedAtTheEarliestLine) {
  std::string text = kernels::make_csv_text(20000, 8, 3);
  auto line_start = [&](int64_t line) {  // 1-based file line
    size_t pos = 0;
    for (int64_t l = 1; l < line; ++l) pos = text.find('\n', pos) + 1;
    return pos;
  };
  text.insert(line_start(15001) + 0, "zz");      // line 15001, field 1
  text[text.find(',', line_start(9001))] = ';';  // line 9001: field 1 becomes "a;b"
  for (int threads : {1, 3, 8})
    for (bool simd : {true, false}) {
      const Parsed p = parse(text, 20000, 8, threads, simd);
      ASSERT_FALSE(p.result.ok);
      EXPECT_EQ(p.result.error.line, 9001) << threads << ": " << p.result.error.what();
      EXPECT_EQ(p.result.error.column, 1) << p.result.error.what();
    }
}

// The text in a heap block of exactly its size, so that the sanitizer build
// catches any read past its end (a std::string's spare capacity would hide
// one): both paths, whole and cut short at every offset near the end.
TEST(CsvParser, ReadsNothingPastTheText) {
  const std::string text = kernels::make_csv_text(400, 16, 4);
  std::vector<float> a(400 * 16), b(a.size());
  for (size_t cut = 0; cut <= 300; ++cut) {
    const size_t n = text.size() - cut;
    const std::unique_ptr<char[]> block(new char[n]);
    std::memcpy(block.get(), text.data(), n);
    csv::ParseOptions o;
    const auto ra = csv::parse_csv(std::string_view(block.get(), n), a, 400, 16, o);
    o.simd = false;
    const auto rb = csv::parse_csv(std::string_view(block.get(), n), b, 400, 16, o);
    ASSERT_EQ(ra.ok, rb.ok) << cut << ": " << ra.error.what() << " | " << rb.error.what();
    EXPECT_EQ(ra.error.what(), rb.error.what()) << cut;
    if (ra.ok) {
      EXPECT_EQ(0, std::memcmp(a.data(), b.data(), a.size() * 4)) << cut;
    }
  }
}

// Random bytes, truncations and corruptions of a valid file: always an error
// or a result, never a crash or a write past the output (the sanitizer build
// checks the latter).
TEST(CsvParser, GarbageNeverCrashes) {
  std::mt19937_64 rng(1);
  const std::string valid = kernels::make_csv_text(300, 6, 1);
  for (int i = 0; i < 300; ++i) {
    std::string t;
    switch (i % 3) {
      case 0:
        t.resize(rng() % 2000);
        for (char& c : t) c = char(rng() % 256);
        break;
      case 1:
        t = valid.substr(0, rng() % valid.size());
        break;
      default:
        t = valid;
        for (int k = 0; k < 5; ++k) t[rng() % t.size()] = "\n,.e-+x\r\0"[rng() % 9];
    }
    for (int threads : {1, 4}) {
      const Parsed p = parse(t, 300, 6, threads, i % 2 == 0);
      if (p.result.ok)
        EXPECT_EQ(p.result.rows, 300);
      else
        EXPECT_FALSE(p.result.error.message.empty());
    }
  }
}

TEST(CsvFastFloat, CandidateThrowsWithLineAndColumnOnMalformedInput) {
  kernels::CsvParseWorkload w;
  const Size s = w.make_size({{"rows", 50}, {"cols", 4}});
  Buffers in = w.make_inputs(s, 1);
  char* text = reinterpret_cast<char*>(in[0].as<uint8_t>());
  char* line3 = std::strchr(std::strchr(std::strchr(text, '\n') + 1, '\n') + 1, '\n') + 1;
  *std::strchr(line3, ',') = '#';
  Buffers out = w.make_outputs(s);
  const PreparedRun run =
      test::pipeline_candidate("csv_parse", "cpp-fast-float").prepare(in, out, RunContext{});
  try {
    run.run();
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("line 4, column 1"), std::string::npos) << e.what();
  }
}

#endif  // WORTHIT_HAVE_FAST_FLOAT

}  // namespace
}  // namespace worthit
