// Machine classes, the per-class decision matrix and the fleet compare, on
// constructed results of two classes (docs/fleet.md).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>

#include <nlohmann/json.hpp>

#include "worthit/reports/fleet_compare.h"
#include "worthit/reports/fleet_matrix.h"
#include "worthit/reports/fleet_writers.h"
#include "worthit/results/file_io.h"
#include "worthit/results/results_json.h"
#include "worthit/results/stats.h"

namespace worthit::reports {
namespace {

namespace fs = std::filesystem;

// Ten samples spread ±1% around `median_ns` (exact median, deterministic).
std::vector<double> samples(double median_ns) {
  std::vector<double> s;
  for (int i = 0; i < 10; ++i) s.push_back(median_ns * (1 + 0.01 * (i - 4.5) / 4.5));
  return s;
}

BenchResult record(const std::string& backend, bool framework, double median_ns, int64_t n) {
  BenchResult r;
  r.workload = "gelu";
  r.size = "n=" + std::to_string(n);
  r.params = {{"n", n}};
  r.candidate = "gelu/" + backend;
  r.backend = backend;
  r.framework = framework;
  r.threads = 2;
  r.samples_ns = samples(median_ns);
  r.iterations.assign(r.samples_ns.size(), 100);
  r.stats = summarize(r.samples_ns);
  return r;
}

MachineFingerprint xeon() {
  MachineFingerprint m;
  m.cpu_model = "Intel(R) Xeon(R) CPU @ 2.20GHz";
  m.logical_cpus = 2;
  m.physical_cores = 2;
  m.commit = "abc";
  return m;
}

MachineFingerprint epyc() {
  MachineFingerprint m;
  m.cpu_model = "AMD EPYC 9B14";
  m.logical_cpus = 2;
  m.physical_cores = 2;
  m.commit = "abc";
  return m;
}

// At n=1024 the custom kernel is `small_speedup` faster, at n=1M `large_speedup`.
HostResults host(const std::string& name, MachineFingerprint m, double small_speedup,
                 double large_speedup) {
  HostResults h;
  h.host = name;
  h.path = name + ".results.json";
  m.host = name;
  h.results.machine = m;
  h.results.settings.threads = 2;
  h.results.results = {record("libtorch", true, 1000, 1024),
                       record("cpp-simd", false, 1000 / small_speedup, 1024),
                       record("libtorch", true, 1e6, 1 << 20),
                       record("cpp-simd", false, 1e6 / large_speedup, 1 << 20)};
  return h;
}

DecisionInputs no_share() {
  DecisionInputs in;
  in.source_root = WORTHIT_TEST_FIXTURES;
  return in;
}

// Intel: custom 3x at both sizes; AMD: 3x at the small size, 1.05x at the large.
FleetInputs two_classes() {
  FleetInputs f;
  f.hosts = {host("alpha", xeon(), 3, 3), host("beta", xeon(), 3, 3),
             host("gamma", epyc(), 3, 1.05)};
  return f;
}

TEST(MachineClass, ShortCpuModelDropsMarksClockAndNoise) {
  EXPECT_EQ(short_cpu_model("Intel(R) Xeon(R) CPU @ 2.20GHz"), "Intel Xeon");
  EXPECT_EQ(short_cpu_model("Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz"),
            "Intel Xeon Platinum 8481C");
  EXPECT_EQ(short_cpu_model("AMD EPYC 9B14"), "AMD EPYC 9B14");
  EXPECT_EQ(short_cpu_model("AMD Ryzen 9 7950X 16-Core Processor"), "AMD Ryzen 9 7950X");
  EXPECT_EQ(short_cpu_model("Intel(R) Core(TM) i7-8650U CPU @ 1.90GHz"), "Intel Core i7-8650U");
  EXPECT_EQ(short_cpu_model("unknown"), "unknown");
}

TEST(MachineClass, FromTheFingerprintOrTheNameGivenByHand) {
  const MachineClass cpu = machine_class_of(xeon());
  EXPECT_EQ(cpu.label, "Intel Xeon ×2 (CPU only)");
  EXPECT_FALSE(cpu.named);

  MachineFingerprint gpu = xeon();
  gpu.gpu = "NVIDIA H100 80GB HBM3";
  gpu.gpu_driver = "580.65";
  EXPECT_EQ(machine_class_of(gpu).label, "Intel Xeon ×2 + NVIDIA H100 80GB HBM3 (driver 580.65)");
  MachineFingerprint other_driver = gpu;
  other_driver.gpu_driver = "570.10";
  EXPECT_NE(machine_class_of(gpu).key, machine_class_of(other_driver).key);

  MachineFingerprint more_cores = xeon();
  more_cores.physical_cores = 8;
  EXPECT_NE(machine_class_of(more_cores).key, cpu.key);
  MachineFingerprint other_governor = xeon();  // not part of the class
  other_governor.governor = "performance";
  other_governor.host = "elsewhere";
  EXPECT_EQ(machine_class_of(other_governor).key, cpu.key);

  MachineFingerprint named = epyc();
  named.machine_class = "inference-hosts";
  const MachineClass by_hand = machine_class_of(named);
  EXPECT_EQ(by_hand.label, "inference-hosts");
  EXPECT_TRUE(by_hand.named);
  named.cpu_model = "something else entirely";
  EXPECT_EQ(machine_class_of(named).key, by_hand.key);
}

TEST(MachineClass, HostsOfOneClassPoolAsProcesses) {
  auto in = two_classes();
  in.hosts[0].results.settings.processes = 2;  // alpha ran --processes 2
  in.hosts[0].results.results[0].sample_process = {0, 0, 0, 0, 0, 1, 1, 1, 1, 1};
  const auto classes = group_by_class(in.hosts);
  ASSERT_EQ(classes.size(), 2u);
  EXPECT_EQ(classes[0].machine_class.label, "Intel Xeon ×2 (CPU only)");
  EXPECT_EQ(classes[0].hosts, (std::vector<std::string>{"alpha", "beta"}));
  EXPECT_EQ(classes[0].pooled.settings.processes, 3);
  const BenchResult& libtorch = classes[0].pooled.results[0];
  EXPECT_EQ(libtorch.samples_ns.size(), 20u);
  EXPECT_EQ(libtorch.sample_process,
            (std::vector<int>{0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2}));
  EXPECT_EQ(classes[1].hosts, (std::vector<std::string>{"gamma"}));
  EXPECT_EQ(classes[1].pooled.settings.processes, 1);

  auto mismatched = two_classes();
  mismatched.hosts[1].results.results.pop_back();
  try {
    group_by_class(mismatched.hosts);
    FAIL() << "hosts with different selections were pooled";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("host beta reported 3 results, host alpha 4"),
              std::string::npos)
        << e.what();
  }
}

TEST(MachineClass, LabelsThatClashFallBackToTheFullModel) {
  MachineFingerprint slow = xeon(), fast = xeon();
  slow.cpu_model = "Intel(R) Xeon(R) CPU @ 2.20GHz";
  fast.cpu_model = "Intel(R) Xeon(R) CPU @ 3.10GHz";
  const auto classes = group_by_class({host("a", slow, 2, 2), host("b", fast, 2, 2)});
  ASSERT_EQ(classes.size(), 2u);
  EXPECT_EQ(classes[0].machine_class.label, "Intel(R) Xeon(R) CPU @ 2.20GHz ×2 (CPU only)");
  EXPECT_EQ(classes[1].machine_class.label, "Intel(R) Xeon(R) CPU @ 3.10GHz ×2 (CPU only)");
}

TEST(FleetMatrix, OneColumnPerClassAndTheChangesAcrossClasses) {
  const FleetReport fleet = decide_fleet(two_classes(), no_share(), default_policy());
  const FleetMatrix& m = fleet.matrix;
  ASSERT_EQ(m.columns,
            (std::vector<std::string>{"Intel Xeon ×2 (CPU only)", "AMD EPYC 9B14 ×2 (CPU only)"}));
  ASSERT_EQ(m.rows.size(), 2u);
  EXPECT_EQ(m.rows[0].size, "n=1024");  // smallest first
  EXPECT_EQ(m.rows[1].size, "n=1048576");
  for (const auto& cell : m.rows[0].cells) EXPECT_EQ(cell.verdict, Verdict::custom_worth_it);
  const MatrixCell& amd_large = m.rows[1].cells[1];
  EXPECT_EQ(amd_large.verdict, Verdict::framework_is_enough);
  ASSERT_TRUE(amd_large.speedup);
  EXPECT_NEAR(amd_large.speedup->value, 1.05, 1e-9);
  EXPECT_LE(amd_large.speedup->ci_low, 1.05);
  EXPECT_GE(amd_large.speedup->ci_high, 1.05);
  EXPECT_EQ(amd_large.best_custom, "cpp-simd");
  EXPECT_EQ(amd_large.best_framework, "libtorch");

  ASSERT_EQ(m.changes.size(), 1u);
  EXPECT_EQ(m.changes[0].row, 1u);
  EXPECT_EQ(describe_change(m, m.changes[0]),
            "gelu n=1048576: custom-worth-it on Intel Xeon ×2 (CPU only); framework-is-enough on "
            "AMD EPYC 9B14 ×2 (CPU only)");
  EXPECT_EQ(fleet.classes[0].processes, 2);
  EXPECT_EQ(fleet.classes[0].report.decisions.size(), 2u);
}

TEST(FleetMatrix, ARowOnlyOneClassDecidedIsNoChange) {
  auto in = two_classes();
  BenchResult cuda = record("cuda", false, 100, 1024);
  cuda.device = "cuda";
  BenchResult torch_cuda = record("libtorch", true, 400, 1024);
  torch_cuda.device = "cuda";
  in.hosts[2].results.results.push_back(cuda);
  in.hosts[2].results.results.push_back(torch_cuda);
  const FleetMatrix m = decide_fleet(in, no_share(), default_policy()).matrix;
  ASSERT_EQ(m.rows.size(), 3u);
  const MatrixRow& gpu = m.rows[2];  // cpu rows first, then the device's
  EXPECT_EQ(gpu.device, "cuda");
  EXPECT_FALSE(gpu.cells[0].verdict);
  EXPECT_EQ(gpu.cells[1].verdict, Verdict::custom_worth_it);
  EXPECT_EQ(matrix_cell_text(gpu.cells[0]), "–");
  EXPECT_EQ(m.changes.size(), 1u);  // still only the n=1M row
}

TEST(FleetWriters, TextMarkdownAndJsonCarryTheMatrix) {
  FleetInputs in = two_classes();
  in.failures.push_back({"delta", "delta.error.json", "the bench timed out after 60 s", 2});
  FleetReport fleet = decide_fleet(in, no_share(), default_policy());
  fleet.created = "2026-12-01T00:00:00Z";
  fleet.inputs = {"fleet/"};

  const std::string text = fleet_report_to_text(fleet);
  EXPECT_NE(text.find("Fleet: 3 hosts in 2 machine classes; 1 host without results\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  Intel Xeon ×2 (CPU only): alpha, beta (2 bench processes)\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  failed: delta: the bench timed out after 60 s\n"), std::string::npos);
  EXPECT_NE(text.find("Where the verdict changes across classes:\n  gelu n=1048576: "),
            std::string::npos)
      << text;
  // Columns line up by characters ("×" is two bytes).
  const size_t header = text.find("workload  size       Intel Xeon ×2 (CPU only)");
  EXPECT_NE(header, std::string::npos) << text;

  const std::string md = fleet_report_to_markdown(fleet);
  EXPECT_NE(md.find("| workload | size | Intel Xeon ×2 (CPU only) | AMD EPYC 9B14 ×2 (CPU only) |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| gelu | n=1048576 | `custom-worth-it` 3.00x ["), std::string::npos) << md;
  EXPECT_NE(md.find("| `framework-is-enough` 1.05x ["), std::string::npos) << md;
  EXPECT_NE(md.find("## Where the verdict changes across classes\n\n- gelu n=1048576: "),
            std::string::npos);
  EXPECT_NE(md.find("## Intel Xeon ×2 (CPU only)\n"), std::string::npos);
  // (the heading names the framework family since per-family verdicts)
  EXPECT_NE(md.find("### gelu"), std::string::npos) << "class reports nest one level down";
  EXPECT_NE(md.find("| – | delta (no results) |"), std::string::npos);

  const nlohmann::json j = fleet_report_to_json(fleet);
  EXPECT_EQ(j["schema"], "worthit.fleet-report");
  EXPECT_EQ(j["classes"][0]["hosts"], nlohmann::json({"alpha", "beta"}));
  EXPECT_EQ(j["classes"][0]["report"]["schema"], "worthit.report");
  EXPECT_EQ(j["matrix"]["rows"][1]["cells"][1]["verdict"], "framework-is-enough");
  EXPECT_EQ(j["matrix"]["changes"][0]["verdicts"][1]["classes"][0], "AMD EPYC 9B14 ×2 (CPU only)");
  EXPECT_EQ(j["failed_hosts"][0]["host"], "delta");

  // The viewer reads it back: the same matrix, the changes derived again.
  const FleetReport back = fleet_report_from_json(j);
  EXPECT_EQ(back.matrix.columns, fleet.matrix.columns);
  ASSERT_EQ(back.matrix.rows.size(), 2u);
  EXPECT_EQ(back.matrix.rows[1].cells[1].verdict, Verdict::framework_is_enough);
  EXPECT_NEAR(back.matrix.rows[1].cells[1].speedup->value, 1.05, 1e-12);
  ASSERT_EQ(back.matrix.changes.size(), 1u);
  EXPECT_EQ(describe_change(back.matrix, back.matrix.changes[0]),
            describe_change(fleet.matrix, fleet.matrix.changes[0]));
  EXPECT_EQ(back.classes[1].hosts, (std::vector<std::string>{"gamma"}));
  EXPECT_EQ(back.classes[1].report.machine.cpu_model, "AMD EPYC 9B14");
  EXPECT_EQ(back.failures[0].reason, "the bench timed out after 60 s");

  nlohmann::json bad = j;
  bad["matrix"]["rows"][1]["cells"][0]["verdict"] = "maybe";
  try {
    fleet_report_from_json(bad);
    FAIL() << "an unknown verdict was read";
  } catch (const SchemaError& e) {
    EXPECT_STREQ(e.what(), "matrix.rows[1].cells[0].verdict: unknown verdict 'maybe'");
  }
  bad = j;
  bad["matrix"]["rows"][0]["cells"].erase(0);
  EXPECT_THROW(fleet_report_from_json(bad), SchemaError);

  // Wrong types and numbers a field cannot hold: a SchemaError naming the path.
  const std::vector<std::pair<std::function<void(nlohmann::json&)>, std::string>> cases = {
      {[](auto& b) { b["classes"][0]["processes"] = 1e21; }, "classes[0].processes"},
      {[](auto& b) { b["classes"][0]["processes"] = -3; }, "classes[0].processes"},
      {[](auto& b) { b["classes"][0]["named"] = "yes"; }, "classes[0].named"},
      {[](auto& b) { b["matrix"]["rows"][0]["params"]["n"] = 2.5; }, "matrix.rows[0].params.n"},
      {[](auto& b) { b["matrix"]["rows"][0]["cells"][1]["speedup"]["value"] = "fast"; },
       "matrix.rows[0].cells[1].speedup.value"},
      {[](auto& b) { b["failed_hosts"][0]["attempts"] = 4294967296.0; },
       "failed_hosts[0].attempts"},
      {[](auto& b) { b["matrix"] = 3; }, "matrix"},
      {[](auto& b) { b["warnings"] = {1}; }, "warnings[0]"},
      {[](auto& b) { b["schema_version"] = 99; }, "schema_version"},
  };
  for (const auto& [edit, path] : cases) {
    bad = j;
    edit(bad);
    try {
      fleet_report_from_json(bad);
      ADD_FAILURE() << path << ": read without error";
    } catch (const SchemaError& e) {
      EXPECT_EQ(std::string(e.what()).rfind(path + ":", 0), 0u) << e.what();
    }
  }
}

class FleetFolder : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() /
        ("worthit-fleet-test-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path make(const std::string& sub, const std::vector<HostResults>& hosts) {
    const fs::path d = dir_ / sub;
    fs::create_directories(d);
    for (const auto& h : hosts) write_results(d / (h.host + ".results.json"), h.results);
    return d;
  }
  fs::path dir_;
};

