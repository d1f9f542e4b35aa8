#include "worthit/results/results_json.h"

#include <limits>

#include <nlohmann/json.hpp>

#include "worthit/results/file_io.h"
#include "worthit/results/json_fields.h"

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

using json_fields::field;
using json_fields::get;
using json_fields::get_or;
using json_fields::in_range;
using json_fields::kMaxCount;

// Times, sizes and rates are finite and not negative; a count fits kMaxCount.
double non_negative(double v, const std::string& where) {
  return in_range(v, 0.0, std::numeric_limits<double>::max(), where, "is negative");
}
int count_in(const json& j, const char* key, int fallback, const std::string& where) {
  return static_cast<int>(in_range(get_or<int64_t>(j, key, fallback, where), 0, kMaxCount,
                                   json_fields::path_of(where, key)));
}
double non_negative_in(const json& j, const char* key, const std::string& where) {
  return non_negative(get_or<double>(j, key, 0, where), json_fields::path_of(where, key));
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
  m.logical_cpus = count_in(j, "logical_cpus", 0, w);
  m.physical_cores = count_in(j, "physical_cores", 0, w);
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
  json j = {{"memory_bandwidth_gbs", c.memory_bandwidth_gbs},
            {"copy_bandwidth_gbs", c.copy_bandwidth_gbs},
            {"peak_gflops", c.peak_gflops},
            {"peak_source", c.peak_source},
            {"threads", c.threads},
            {"device", c.device},
            {"created", c.created}};
  if (c.host_probe_ns > 0) j["host_probe_ns"] = c.host_probe_ns;  // CPU calibrations only
  return j;
}

Calibration calibration_from_json(const json& j) {
  const std::string w = "calibration";
  Calibration c;
  c.memory_bandwidth_gbs =
      non_negative(get<double>(j, "memory_bandwidth_gbs", w), w + ".memory_bandwidth_gbs");
  c.copy_bandwidth_gbs = non_negative_in(j, "copy_bandwidth_gbs", w);
  c.peak_gflops = non_negative(get<double>(j, "peak_gflops", w), w + ".peak_gflops");
  c.peak_source = get_or<std::string>(j, "peak_source", "", w);
  c.host_probe_ns = non_negative_in(j, "host_probe_ns", w);
  c.threads = count_in(j, "threads", 0, w);
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
          {"ci_halfwidth", s.ci_halfwidth},
          {"cv", s.cv},
          {"unstable", s.unstable},
          {"unstable_reason", s.unstable_reason}};
}

