#include "worthit/harness/schedule.h"

#include <algorithm>
#include <exception>

#include "worthit/results/stats.h"

namespace worthit {

namespace {

// Fills a row from its sampled series: samples, schedule positions, why
// sampling stopped, statistics; a failed repetition makes the row an error.
void fill_row(BenchResult& r, const SampledSeries& s, const SamplingOptions& o) {
  r.samples_ns = s.samples_ns;
  r.iterations = s.iterations;
  r.sample_seq = s.seq;
  r.stop_reason = to_string(s.stop);
  if (s.stop == StopReason::failed) {
    r.status = ResultStatus::error;
    r.reason = s.error;
    r.samples_ns.clear();
    r.iterations.clear();
    r.sample_seq.clear();
    return;
  }
  r.stats = summarize(r.samples_ns, {.bootstrap_resamples = o.bootstrap_resamples,
                                     .bootstrap_seed = o.bootstrap_seed});
}

}  // namespace

std::vector<BenchResult> run_schedule(const std::vector<Participant*>& participants,
                                      const SamplingOptions& sampling, const ProgressFn& progress,
                                      const std::function<void()>& before_round) {
  // The union of cases, in first-listed order, and who has each.
  std::vector<CaseKey> cases;
  std::vector<std::vector<Participant*>> owners;
  for (Participant* p : participants)
    for (const CaseKey& c : p->cases()) {
      auto it = std::find_if(cases.begin(), cases.end(), [&](const CaseKey& k) {
        return k.workload == c.workload && k.size == c.size;
      });
      if (it == cases.end()) {
        cases.push_back(c);
        owners.push_back({p});
      } else {
        owners[size_t(it - cases.begin())].push_back(p);
      }
    }

  std::vector<BenchResult> rows;
  for (size_t ci = 0; ci < cases.size(); ++ci) {
    const CaseKey& c = cases[ci];
    const std::string head = "[" + std::to_string(ci + 1) + "/" + std::to_string(cases.size()) +
                             "] " + c.workload + " " + c.size + ": ";
    auto say = [&](const std::string& line) {
      if (progress) progress(head + line);
    };
    std::vector<PreparedCase> prepared;
    for (Participant* p : owners[ci]) p->begin_prepare(c);
    for (Participant* p : owners[ci]) {
      say("preparing " + p->name() + " candidates");
      prepared.push_back(p->prepare(
          c, [&, name = p->name()](const std::string& line) { say(name + ": " + line); }));
    }
    // One list of sources over every participant.
    std::vector<SampleSource> sources;
    std::vector<std::pair<size_t, size_t>> where;  // (participant, source index)
    for (size_t pi = 0; pi < prepared.size(); ++pi)
      for (size_t si = 0; si < prepared[pi].sources.size(); ++si) {
        sources.push_back(prepared[pi].sources[si]);
        where.emplace_back(pi, si);
      }
    const auto series = sample_interleaved(sources, sampling, [&](int round, int active) {
      if (before_round) before_round();
      say("round " + std::to_string(round + 1) + ", " + std::to_string(active) + " of " +
          std::to_string(sources.size()) + " candidate(s) sampling");
    });
    for (size_t pi = 0; pi < prepared.size(); ++pi) {
      std::vector<SampledSeries> own;
      for (size_t k = 0; k < where.size(); ++k) {
        if (where[k].first != pi) continue;
        own.push_back(series[k]);
        const int row = prepared[pi].source_row[where[k].second];
        if (row >= 0) {
          BenchResult& r = prepared[pi].rows[size_t(row)];
          fill_row(r, series[k], sampling);
          if (r.status == ResultStatus::error) say(r.backend + " error: " + r.reason);
        }
      }
      owners[ci][pi]->finish(c, prepared[pi], own);
      owners[ci][pi]->release(c);
      for (auto& r : prepared[pi].rows) rows.push_back(std::move(r));
    }
  }
  return rows;
}

}  // namespace worthit