TEST_F(FleetFolder, ReadsResultsAndErrorsAndSkipsTemporaries) {
  const fs::path d = make("run", {host("beta", xeon(), 3, 3), host("alpha", xeon(), 3, 3)});
  write_file_atomically(d / "gamma.error.json",
                        R"({"schema": "worthit.fleet-error", "schema_version": 1, "host": "gamma",)"
                        R"( "reason": "its worker left the cluster", "attempts": 2})");
  write_file_atomically(d / "fleet.json", R"({"schema": "worthit.fleet"})");
  write_file_atomically(d / ".delta.results.json.123.tmp", "{half");
  const FleetInputs in = read_fleet({d});
  ASSERT_EQ(in.hosts.size(), 2u);
  EXPECT_EQ(in.hosts[0].host, "alpha");
  EXPECT_EQ(in.hosts[1].host, "beta");
  ASSERT_EQ(in.failures.size(), 1u);
  EXPECT_EQ(in.failures[0].host, "gamma");
  EXPECT_EQ(in.failures[0].attempts, 2);
  EXPECT_TRUE(is_fleet_input({d}));
  EXPECT_FALSE(is_fleet_input({d / "alpha.results.json"}));
  EXPECT_TRUE(is_fleet_input({d / "alpha.results.json", d / "beta.results.json"}));

  // An error file left beside results of the same host: the results win.
  write_file_atomically(d / "alpha.error.json",
                        R"({"schema": "worthit.fleet-error", "host": "alpha", "reason": "old"})");
  EXPECT_EQ(read_fleet({d}).failures.size(), 1u);

  fs::create_directories(dir_ / "empty");
  EXPECT_THROW(read_fleet({dir_ / "empty"}), FileError);
  write_file_atomically(d / "zeta.error.json", R"({"schema": "something"})");
  EXPECT_THROW(read_fleet({d}), FileError);
  // A wrong type in an error file: the file and the field.
  write_file_atomically(d / "zeta.error.json",
                        R"({"schema": "worthit.fleet-error", "reason": "x", "attempts": 1e30})");
  try {
    read_fleet({d});
    FAIL() << "attempts 1e30 was read";
  } catch (const FileError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("zeta.error.json"), std::string::npos) << what;
    EXPECT_NE(what.find("attempts"), std::string::npos) << what;
  }
}