namespace {
SampleStats stats_from_json(const json& j, const std::string& w) {
  SampleStats s;
  s.n = static_cast<int>(in_range(get<int64_t>(j, "n", w), 0, kMaxCount, w + ".n"));
  s.median = non_negative(get<double>(j, "median_ns", w), w + ".median_ns");
  s.mean = non_negative_in(j, "mean_ns", w);
  s.stddev = non_negative_in(j, "stddev_ns", w);
  s.min = non_negative_in(j, "min_ns", w);
  s.max = non_negative_in(j, "max_ns", w);
  s.q1 = non_negative_in(j, "q1_ns", w);
  s.q3 = non_negative_in(j, "q3_ns", w);
  s.iqr = non_negative_in(j, "iqr_ns", w);
  s.ci_low = non_negative_in(j, "ci95_low_ns", w);
  s.ci_high = non_negative_in(j, "ci95_high_ns", w);
  s.ci_halfwidth = non_negative_in(j, "ci_halfwidth", w);
  if (s.ci_halfwidth == 0 && s.median > 0 && s.ci_high >= s.ci_low)
    s.ci_halfwidth = (s.ci_high - s.ci_low) / 2 / s.median;
  s.cv = non_negative_in(j, "cv", w);
  s.unstable = get_or<bool>(j, "unstable", false, w);
  s.unstable_reason = get_or<std::string>(j, "unstable_reason", "", w);
  return s;
}

json to_json(const SourceMetrics& m) {
  return {{"path", m.path},
          {"language", m.language},
          {"code_lines", m.code_lines},
          {"comment_lines", m.comment_lines},
          {"blank_lines", m.blank_lines},
          {"decision_points", m.decision_points},
          {"toolchains", m.toolchains},
          {"isa", m.isa},
          {"cuda", m.cuda},
          {"hash", m.hash}};
}

RecordedCost cost_from_json(const json& j, const std::string& w) {
  RecordedCost c;
  c.origin = get_or<std::string>(j, "origin", "", w);
  c.missing = get_or<std::vector<std::string>>(j, "missing", {}, w);
  c.missing_reasons = get_or<std::vector<std::string>>(j, "missing_reasons", {}, w);
  if (c.missing_reasons.size() > c.missing.size())
    throw SchemaError(w + ".missing_reasons: more entries than missing");
  const json& files = field(j, "files", w);
  if (!files.is_array()) throw SchemaError(w + ".files: expected an array");
  for (size_t i = 0; i < files.size(); ++i) {
    const std::string wf = w + ".files[" + std::to_string(i) + "]";
    SourceMetrics m;
    m.path = get<std::string>(files[i], "path", wf);
    m.language = get_or<std::string>(files[i], "language", "other", wf);
    m.code_lines = count_in(files[i], "code_lines", 0, wf);
    m.comment_lines = count_in(files[i], "comment_lines", 0, wf);
    m.blank_lines = count_in(files[i], "blank_lines", 0, wf);
    m.decision_points = count_in(files[i], "decision_points", 0, wf);
    m.toolchains = get_or<std::vector<std::string>>(files[i], "toolchains", {}, wf);
    m.isa = get_or<std::vector<std::string>>(files[i], "isa", {}, wf);
    m.cuda = get_or<bool>(files[i], "cuda", false, wf);
    m.hash = get_or<std::string>(files[i], "hash", "", wf);
    c.files.push_back(std::move(m));
  }
  return c;
}
}  // namespace

