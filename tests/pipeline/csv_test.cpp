#include <gtest/gtest.h>

#include <cstring>
#include <random>
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

Parsed parse(const std::string& text, int64_t rows, int64_t cols, int threads = 1) {
  Parsed p;
  p.values.assign(size_t(rows * cols), -1.0f);
  csv::ParseOptions o;
  o.threads = threads;
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
      const Parsed p = parse(m.text, m.rows, m.cols, threads);
      ASSERT_FALSE(p.result.ok) << m.what;
      EXPECT_EQ(p.result.error.line, m.line) << m.what << ": " << p.result.error.what();
      EXPECT_EQ(p.result.error.column, m.column) << m.what << ": " << p.result.error.what();
      EXPECT_NE(p.result.error.message.find(m.message_part), std::string::npos)
          << m.what << ": " << p.result.error.what();
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
  for (int threads : {1, 3, 8}) {
    const Parsed p = parse(text, 20000, 8, threads);
    ASSERT_FALSE(p.result.ok);
    EXPECT_EQ(p.result.error.line, 9001) << threads << ": " << p.result.error.what();
    EXPECT_EQ(p.result.error.column, 1) << p.result.error.what();
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
      const Parsed p = parse(t, 300, 6, threads);
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
