// Reads the two inputs `worthit compare` accepts into plain sample sets.
#include <algorithm>
#include <climits>
#include <limits>

#include <nlohmann/json.hpp>

#include "worthit/reports/compare.h"
#include "worthit/results/file_io.h"
#include "worthit/results/json_fields.h"
#include "worthit/results/results_json.h"

namespace worthit::reports {

using nlohmann::json;

namespace {

double unit_to_ns(const std::string& unit, const std::string& where) {
  if (unit == "ns") return 1;
  if (unit == "us") return 1e3;
  if (unit == "ms") return 1e6;
  if (unit == "s") return 1e9;
  throw SchemaError(where + ".time_unit: unknown unit '" + unit + "'");
}

}  // namespace

BenchmarkSet benchmark_set_from_results(const ResultsFile& f, const std::string& path) {
  BenchmarkSet set;
  set.path = path;
  set.format = "worthit";
  const auto& m = f.machine;
  set.fingerprint = {{"cpu", m.cpu_model},
                     {"logical cpus", std::to_string(m.logical_cpus)},
                     {"physical cores", std::to_string(m.physical_cores)},
                     {"governor", m.governor},
                     {"turbo", m.turbo},
                     {"compiler", m.compiler},
                     {"torch", m.torch_version},
                     {"gpu", m.gpu},
                     {"gpu driver", m.gpu_driver},
                     {"threads", std::to_string(f.settings.threads)}};
  for (const auto& r : f.results) {
    BenchmarkSamples b;
    b.name = r.candidate + "/" + r.size + (r.device != "cpu" ? "@" + r.device : "");
    b.samples_ns = r.samples_ns;
    b.process = r.sample_process;
    b.status = to_string(r.status);
    b.reason = r.reason;
    b.group = r.workload + "/" + r.size + "@" + r.device;
    b.backend = r.backend;
    set.benchmarks.push_back(std::move(b));
  }
  return set;
}

namespace {

BenchmarkSet from_worthit(const json& j) {
  return benchmark_set_from_results(results_from_json(j), "");
}

BenchmarkSet from_google_benchmark(const json& j) {
  using json_fields::get;
  using json_fields::get_or;
  BenchmarkSet set;
  set.format = "google-benchmark";
  if (const json* c = json_fields::optional_field(j, "context", ""); c && c->is_object()) {
    for (const char* key :
         {"host_name", "num_cpus", "mhz_per_cpu", "cpu_scaling_enabled", "library_build_type"})
      if (c->contains(key)) {
        const json& v = (*c)[key];
        set.fingerprint[key] = v.is_string()
                                   ? v.get<std::string>()
                                   : v.dump(-1, ' ', false, json::error_handler_t::replace);
      }
  }
  const auto& benchmarks = json_fields::field(j, "benchmarks", "");
  if (!benchmarks.is_array()) throw SchemaError("benchmarks: expected an array");
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < benchmarks.size(); ++i) {
    const auto& e = benchmarks[i];
    const std::string where = "benchmarks[" + std::to_string(i) + "]";
    if (!e.is_object()) throw SchemaError(where + ": expected an object");
    const std::string name = e.contains("run_name") ? get<std::string>(e, "run_name", where)
                                                    : get<std::string>(e, "name", where);
    const std::string run_type =
        get_or<std::string>(e, "run_type", std::string("iteration"), where);
    auto [it, inserted] = index.emplace(name, set.benchmarks.size());
    if (inserted) set.benchmarks.push_back({name, {}, "ok", "", "", "", {}});
    auto& b = set.benchmarks[it->second];
    if (run_type == "aggregate") continue;
    if (get_or<bool>(e, "error_occurred", false, where)) {
      b.status = "error";
      b.reason = get_or<std::string>(e, "error_message", std::string("error"), where);
      continue;
    }
    const double t = get<double>(e, "real_time", where);
    const double scale =
        unit_to_ns(get_or<std::string>(e, "time_unit", std::string("ns"), where), where);
    // Checked in nanoseconds: 1e308 s is a finite number but no time per call.
    b.samples_ns.push_back(json_fields::sample_time_ns(t * scale, where + ".real_time"));
  }
  for (auto& b : set.benchmarks)
    if (b.status == "ok" && b.samples_ns.empty()) {
      b.status = "aggregates-only";
      b.reason =
          "only aggregate entries (mean, median, stddev); rerun without "
          "--benchmark_report_aggregates_only";
    }
  return set;
}

}  // namespace

