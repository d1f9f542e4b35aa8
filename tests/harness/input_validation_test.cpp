// Numbers in worthit's files are validated where they are read (issue 16):
// every out-of-range, non-finite or non-fitting value is a SchemaError or
// FileError naming its JSON path or byte offset, never undefined behaviour,
// never a raw library message.
#include <sys/stat.h>

#include <climits>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "worthit/results/file_io.h"
#include "worthit/results/json_fields.h"
#include "worthit/results/machine.h"
#include "worthit/results/process_merge.h"
#include "worthit/results/results_json.h"
#include "worthit/results/stats.h"

using namespace worthit;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

json valid_results() {
  ResultsFile f;
  f.machine.cpu_model = "test";
  f.settings.threads = 2;
  BenchResult r;
  r.workload = "gelu";
  r.size = "n=1024";
  r.candidate = "gelu/cpp-simd";
  r.backend = "cpp-simd";
  r.samples_ns = {100, 101, 99, 102, 98};
  r.iterations = std::vector<int64_t>(5, 1000);
  r.stats = summarize(r.samples_ns);
  f.results = {r};
  return to_json(f);
}

// The message of the SchemaError `doc` raises, or "" when it is accepted.
std::string error_of(const json& doc) {
  try {
    results_from_json(doc);
    return "";
  } catch (const SchemaError& e) {
    return e.what();
  }
}

fs::path temp_path(const std::string& name) {
  return fs::temp_directory_path() /
         ("worthit_validation_" + std::to_string(::getpid()) + "_" + name);
}

}  // namespace

TEST(JsonFields, IntegersMustFitTheirType) {
  using json_fields::as;
  EXPECT_EQ(as<int>(json(3.0), "x"), 3);
  EXPECT_EQ(as<int64_t>(json(-7), "x"), -7);
  EXPECT_EQ(as<uint64_t>(json(18446744073709551615ull), "x"), 18446744073709551615ull);
  for (const json& bad : {json(1e21), json(1e300), json(2.5), json(2147483648.0), json("3"),
                          json(true), json(nullptr), json(2147483648ll)})
    EXPECT_THROW(as<int>(bad, "settings.threads"), SchemaError) << bad.dump();
  EXPECT_THROW(as<int64_t>(json(9223372036854775808.0), "x"), SchemaError);
  EXPECT_THROW(as<int64_t>(json(uint64_t{1} << 63), "x"), SchemaError);
  EXPECT_THROW(as<uint64_t>(json(-1), "x"), SchemaError);
  EXPECT_THROW(as<uint64_t>(json(1.8446744073709552e19), "x"), SchemaError);
  try {
    as<int>(json(1e300), "settings.threads");
    ADD_FAILURE();
  } catch (const SchemaError& e) {
    EXPECT_STREQ(e.what(), "settings.threads: 1e+300 does not fit (-2147483648..2147483647)");
  }
}

TEST(JsonFields, ContainersNameTheElementAtFault) {
  try {
    json_fields::as<std::vector<double>>(json::parse(R"([1, 2, "x"])"), "r.samples_ns");
    ADD_FAILURE();
  } catch (const SchemaError& e) {
    EXPECT_STREQ(e.what(), "r.samples_ns[2]: expected a number, got string \"x\"");
  }
  try {
    json_fields::as<std::map<std::string, int64_t>>(json::parse(R"({"n": 1e30})"), "r.params");
    ADD_FAILURE();
  } catch (const SchemaError& e) {
    EXPECT_NE(std::string(e.what()).find("r.params.n: 1e+30 does not fit"), std::string::npos)
        << e.what();
  }
}

TEST(ResultsValidation, OutOfRangeNumbersNameTheirField) {
  const json base = valid_results();
  ASSERT_EQ(error_of(base), "");
  struct Row {
    const char* pointer;
    json value;
    const char* expected;
  };
  const std::vector<Row> rows = {
      {"/results/0/stats/n", 1e21,
       "results[0]: result 'gelu/cpp-simd'.stats.n: 1e+21 does not fit"},
      {"/results/0/correctness/nonfinite", 1e20, ".correctness.nonfinite: 1e+20 does not fit"},
      {"/results/0/correctness/mismatches", -1, ".correctness.mismatches: -1 is negative"},
      {"/settings/threads", 1e300, "settings.threads: 1e+300 does not fit"},
      {"/settings/processes", 0, "settings.processes: 0 is outside 1..1000001"},
      {"/schema_version", 1e300, "schema_version: 1e+300 does not fit"},
      {"/results/0/threads", -2, ".threads: -2 is outside 0..1000000000"},
      {"/results/0/samples_ns/2", -23.1e6, ".samples_ns[2]: -23100000 is not a positive time"},
      {"/results/0/samples_ns/0", 0.0, ".samples_ns[0]: 0 is not a positive time"},
      {"/results/0/samples_ns/1", 1e300, ".samples_ns[1]: 1e+300 is not a positive time"},
      {"/results/0/bytes", -8, ".bytes: -8 is negative"},
      {"/results/0/stats/median_ns", -1.5, ".stats.median_ns: -1.5 is negative"},
      {"/results/0/params/n", -4, ".params.n: -4 is negative"},
      {"/machine/logical_cpus", 1e10, "machine.logical_cpus: 10000000000 is outside"},
      {"/calibration", json{{"memory_bandwidth_gbs", -3}, {"peak_gflops", 1}},
       "calibration.memory_bandwidth_gbs: -3 is negative"},
  };
  for (const auto& row : rows) {
    json doc = base;
    doc[json::json_pointer(row.pointer)] = row.value;
    const std::string e = error_of(doc);
    EXPECT_NE(e.find(row.expected), std::string::npos) << row.pointer << ": '" << e << "'";
  }
}