json to_json(const RecordedCost& c) {
  json files = json::array();
  for (const auto& f : c.files) files.push_back(to_json(f));
  return {{"origin", c.origin},
          {"files", files},
          {"missing", c.missing},
          {"missing_reasons", c.missing_reasons}};
}

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
  if (!r.sample_seq.empty()) j["sample_seq"] = r.sample_seq;
  if (!r.stop_reason.empty()) j["stop_reason"] = r.stop_reason;
  if (!r.family.empty()) j["family"] = r.family;
  if (!r.detail.empty()) j["detail"] = r.detail;
  if (r.cost) j["maintenance"] = to_json(*r.cost);
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
  for (const auto& [key, value] : r.params)
    in_range(value, 0, INT64_MAX, wc + ".params." + key, "is negative");
  r.backend = get<std::string>(j, "backend", wc);
  r.framework = get<bool>(j, "framework", wc);
  r.language = get_or<std::string>(j, "language", "", wc);
  r.device = get_or<std::string>(j, "device", "cpu", wc);
  r.threads = count_in(j, "threads", 0, wc);
  const auto status = get<std::string>(j, "status", wc);
  auto parsed = result_status_from_string(status);
  if (!parsed) throw SchemaError(wc + ".status: unknown status '" + status + "'");
  r.status = *parsed;
  r.reason = get_or<std::string>(j, "reason", "", wc);
  if (const json* c = json_fields::optional_field(j, "correctness", wc); c && c->is_object()) {
    const std::string wcc = wc + ".correctness";
    r.correctness.checked = get_or<bool>(*c, "checked", false, wcc);
    r.correctness.passed = get_or<bool>(*c, "passed", false, wcc);
    r.correctness.max_abs_error = non_negative_in(*c, "max_abs_error", wcc);
    r.correctness.max_rel_error = non_negative_in(*c, "max_rel_error", wcc);
    r.correctness.nonfinite = in_range(get_or<int64_t>(*c, "nonfinite", 0, wcc), 0, INT64_MAX,
                                       wcc + ".nonfinite", "is negative");
    r.correctness.mismatches = in_range(get_or<int64_t>(*c, "mismatches", 0, wcc), 0, INT64_MAX,
                                        wcc + ".mismatches", "is negative");
    r.correctness.detail = get_or<std::string>(*c, "detail", "", wcc);
  }
  r.bytes = non_negative_in(j, "bytes", wc);
  r.flops = non_negative_in(j, "flops", wc);
  r.samples_ns = get_or<std::vector<double>>(j, "samples_ns", {}, wc);
  // A time per call is positive: a zero or negative sample is a broken file,
  // and every statistic over it (medians, ratios, logs) would be nonsense.
  for (size_t i = 0; i < r.samples_ns.size(); ++i)
    json_fields::sample_time_ns(r.samples_ns[i], wc + ".samples_ns[" + std::to_string(i) + "]");
  r.iterations = get_or<std::vector<int64_t>>(j, "iterations", {}, wc);
  for (size_t i = 0; i < r.iterations.size(); ++i)
    in_range(r.iterations[i], 0, INT64_MAX, wc + ".iterations[" + std::to_string(i) + "]",
             "is negative");
  if (r.status == ResultStatus::ok) {
    r.stats = stats_from_json(field(j, "stats", wc), wc + ".stats");
    if (r.samples_ns.empty()) throw SchemaError(wc + ": status ok but no samples_ns");
  }
  r.family = get_or<std::string>(j, "family", "", wc);
  r.detail = get_or<std::string>(j, "detail", "", wc);
  r.stop_reason = get_or<std::string>(j, "stop_reason", "", wc);
  r.sample_seq = get_or<std::vector<int>>(j, "sample_seq", {}, wc);
  if (!r.sample_seq.empty() && r.sample_seq.size() != r.samples_ns.size())
    throw SchemaError(wc + ".sample_seq: " + std::to_string(r.sample_seq.size()) + " entries for " +
                      std::to_string(r.samples_ns.size()) + " samples");
  for (size_t i = 0; i < r.sample_seq.size(); ++i)
    in_range(r.sample_seq[i], 0, static_cast<int>(kMaxCount),
             wc + ".sample_seq[" + std::to_string(i) + "]");
  if (const json* m = json_fields::optional_field(j, "maintenance", wc); m && !m->is_null())
    r.cost = cost_from_json(*m, wc + ".maintenance");
  r.sample_process = get_or<std::vector<int>>(j, "sample_process", {}, wc);
  if (!r.sample_process.empty() && r.sample_process.size() != r.samples_ns.size())
    throw SchemaError(wc + ".sample_process: " + std::to_string(r.sample_process.size()) +
                      " entries for " + std::to_string(r.samples_ns.size()) + " samples");
  for (size_t i = 0; i < r.sample_process.size(); ++i)
    in_range(r.sample_process[i], 0, kMaxProcessIndex,
             wc + ".sample_process[" + std::to_string(i) + "]");
  r.gbps = non_negative_in(j, "gbps", wc);
  r.gflops = non_negative_in(j, "gflops", wc);
  r.pct_bandwidth = non_negative_in(j, "pct_bandwidth", wc);
  r.pct_peak_flops = non_negative_in(j, "pct_peak_flops", wc);
  if (const json* s = json_fields::optional_field(j, "speedup_vs_best_framework", wc))
    r.speedup_vs_best_framework =
        non_negative(json_fields::as<double>(*s, wc + ".speedup_vs_best_framework"),
                     wc + ".speedup_vs_best_framework");
  r.sources = get_or<std::vector<std::string>>(j, "sources", {}, wc);
  r.toolchains = get_or<std::vector<std::string>>(j, "toolchains", {}, wc);
  r.extra = get_or<std::map<std::string, double>>(j, "extra", {}, wc);
  return r;
}