TEST_F(FleetFolder, FilesOfOneMachineWithoutHostNamesAreToldApartByFileName) {
  auto a = host("vm", epyc(), 2, 2), b = host("vm", epyc(), 2, 2);
  const fs::path d = dir_ / "files";
  fs::create_directories(d);
  write_results(d / "monday.json", a.results);
  write_results(d / "tuesday.json", b.results);
  const FleetInputs in = read_fleet({d / "monday.json", d / "tuesday.json"});
  ASSERT_EQ(in.hosts.size(), 2u);
  EXPECT_EQ(in.hosts[0].host, "monday");
  EXPECT_EQ(in.hosts[1].host, "tuesday");
}

TEST_F(FleetFolder, CompareTwoFleetRunsClassByClass) {
  const fs::path base = make("base", {host("alpha", xeon(), 3, 3), host("gamma", epyc(), 3, 3)});
  // The new run: AMD's custom kernel 20% slower at both sizes, Intel the same,
  // and a class the base run did not have.
  MachineFingerprint laptop = xeon();
  laptop.cpu_model = "Intel(R) Core(TM) i7-8650U CPU @ 1.90GHz";
  laptop.physical_cores = 4;
  const fs::path next = make("new", {host("alpha", xeon(), 3, 3), host("gamma", epyc(), 2.5, 2.5),
                                     host("lap", laptop, 3, 3)});
  const FleetComparison c = compare_fleets(read_fleet({base}), read_fleet({next}));
  ASSERT_EQ(c.classes.size(), 2u);
  EXPECT_EQ(c.classes[0].machine_class.label, "Intel Xeon ×2 (CPU only)");
  EXPECT_FALSE(c.classes[0].comparison.regression);
  EXPECT_EQ(c.classes[1].machine_class.label, "AMD EPYC 9B14 ×2 (CPU only)");
  EXPECT_TRUE(c.classes[1].comparison.regression);
  EXPECT_TRUE(c.regression);
  EXPECT_EQ(c.classes[1].base_hosts, (std::vector<std::string>{"gamma"}));
  EXPECT_EQ(c.only_in_new, (std::vector<std::string>{"Intel Core i7-8650U ×4 (CPU only)"}));
  EXPECT_TRUE(c.only_in_base.empty());

  const std::string text = fleet_comparison_to_text(c);
  EXPECT_NE(text.find("== AMD EPYC 9B14 ×2 (CPU only) (base: gamma; new: gamma): REGRESSION"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("== Intel Core i7-8650U ×4 (CPU only): only in the new run"),
            std::string::npos);
  const nlohmann::json j = fleet_comparison_to_json(c);
  EXPECT_EQ(j["schema"], "worthit.fleet-compare");
  EXPECT_EQ(j["classes"][1]["regression"], true);
  EXPECT_EQ(j["classes"][1]["comparison"]["schema"], "worthit.compare");
  EXPECT_NE(fleet_comparison_to_markdown(c).find("## AMD EPYC 9B14 ×2 (CPU only)"),
            std::string::npos);

  const fs::path other = make("other", {host("lap", laptop, 3, 3)});
  EXPECT_THROW(compare_fleets(read_fleet({base}), read_fleet({other})), FileError);
}

}  // namespace
}  // namespace worthit::reports
