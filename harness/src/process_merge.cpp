#include "worthit/harness/process_merge.h"

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

}  // namespace

ResultsFile merge_process_results(const std::vector<ResultsFile>& processes) {
  if (processes.empty()) throw std::runtime_error("no bench process reported results");
  const int n = static_cast<int>(processes.size());
  auto label = [n](int p) { return "process " + std::to_string(p + 1) + "/" + std::to_string(n); };

  ResultsFile merged = processes.front();
  merged.settings.processes = n;
  std::map<Key, size_t> index;
  for (size_t i = 0; i < merged.results.size(); ++i) {
    BenchResult& r = merged.results[i];
    if (!index.emplace(key_of(r), i).second)
      throw std::runtime_error("process 1 reported " + describe(r) + " twice");
    r.sample_process.assign(r.samples_ns.size(), 0);
  }

  for (int p = 1; p < n; ++p) {
    const auto& results = processes[size_t(p)].results;
    if (results.size() != merged.results.size())
      throw std::runtime_error(label(p) + " reported " + std::to_string(results.size()) +
                               " results, process 1 " + std::to_string(merged.results.size()));
    for (const BenchResult& r : results) {
      auto it = index.find(key_of(r));
      if (it == index.end())
        throw std::runtime_error(label(p) + " reported " + describe(r) + ", process 1 did not");
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
      into.sample_process.insert(into.sample_process.end(), r.samples_ns.size(), p);
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
    if (n == 1) r.sample_process.clear();
    if (r.sample_seq.size() != r.samples_ns.size()) r.sample_seq.clear();
    r.stats = summarize(r.samples_ns, {}, r.sample_process);
  }
  return merged;
}

}  // namespace worthit