BenchResult pending_result_from_json(const json& j) {
  if (!j.is_object() || !j.contains("status") || j["status"] != "ok") return result_from_json(j);
  json copy = j;
  copy["status"] = "skipped";  // parsed as a record without timing, then restored
  BenchResult r = result_from_json(copy);
  r.status = ResultStatus::ok;
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
            {"adaptive", f.settings.adaptive},
            {"target_ci", f.settings.target_ci},
            {"max_time_s", f.settings.max_time_s},
            {"processes", f.settings.processes},
            {"min_time_s", f.settings.min_time_s},
            {"warmup_s", f.settings.warmup_s},
            {"seed", f.settings.seed},
            {"quick", f.settings.quick},
            {"workloads", f.settings.workload_globs},
            {"backends", f.settings.backend_globs}}},
          {"calibration", f.calibration ? to_json(*f.calibration) : json(nullptr)},
          {"gpu_calibration", f.gpu_calibration ? to_json(*f.gpu_calibration) : json(nullptr)},
          {"host", f.host ? json{{"probe_ns", f.host->probe_ns},
                                 {"fastest_ns", f.host->fastest_ns},
                                 {"reference_ns", f.host->reference_ns},
                                 {"median_ratio", f.host->median_ratio},
                                 {"p90_ratio", f.host->p90_ratio},
                                 {"max_ratio", f.host->max_ratio},
                                 {"noisy", host_was_noisy(*f.host)},
                                 {"slow", host_ran_slow(*f.host)}}
                          : json(nullptr)},
          {"results", std::move(results)}};
}

ResultsFile results_from_json(const json& j) {
  const std::string w = "results file";
  if (!j.is_object()) throw SchemaError("expected a JSON object (worthit results)");
  const auto schema = get<std::string>(j, "schema", "");
  if (schema != ResultsFile::kSchema)
    throw SchemaError("schema is '" + schema + "', expected '" + ResultsFile::kSchema + "'");
  const int64_t version = get<int64_t>(j, "schema_version", "");
  if (version > ResultsFile::kSchemaVersion || version < 1)
    throw SchemaError("schema_version " + std::to_string(version) +
                      " is not supported (this worthit reads 1.." +
                      std::to_string(ResultsFile::kSchemaVersion) + ")");
  ResultsFile f;
  f.created = get_or<std::string>(j, "created", "", "");
  if (const json* tool = json_fields::optional_field(j, "tool", ""))
    f.tool_version = get_or<std::string>(*tool, "version", "", "tool");
  f.machine = machine_from_json(field(j, "machine", ""));
  if (const json* s = json_fields::optional_field(j, "settings", "")) {
    const std::string ws = "settings";
    f.settings.threads = count_in(*s, "threads", 0, ws);
    f.settings.repetitions = count_in(*s, "repetitions", 0, ws);
    f.settings.adaptive = get_or<bool>(*s, "adaptive", false, ws);
    f.settings.target_ci =
        in_range(get_or<double>(*s, "target_ci", 0, ws), 0.0, 1.0, ws + ".target_ci");
    f.settings.max_time_s = non_negative_in(*s, "max_time_s", ws);
    f.settings.processes = static_cast<int>(in_range(get_or<int64_t>(*s, "processes", 1, ws), 1,
                                                     kMaxProcessIndex + 1, ws + ".processes"));
    f.settings.min_time_s = non_negative_in(*s, "min_time_s", ws);
    f.settings.warmup_s = non_negative_in(*s, "warmup_s", ws);
    f.settings.seed = get_or<uint64_t>(*s, "seed", 0, ws);
    f.settings.quick = get_or<bool>(*s, "quick", false, ws);
    f.settings.workload_globs = get_or<std::vector<std::string>>(*s, "workloads", {}, ws);
    f.settings.backend_globs = get_or<std::vector<std::string>>(*s, "backends", {}, ws);
  }
  if (const json* c = json_fields::optional_field(j, "calibration", ""))
    f.calibration = calibration_from_json(*c);
  if (const json* c = json_fields::optional_field(j, "gpu_calibration", "")) {
    try {
      f.gpu_calibration = calibration_from_json(*c);
    } catch (const SchemaError& e) {
      throw SchemaError(std::string("gpu_") + e.what());
    }
  }
  if (const json* h = json_fields::optional_field(j, "host", "")) {
    // The readings are the record; the ratios are derived from them again.
    auto probes = get_or<std::vector<double>>(*h, "probe_ns", {}, "host");
    for (size_t i = 0; i < probes.size(); ++i)
      json_fields::sample_time_ns(probes[i], "host.probe_ns[" + std::to_string(i) + "]");
    f.host = summarize_host_probes(probes, non_negative_in(*h, "reference_ns", "host"));
  }
  const auto& results = field(j, "results", "");
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
