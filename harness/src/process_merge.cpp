#include "worthit/results/process_merge.h"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <tuple>

#include "worthit/results/stats.h"

namespace worthit {

namespace {

using Key = std::tuple<std::string, std::string, std::string, int>;

Key key_of(const BenchResult& r) { return {r.candidate, r.size, r.device, r.threads}; }

std::string describe(const BenchResult& r) {
  return r.candidate + " " + r.size + (r.device != "cpu" ? " on " + r.device : "");
}

// How many bench processes one input's samples came from.
int process_count(const ResultsFile& f) {
  int n = std::max(1, f.settings.processes);
  for (const auto& r : f.results)
    for (int p : r.sample_process) n = std::max(n, p + 1);
  return n;
}

// The global process number of each of `r`'s samples.
void append_processes(std::vector<int>& into, const BenchResult& r, int offset) {
  for (size_t i = 0; i < r.samples_ns.size(); ++i)
    into.push_back(offset + (i < r.sample_process.size() ? r.sample_process[i] : 0));
}

}  // namespace

ResultsFile merge_process_results(const std::vector<ResultsFile>& processes,
                                  const std::vector<std::string>& labels) {
  if (processes.empty()) throw std::runtime_error("no bench process reported results");
  const int n = static_cast<int>(processes.size());
  auto label = [&](int p) {
    if (size_t(p) < labels.size()) return labels[size_t(p)];
    return "process " + std::to_string(p + 1) + "/" + std::to_string(n);
  };
  std::vector<int> offset(size_t(n), 0);
  int total = 0;
  for (int p = 0; p < n; ++p) {
    offset[size_t(p)] = total;
    total += process_count(processes[size_t(p)]);
  }

  ResultsFile merged = processes.front();
  merged.settings.processes = total;
  std::map<Key, size_t> index;
  for (size_t i = 0; i < merged.results.size(); ++i) {
    BenchResult& r = merged.results[i];
    if (!index.emplace(key_of(r), i).second)
      throw std::runtime_error(label(0) + " reported " + describe(r) + " twice");
    r.sample_process.clear();
    append_processes(r.sample_process, processes.front().results[i], 0);
  }

  for (int p = 1; p < n; ++p) {
    const auto& results = processes[size_t(p)].results;
    if (results.size() != merged.results.size())
      throw std::runtime_error(label(p) + " reported " + std::to_string(results.size()) +
                               " results, " + label(0) + " " +
                               std::to_string(merged.results.size()));
    for (const BenchResult& r : results) {
      auto it = index.find(key_of(r));
      if (it == index.end())
        throw std::runtime_error(label(p) + " reported " + describe(r) + ", " + label(0) +
                                 " did not");
      BenchResult& into = merged.results[it->second];
      if (into.status != ResultStatus::ok) continue;  // the first problem stands
      if (r.status != ResultStatus::ok) {
        into.status = r.status;
        into.reason = label(p) + ": " + r.reason;
        into.correctness = r.correctness;
        continue;
      }
      into.samples_ns.insert(into.samples_ns.end(), r.samples_ns.begin(), r.samples_ns.end());
      into.iterations.insert(into.iterations.end(), r.iterations.begin(), r.iterations.end());
      // Schedule positions are per process (each has its own schedule).
      into.sample_seq.insert(into.sample_seq.end(), r.sample_seq.begin(), r.sample_seq.end());
      append_processes(into.sample_process, r, offset[size_t(p)]);
    }
  }

  for (BenchResult& r : merged.results) {
    if (r.status != ResultStatus::ok) {
      r.samples_ns.clear();
      r.iterations.clear();
      r.sample_process.clear();
      r.sample_seq.clear();
      r.stats = {};
      continue;
    }
    if (total == 1) r.sample_process.clear();
    if (r.sample_seq.size() != r.samples_ns.size()) r.sample_seq.clear();
    r.stats = summarize(r.samples_ns, {}, r.sample_process);
  }
  // The host probes of every process, pooled like the samples.
  std::vector<double> probes;
  double reference_ns = 0;  // every process read the same calibration.json
  for (const ResultsFile& f : processes)
    if (f.host) {
      probes.insert(probes.end(), f.host->probe_ns.begin(), f.host->probe_ns.end());
      reference_ns = std::max(reference_ns, f.host->reference_ns);
    }
  if (!probes.empty()) merged.host = summarize_host_probes(probes, reference_ns);
  return merged;
}

}  // namespace worthit
