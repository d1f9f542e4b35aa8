#include "worthit/results/results_json.h"

#include <nlohmann/json.hpp>

#include "worthit/results/file_io.h"

namespace worthit {

using nlohmann::json;

const char* to_string(ResultStatus s) {
  switch (s) {
    case ResultStatus::ok:
      return "ok";
    case ResultStatus::incorrect:
      return "incorrect";
    case ResultStatus::unavailable:
      return "unavailable";
    case ResultStatus::error:
      return "error";
    case ResultStatus::skipped:
      return "skipped";
  }
  return "error";
}

std::optional<ResultStatus> result_status_from_string(const std::string& s) {
  for (auto v : {ResultStatus::ok, ResultStatus::incorrect, ResultStatus::unavailable,
                 ResultStatus::error, ResultStatus::skipped})
    if (s == to_string(v)) return v;
  return std::nullopt;
}

namespace {

const json& field(const json& j, const char* key, const std::string& where) {
  if (!j.is_object()) throw SchemaError(where + ": expected an object");
  auto it = j.find(key);
  if (it == j.end()) throw SchemaError(where + ": missing field '" + key + "'");
  return *it;
}

template <class T>
T get(const json& j, const char* key, const std::string& where) {
  const json& v = field(j, key, where);
  try {
    return v.get<T>();
  } catch (const json::exception&) {
    throw SchemaError(where + "." + key + ": wrong type (" + v.type_name() + ")");
  }
}

template <class T>
T get_or(const json& j, const char* key, T fallback, const std::string& where) {
  if (!j.is_object() || !j.contains(key) || j.at(key).is_null()) return fallback;
  return get<T>(j, key, where);
}

}  // namespace

json to_json(const MachineFingerprint& m) {
  return {{"cpu_model", m.cpu_model},
          {"logical_cpus", m.logical_cpus},
          {"physical_cores", m.physical_cores},
          {"governor", m.governor},
          {"turbo", m.turbo},
          {"os", m.os},
          {"compiler", m.compiler},
          {"torch_version", m.torch_version},
          {"cuda_available", m.cuda_available},
          {"gpu", m.gpu},
          {"gpu_driver", m.gpu_driver},
          {"commit", m.commit},
          {"libraries", m.libraries},
          {"host", m.host},
          {"machine_class", m.machine_class}};
}

MachineFingerprint machine_from_json(const json& j) {
  const std::string w = "machine";
  MachineFingerprint m;
  m.cpu_model = get<std::string>(j, "cpu_model", w);
  m.logical_cpus = get_or<int>(j, "logical_cpus", 0, w);
  m.physical_cores = get_or<int>(j, "physical_cores", 0, w);
  m.governor = get_or<std::string>(j, "governor", "unknown", w);
  m.turbo = get_or<std::string>(j, "turbo", "unknown", w);
  m.os = get_or<std::string>(j, "os", "", w);
  m.compiler = get_or<std::string>(j, "compiler", "", w);
  m.torch_version = get_or<std::string>(j, "torch_version", "", w);
  m.cuda_available = get_or<bool>(j, "cuda_available", false, w);
  m.gpu = get_or<std::string>(j, "gpu", "", w);
  m.gpu_driver = get_or<std::string>(j, "gpu_driver", "", w);
  m.commit = get_or<std::string>(j, "commit", "", w);
  m.libraries = get_or<std::map<std::string, std::string>>(j, "libraries", {}, w);
  m.host = get_or<std::string>(j, "host", "", w);
  m.machine_class = get_or<std::string>(j, "machine_class", "", w);
  return m;
}

json to_json(const Calibration& c) {
  return {{"memory_bandwidth_gbs", c.memory_bandwidth_gbs},
          {"copy_bandwidth_gbs", c.copy_bandwidth_gbs},
          {"peak_gflops", c.peak_gflops},
          {"peak_source", c.peak_source},
          {"threads", c.threads},
          {"device", c.device},
          {"created", c.created}};
}

Calibration calibration_from_json(const json& j) {
  const std::string w = "calibration";
  Calibration c;
  c.memory_bandwidth_gbs = get<double>(j, "memory_bandwidth_gbs", w);
  c.copy_bandwidth_gbs = get_or<double>(j, "copy_bandwidth_gbs", 0, w);
  c.peak_gflops = get<double>(j, "peak_gflops", w);
  c.peak_source = get_or<std::string>(j, "peak_source", "", w);
  c.threads = get_or<int>(j, "threads", 0, w);
  c.device = get_or<std::string>(j, "device", "cpu", w);
  c.created = get_or<std::string>(j, "created", "", w);
  return c;
}

json to_json(const SampleStats& s) {
  return {{"n", s.n},
          {"median_ns", s.median},
          {"mean_ns", s.mean},
          {"stddev_ns", s.stddev},
          {"min_ns", s.min},
          {"max_ns", s.max},
          {"q1_ns", s.q1},
          {"q3_ns", s.q3},
          {"iqr_ns", s.iqr},
          {"ci95_low_ns", s.ci_low},
          {"ci95_high_ns", s.ci_high},
          {"cv", s.cv},
          {"unstable", s.unstable},
          {"unstable_reason", s.unstable_reason}};
}

namespace {
SampleStats stats_from_json(const json& j, const std::string& w) {
  SampleStats s;
  s.n = get<int>(j, "n", w);
  s.median = get<double>(j, "median_ns", w);
  s.mean = get_or<double>(j, "mean_ns", 0, w);
  s.stddev = get_or<double>(j, "stddev_ns", 0, w);
  s.min = get_or<double>(j, "min_ns", 0, w);
  s.max = get_or<double>(j, "max_ns", 0, w);
  s.q1 = get_or<double>(j, "q1_ns", 0, w);
  s.q3 = get_or<double>(j, "q3_ns", 0, w);
  s.iqr = get_or<double>(j, "iqr_ns", 0, w);
  s.ci_low = get_or<double>(j, "ci95_low_ns", 0, w);
  s.ci_high = get_or<double>(j, "ci95_high_ns", 0, w);
  s.cv = get_or<double>(j, "cv", 0, w);
  s.unstable = get_or<bool>(j, "unstable", false, w);
  s.unstable_reason = get_or<std::string>(j, "unstable_reason", "", w);
  return s;
}
}  // namespace

json to_json(const BenchResult& r) {
  json j = {{"workload", r.workload},
            {"size", r.size},
            {"params", r.params},
            {"candidate", r.candidate},
            {"backend", r.backend},
            {"framework", r.framework},
            {"language", r.language},
            {"device", r.device},
            {"threads", r.threads},
            {"status", to_string(r.status)},
            {"reason", r.reason},
            {"correctness",
             {{"checked", r.correctness.checked},
              {"passed", r.correctness.passed},
              {"max_abs_error", r.correctness.max_abs_error},
              {"max_rel_error", r.correctness.max_rel_error},
              {"nonfinite", r.correctness.nonfinite},
              {"mismatches", r.correctness.mismatches},
              {"detail", r.correctness.detail}}},
            {"bytes", r.bytes},
            {"flops", r.flops},
            {"samples_ns", r.samples_ns},
            {"iterations", r.iterations},
            {"gbps", r.gbps},
            {"gflops", r.gflops},
            {"pct_bandwidth", r.pct_bandwidth},
            {"pct_peak_flops", r.pct_peak_flops},
            {"speedup_vs_best_framework", nullptr},
            {"sources", r.sources},
            {"toolchains", r.toolchains},
            {"extra", r.extra}};
  j["stats"] = r.status == ResultStatus::ok ? to_json(r.stats) : json(nullptr);
  if (!r.sample_process.empty()) j["sample_process"] = r.sample_process;
  if (r.speedup_vs_best_framework) j["speedup_vs_best_framework"] = *r.speedup_vs_best_framework;
  return j;
}

BenchResult result_from_json(const json& j) {
  BenchResult r;
  r.workload = get<std::string>(j, "workload", "result");
  const std::string w = "result '" + r.workload + "'";
  r.candidate = get<std::string>(j, "candidate", w);
  const std::string wc = "result '" + r.candidate + "'";
  r.size = get<std::string>(j, "size", wc);
  r.params = get_or<std::map<std::string, int64_t>>(j, "params", {}, wc);
  r.backend = get<std::string>(j, "backend", wc);
  r.framework = get<bool>(j, "framework", wc);
  r.language = get_or<std::string>(j, "language", "", wc);
  r.device = get_or<std::string>(j, "device", "cpu", wc);
  r.threads = get_or<int>(j, "threads", 0, wc);
  const auto status = get<std::string>(j, "status", wc);
  auto parsed = result_status_from_string(status);
  if (!parsed) throw SchemaError(wc + ".status: unknown status '" + status + "'");
  r.status = *parsed;
  r.reason = get_or<std::string>(j, "reason", "", wc);
  if (j.contains("correctness") && j["correctness"].is_object()) {
    const auto& c = j["correctness"];
    const std::string wcc = wc + ".correctness";
    r.correctness.checked = get_or<bool>(c, "checked", false, wcc);
    r.correctness.passed = get_or<bool>(c, "passed", false, wcc);
    r.correctness.max_abs_error = get_or<double>(c, "max_abs_error", 0, wcc);
    r.correctness.max_rel_error = get_or<double>(c, "max_rel_error", 0, wcc);
    r.correctness.nonfinite = get_or<int64_t>(c, "nonfinite", 0, wcc);
    r.correctness.mismatches = get_or<int64_t>(c, "mismatches", 0, wcc);
    r.correctness.detail = get_or<std::string>(c, "detail", "", wcc);
  }
  r.bytes = get_or<double>(j, "bytes", 0, wc);
  r.flops = get_or<double>(j, "flops", 0, wc);
  r.samples_ns = get_or<std::vector<double>>(j, "samples_ns", {}, wc);
  r.iterations = get_or<std::vector<int64_t>>(j, "iterations", {}, wc);
  if (r.status == ResultStatus::ok) {
    r.stats = stats_from_json(field(j, "stats", wc), wc + ".stats");
    if (r.samples_ns.empty()) throw SchemaError(wc + ": status ok but no samples_ns");
  }
  r.sample_process = get_or<std::vector<int>>(j, "sample_process", {}, wc);
  if (!r.sample_process.empty() && r.sample_process.size() != r.samples_ns.size())
    throw SchemaError(wc + ".sample_process: " + std::to_string(r.sample_process.size()) +
                      " entries for " + std::to_string(r.samples_ns.size()) + " samples");
  for (int p : r.sample_process)
    if (p < 0) throw SchemaError(wc + ".sample_process: negative process index");
  r.gbps = get_or<double>(j, "gbps", 0, wc);
  r.gflops = get_or<double>(j, "gflops", 0, wc);
  r.pct_bandwidth = get_or<double>(j, "pct_bandwidth", 0, wc);
  r.pct_peak_flops = get_or<double>(j, "pct_peak_flops", 0, wc);
  if (j.contains("speedup_vs_best_framework") && !j["speedup_vs_best_framework"].is_null())
    r.speedup_vs_best_framework = get<double>(j, "speedup_vs_best_framework", wc);
  r.sources = get_or<std::vector<std::string>>(j, "sources", {}, wc);
  r.toolchains = get_or<std::vector<std::string>>(j, "toolchains", {}, wc);
  r.extra = get_or<std::map<std::string, double>>(j, "extra", {}, wc);
  return r;
}

json to_json(const ResultsFile& f) {
  json results = json::array();
  for (const auto& r : f.results) results.push_back(to_json(r));
  return {{"schema", ResultsFile::kSchema},
          {"schema_version", ResultsFile::kSchemaVersion},
          {"created", f.created},
          {"tool", {{"name", "worthit"}, {"version", f.tool_version}}},
          {"machine", to_json(f.machine)},
          {"settings",
           {{"threads", f.settings.threads},
            {"repetitions", f.settings.repetitions},
            {"processes", f.settings.processes},
            {"min_time_s", f.settings.min_time_s},
            {"seed", f.settings.seed},
            {"quick", f.settings.quick},
            {"workloads", f.settings.workload_globs},
            {"backends", f.settings.backend_globs}}},
          {"calibration", f.calibration ? to_json(*f.calibration) : json(nullptr)},
          {"gpu_calibration", f.gpu_calibration ? to_json(*f.gpu_calibration) : json(nullptr)},
          {"results", std::move(results)}};
}

ResultsFile results_from_json(const json& j) {
  const std::string w = "results file";
  const auto schema = get<std::string>(j, "schema", w);
  if (schema != ResultsFile::kSchema)
    throw SchemaError("schema is '" + schema + "', expected '" + ResultsFile::kSchema + "'");
  const int version = get<int>(j, "schema_version", w);
  if (version > ResultsFile::kSchemaVersion || version < 1)
    throw SchemaError("schema_version " + std::to_string(version) +
                      " is not supported (this worthit reads 1.." +
                      std::to_string(ResultsFile::kSchemaVersion) + ")");
  ResultsFile f;
  f.created = get_or<std::string>(j, "created", "", w);
  if (j.contains("tool")) f.tool_version = get_or<std::string>(j["tool"], "version", "", "tool");
  f.machine = machine_from_json(field(j, "machine", w));
  if (j.contains("settings")) {
    const auto& s = j["settings"];
    f.settings.threads = get_or<int>(s, "threads", 0, "settings");
    f.settings.repetitions = get_or<int>(s, "repetitions", 0, "settings");
    f.settings.processes = get_or<int>(s, "processes", 1, "settings");
    f.settings.min_time_s = get_or<double>(s, "min_time_s", 0, "settings");
    f.settings.seed = get_or<uint64_t>(s, "seed", 0, "settings");
    f.settings.quick = get_or<bool>(s, "quick", false, "settings");
    f.settings.workload_globs = get_or<std::vector<std::string>>(s, "workloads", {}, "settings");
    f.settings.backend_globs = get_or<std::vector<std::string>>(s, "backends", {}, "settings");
  }
  if (j.contains("calibration") && !j["calibration"].is_null())
    f.calibration = calibration_from_json(j["calibration"]);
  if (j.contains("gpu_calibration") && !j["gpu_calibration"].is_null())
    f.gpu_calibration = calibration_from_json(j["gpu_calibration"]);
  const auto& results = field(j, "results", w);
  if (!results.is_array()) throw SchemaError("results: expected an array");
  for (size_t i = 0; i < results.size(); ++i) {
    try {
      f.results.push_back(result_from_json(results[i]));
    } catch (const SchemaError& e) {
      throw SchemaError("results[" + std::to_string(i) + "]: " + e.what());
    }
  }
  return f;
}

ResultsFile read_results(const std::filesystem::path& path) {
  const json j = parse_json_file(path);
  try {
    return results_from_json(j);
  } catch (const SchemaError& e) {
    throw FileError(path, e.what());
  }
}

void write_results(const std::filesystem::path& path, const ResultsFile& file) {
  write_file_atomically(path, to_json(file).dump(1) + "\n");
}

}  // namespace worthit

namespace worthit {

const Calibration* ResultsFile::calibration_for(const std::string& device) const {
  for (const auto* c : {&calibration, &gpu_calibration})
    if (*c && (*c)->device == device) return &**c;
  return nullptr;
}

}  // namespace worthit