BenchmarkSet benchmark_set_from_json(const json& j, const std::string& path) {
  BenchmarkSet set;
  try {
    if (j.is_object() && j.contains("schema"))
      set = from_worthit(j);
    else if (j.is_object() && j.contains("benchmarks"))
      set = from_google_benchmark(j);
    else
      throw SchemaError(
          "neither worthit results (a \"schema\" field) nor Google Benchmark JSON (a "
          "\"benchmarks\" array)");
  } catch (const SchemaError& e) {
    throw FileError(path, e.what());
  }
  set.path = path;
  return set;
}

BenchmarkSet pool_runs(const std::vector<BenchmarkSet>& runs, std::vector<std::string>& warnings) {
  if (runs.empty()) return {};
  BenchmarkSet pooled = runs.front();
  // Every benchmark gets explicit process numbers; each run's are offset past
  // the previous runs' so no two runs share one.
  // Process numbers are at most kMaxProcessIndex per file (the readers check),
  // so the offsets are counted in 64 bits and refused before they overflow.
  auto processes_of = [](const BenchmarkSamples& b, int64_t offset) {
    std::vector<int> p = b.process;
    if (p.size() != b.samples_ns.size()) p.assign(b.samples_ns.size(), 0);
    for (int& x : p) x = static_cast<int>(x + offset);
    return p;
  };
  auto process_count = [](const BenchmarkSet& set) {
    int64_t n = 1;
    for (const auto& b : set.benchmarks)
      for (int x : b.process) n = std::max<int64_t>(n, int64_t{x} + 1);
    return n;
  };
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < pooled.benchmarks.size(); ++i) {
    index[pooled.benchmarks[i].name] = i;
    pooled.benchmarks[i].process = processes_of(pooled.benchmarks[i], 0);
  }
  int64_t offset = process_count(runs.front());
  for (size_t k = 1; k < runs.size(); ++k) {
    const auto& run = runs[k];
    if (offset + process_count(run) > INT_MAX)
      throw FileError(run.path, "too many bench processes to pool (over " +
                                    std::to_string(INT_MAX) + " in all)");
    if (run.format != pooled.format)
      throw FileError(run.path, "is " + run.format + " JSON but " + pooled.path + " is " +
                                    pooled.format + " JSON; pool runs of the same kind");
    if (run.fingerprint != pooled.fingerprint)
      warnings.push_back("machine differs between pooled runs " + pooled.path + " and " + run.path);
    pooled.path += "," + run.path;
    for (const auto& b : run.benchmarks) {
      auto it = index.find(b.name);
      if (it == index.end()) {
        index[b.name] = pooled.benchmarks.size();
        pooled.benchmarks.push_back(b);
        pooled.benchmarks.back().process = processes_of(b, offset);
        continue;
      }
      auto& into = pooled.benchmarks[it->second];
      if (b.status != "ok") {
        into.status = b.status;
        into.reason = run.path + ": " + b.reason;
      }
      into.samples_ns.insert(into.samples_ns.end(), b.samples_ns.begin(), b.samples_ns.end());
      const auto p = processes_of(b, offset);
      into.process.insert(into.process.end(), p.begin(), p.end());
    }
    offset += process_count(run);
  }
  return pooled;
}

BenchmarkSet read_benchmark_set(const std::filesystem::path& path) {
  return benchmark_set_from_json(parse_json_file(path), path.string());
}

}  // namespace worthit::reports
