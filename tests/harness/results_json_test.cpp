#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "worthit/results/file_io.h"
#include "worthit/results/machine.h"
#include "worthit/results/results_json.h"
#include "worthit/results/stats.h"

using namespace worthit;
namespace fs = std::filesystem;

namespace {

ResultsFile sample_file() {
  ResultsFile f;
  f.created = "2026-11-26T13:00:00Z";
  f.tool_version = "0.1.0";
  f.machine = collect_machine_fingerprint();
  f.settings = {.threads = 2,
                .repetitions = 9,
                .processes = 3,
                .min_time_s = 0.05,
                .warmup_s = 0.02,
                .seed = 42,
                .quick = false,
                .workload_globs = {"*"},
                .backend_globs = {"*"}};
  f.calibration =
      Calibration{20.5, 18.0, 150.0, "matmul/libtorch", 2, "cpu", "2026-11-26T12:00:00Z", 1.9e6};
  f.gpu_calibration =
      Calibration{3000, 2800, 50000, "matmul/libtorch-cuda", 0, "cuda", "2026-11-26T12:01:00Z"};
  f.host = summarize_host_probes(std::vector<double>{2.0e6, 2.1e6, 3.8e6, 2.0e6}, 1.9e6);
  BenchResult ok;
  ok.workload = "gelu";
  ok.size = "n=1024";
  ok.params = {{"n", 1024}};
  ok.candidate = "gelu/cpp-simd";
  ok.backend = "cpp-simd";
  ok.language = "c++";
  ok.threads = 2;
  ok.correctness = {true, true, 1e-7, 2e-6, 0, 0, ""};
  ok.bytes = 8192;
  ok.flops = 1024 * 20;
  ok.samples_ns = {100, 101, 99, 102, 98, 100, 103, 97, 100};
  ok.iterations = std::vector<int64_t>(9, 1000);
  ok.sample_process = {0, 0, 0, 1, 1, 1, 2, 2, 2};
  ok.stats = summarize(ok.samples_ns);
  ok.speedup_vs_best_framework = 1.7;
  ok.sources = {"kernels/gelu/gelu_simd.cpp"};
  ok.toolchains = {"openmp"};
  ok.extra = {{"compile_time_s", 1.5}};
  BenchResult bad = ok;
  bad.candidate = "gelu/cpp-scalar";
  bad.backend = "cpp-scalar";
  bad.status = ResultStatus::incorrect;
  bad.reason = "output 'y'[3] is nan";
  bad.samples_ns.clear();
  bad.iterations.clear();
  bad.sample_process.clear();
  bad.speedup_vs_best_framework.reset();
  f.results = {ok, bad};
  return f;
}

fs::path temp_path(const std::string& name) {
  return fs::temp_directory_path() / ("worthit_test_" + std::to_string(::getpid()) + "_" + name);
}

void write_text(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

}  // namespace

TEST(ResultsJson, RoundTripsEveryField) {
  const ResultsFile f = sample_file();
  const auto path = temp_path("roundtrip.json");
  write_results(path, f);
  const ResultsFile g = read_results(path);
  fs::remove(path);
  // Serialising both gives identical documents: nothing was lost.
  EXPECT_EQ(to_json(f), to_json(g));
  ASSERT_EQ(g.results.size(), 2u);
  EXPECT_EQ(g.results[0].samples_ns, f.results[0].samples_ns);
  EXPECT_EQ(g.results[0].sample_process, f.results[0].sample_process);
  EXPECT_EQ(g.settings.processes, 3);
  EXPECT_DOUBLE_EQ(g.settings.warmup_s, 0.02);
  EXPECT_EQ(g.results[1].status, ResultStatus::incorrect);
  EXPECT_DOUBLE_EQ(*g.results[0].speedup_vs_best_framework, 1.7);
  EXPECT_DOUBLE_EQ(g.calibration->peak_gflops, 150.0);
  ASSERT_TRUE(g.gpu_calibration.has_value());
  EXPECT_EQ(g.gpu_calibration->device, "cuda");
  ASSERT_TRUE(g.host.has_value());
  EXPECT_EQ(g.host->probe_ns, f.host->probe_ns);
  EXPECT_DOUBLE_EQ(g.host->max_ratio, 1.9);
  EXPECT_DOUBLE_EQ(g.host->reference_ns, 1.9e6);
  EXPECT_DOUBLE_EQ(g.calibration->host_probe_ns, 1.9e6);
  EXPECT_DOUBLE_EQ(g.gpu_calibration->host_probe_ns, 0);
}

TEST(ResultsJson, HostProbesAreOptionalAndTheirRatiosDerivedOnRead) {
  auto j = to_json(sample_file());
  EXPECT_EQ(j["host"]["noisy"], true);
  EXPECT_EQ(j["host"]["slow"], false);  // its fastest is 1.05x the calibrated probe
  EXPECT_FALSE(j["gpu_calibration"].contains("host_probe_ns"));  // a CPU figure
  auto uncalibrated = j;
  uncalibrated["host"].erase("reference_ns");  // files from before the reference
  EXPECT_DOUBLE_EQ(results_from_json(uncalibrated).host->reference_ns, 0);
  auto older = j;
  older.erase("host");  // files written before bench probed the host
  EXPECT_FALSE(results_from_json(older).host.has_value());
  auto edited = j;
  edited["host"]["max_ratio"] = 1.0;  // derived: the readings decide
  EXPECT_DOUBLE_EQ(results_from_json(edited).host->max_ratio, 1.9);
  auto negative = j;
  negative["host"]["probe_ns"][1] = -5;
  try {
    results_from_json(negative);
    ADD_FAILURE() << "accepted a negative probe time";
  } catch (const SchemaError& e) {
    EXPECT_NE(std::string(e.what()).find("host.probe_ns[1]"), std::string::npos) << e.what();
  }
}

TEST(ResultsJson, CarriesSchemaNameVersionAndFingerprint) {
  const auto j = to_json(sample_file());
  EXPECT_EQ(j["schema"], "worthit.results");
  EXPECT_EQ(j["schema_version"], 1);
  EXPECT_TRUE(j["machine"].contains("cpu_model"));
  EXPECT_TRUE(j["machine"].contains("commit"));
  EXPECT_TRUE(j["machine"].contains("governor"));
  EXPECT_TRUE(j["results"][0]["stats"].contains("ci95_low_ns"));
}

TEST(ResultsJson, SchemaViolationsNameTheField) {
  auto j = to_json(sample_file());
  auto expect_error = [](const nlohmann::json& doc, const std::string& needle) {
    try {
      results_from_json(doc);
      ADD_FAILURE() << "accepted a document that should fail with '" << needle << "'";
    } catch (const SchemaError& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  auto missing = j;
  missing["results"][0].erase("backend");
  expect_error(missing, "results[0]");
  auto bad_status = j;
  bad_status["results"][1]["status"] = "fast";
  expect_error(bad_status, "unknown status 'fast'");
  auto wrong_type = j;
  wrong_type["results"][0]["framework"] = "yes";
  expect_error(wrong_type, "framework");
  auto other_schema = j;
  other_schema["schema"] = "something.else";
  expect_error(other_schema, "something.else");
  auto future = j;
  future["schema_version"] = 99;
  expect_error(future, "schema_version 99");
  auto no_samples = j;
  no_samples["results"][0]["samples_ns"] = nlohmann::json::array();
  expect_error(no_samples, "no samples_ns");
  auto short_processes = j;
  short_processes["results"][0]["sample_process"] = {0, 1};
  expect_error(short_processes, "sample_process: 2 entries for 9 samples");
}

TEST(ResultsJson, MalformedFileGivesFileAndByteOffset) {
  const auto path = temp_path("bad.json");
  write_text(path, "{\"schema\": \"worthit.results\", \"results\": [1, 2,, 3]}");
  try {
    read_results(path);
    ADD_FAILURE() << "parsed malformed JSON";
  } catch (const FileError& e) {
    EXPECT_EQ(e.file(), path);
    EXPECT_EQ(e.byte_offset(), 47);  // the second comma
    EXPECT_NE(std::string(e.what()).find(":byte 47:"), std::string::npos) << e.what();
  }
  write_text(path, "  \n");
  EXPECT_THROW(read_results(path), FileError);
  fs::remove(path);
  EXPECT_THROW(read_results(path), FileError);  // missing file
}

TEST(ResultsJson, AtomicWriteLeavesNoTemporaryFiles) {
  const auto dir = temp_path("dir");
  fs::create_directories(dir);
  write_file_atomically(dir / "out.json", "{}");
  write_file_atomically(dir / "out.json", "{\"a\":1}");
  int files = 0;
  for (auto& e : fs::directory_iterator(dir)) files += e.is_regular_file();
  EXPECT_EQ(files, 1);
  EXPECT_EQ(read_file(dir / "out.json"), "{\"a\":1}");
  EXPECT_THROW(write_file_atomically(dir / "missing" / "out.json", "{}"), FileError);
  fs::remove_all(dir);
}