TEST(ResultsValidation, ProcessIndicesAreBoundedSoPoolingCannotOverflow) {
  json doc = valid_results();
  doc["results"][0]["sample_process"] = std::vector<int>(5, INT_MAX);
  EXPECT_NE(error_of(doc).find(".sample_process[0]: 2147483647 is outside 0..1000000"),
            std::string::npos)
      << error_of(doc);
  doc["results"][0]["sample_process"] = std::vector<int>(5, kMaxProcessIndex);
  ASSERT_EQ(error_of(doc), "");
  // The largest indices a reader lets through pool without overflow.
  const ResultsFile f = results_from_json(doc);
  const ResultsFile merged = merge_process_results({f, f, f});
  for (int p : merged.results[0].sample_process) EXPECT_GE(p, 0);
}

TEST(ResultsValidation, AcceptsIntegralFloatsAndEveryValidFile) {
  json doc = valid_results();
  doc["settings"]["threads"] = 4.0;  // Python's json writes what it is given
  EXPECT_EQ(error_of(doc), "");
  EXPECT_EQ(results_from_json(doc).settings.threads, 4);
}

TEST(FileIo, NumberOverflowGivesFileAndByteOffset) {
  const auto path = temp_path("overflow.json");
  std::ofstream(path) << R"({"schema": "worthit.results", "bytes": 1e999})";
  try {
    read_results(path);
    ADD_FAILURE() << "1e999 was accepted";
  } catch (const FileError& e) {
    EXPECT_EQ(e.byte_offset(), 39);
    EXPECT_EQ(std::string(e.what()),
              path.string() + ":byte 39: number out of range (beyond what a double can hold)");
  }
  // Inside a string it is text, not a number.
  EXPECT_NO_THROW(parse_json_text(R"({"note": "1e999 \" 1e999"})", "t.json"));
  fs::remove(path);
}

TEST(FileIo, NegativeOverflowInsideAnArray) {
  try {
    parse_json_text(R"({"note": "1e999", "x": [1, -1e999]})", "t.json");
    ADD_FAILURE();
  } catch (const FileError& e) {
    EXPECT_EQ(e.byte_offset(), 27);  // the '-' that starts it
  }
}

TEST(FileIo, ReplacingAFolderSaysWhyNotSuccess) {
  const auto dir = temp_path("a-folder");
  fs::create_directories(dir / "inside");
  try {
    write_file_atomically(dir, "x");
    ADD_FAILURE();
  } catch (const FileError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.find("Success"), std::string::npos) << what;
    EXPECT_NE(what.find("cannot replace: "), std::string::npos) << what;
  }
  for (const auto& entry : fs::directory_iterator(dir))
    EXPECT_EQ(entry.path().filename(), "inside") << "a temporary file was left behind";
  fs::remove_all(dir);
}

TEST(FileIo, OutputChecksBeforeAnyWork) {
  const auto dir = temp_path("outputs");
  fs::create_directories(dir);
  EXPECT_NO_THROW(check_output_path(dir / "new.json"));
  EXPECT_THROW(check_output_path(dir / "missing" / "x.json"), FileError);
  EXPECT_THROW(check_output_path(dir), FileError);  // a folder
  std::ofstream(dir / "file") << "x";
  EXPECT_THROW(check_output_path(dir / "file" / "x.json"), FileError);  // not a folder
  if (::geteuid() != 0) {                                               // root writes anywhere
    fs::create_directories(dir / "ro");
    ::chmod((dir / "ro").c_str(), 0500);
    EXPECT_THROW(check_output_path(dir / "ro" / "x.json"), FileError);
  }
  fs::remove_all(dir);
}

TEST(FileIo, AnOutputThatIsAnInputIsRefusedHoweverSpelled) {
  const auto dir = temp_path("same");
  fs::create_directories(dir / "sub");
  const auto in = dir / "r.json";
  std::ofstream(in) << "{}";
  fs::create_symlink(in, dir / "link.json");
  EXPECT_THROW(check_outputs_distinct({in}, {in}), FileError);
  EXPECT_THROW(check_outputs_distinct({in}, {dir / "sub" / ".." / "r.json"}), FileError);
  EXPECT_THROW(check_outputs_distinct({in}, {dir / "link.json"}), FileError);
  EXPECT_THROW(check_outputs_distinct({}, {dir / "a.md", dir / "sub/../a.md"}), FileError);
  EXPECT_NO_THROW(check_outputs_distinct({in}, {dir / "report.json", dir / "report.md", ""}));
  fs::remove_all(dir);
}
