// The bench schedule across processes: this process's C++ candidates and
// each Python worker group are participants; for every workload and size,
// each participant gates its candidates, then one sampler (sampling.h)
// times all of them in shared rounds. A participant whose turn it is not
// waits idle, so no two compete for the cores and every candidate's samples
// come from the same stretch of time (docs/measurement.md).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "worthit/harness/sampling.h"
#include "worthit/results/record.h"

namespace worthit {

// One workload at one size.
struct CaseKey {
  std::string workload;
  std::string size;  // label, e.g. "n=1048576"
  std::map<std::string, int64_t> params;
};

// What one participant prepared for a case.
struct PreparedCase {
  std::vector<BenchResult> rows;      // every candidate it has for the case, gated
  std::vector<SampleSource> sources;  // the candidates to time
  // For each source: the row it times, or -1 for a helper the participant
  // times for its own use (Python's C++ twin, say), which makes no row.
  std::vector<int> source_row;
};

class Participant {
 public:
  virtual ~Participant() = default;
  // For progress lines: "C++", "python:torch", ...
  virtual std::string name() const = 0;
  // The cases it has candidates for, in its order.
  virtual std::vector<CaseKey> cases() = 0;
  // Inputs, reference and the correctness gate for the case. `say` reports
  // progress; failures of one candidate are rows, not exceptions.
  virtual PreparedCase prepare(const CaseKey& c,
                               const std::function<void(const std::string&)>& say) = 0;
  // Called for every participant of a case before any prepare(): one that
  // prepares in another process (a Python worker) starts there, so the
  // participants' preparations overlap. Nothing is timed meanwhile.
  virtual void begin_prepare(const CaseKey&) {}
  // After sampling: the rows hold their samples; `series` has every source's
  // (helpers included) in source order, for numbers derived from several.
  virtual void finish(const CaseKey&, PreparedCase&, const std::vector<SampledSeries>&) {}
  // The case's buffers and prepared state can go.
  virtual void release(const CaseKey& c) = 0;
};

using ProgressFn = std::function<void(const std::string& line)>;

// Runs every participant's cases in one schedule: the cases in the order the
// participants list them (first participant first), each case's candidates
// from all participants sampled together. Returns the rows, by case, in
// participant order, with samples, statistics and stop reasons filled in.
// `before_round`, when given, runs before every sampling round, while every
// participant is idle (bench times its host probe there).
std::vector<BenchResult> run_schedule(const std::vector<Participant*>& participants,
                                      const SamplingOptions& sampling, const ProgressFn& progress,
                                      const std::function<void()>& before_round = {});

}  // namespace worthit
