// Input-bound diagnosis: per training step, the time spent waiting for the
// next batch against the step's whole time, and a verdict from documented
// thresholds (docs/data-pipeline.md, "Input-bound diagnosis").
//
// Steps and data ranges are those of worthit/trace/steps.h (an unmodified
// PyTorch program's steps are its optimizer steps).
//
// A data range inside a step counts as that step's wait. A data range between
// two steps on the same thread (`with scope("data"): batch = next(it)` before
// `with scope("step"): ...`) counts for the step that follows, and the
// iteration's time is then the step plus that wait.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "worthit/trace/steps.h"
#include "worthit/trace/trace.h"

namespace worthit::trace {

enum class InputVerdict { input_bound, balanced, compute_bound, unknown };
const char* to_string(InputVerdict v);  // "input-bound", "balanced", "compute-bound", "unknown"

struct InputBoundRules {
  double input_bound_share = 0.20;    // waiting >= 20% of iteration time: input-bound
  double compute_bound_share = 0.05;  // waiting < 5%: compute-bound; in between: balanced
  // With at least this many steps, the first is left out: it pays for the
  // loader's start (worker processes, first prefetch), not the steady state.
  int64_t skip_first_from = 3;
};

struct StepInput {
  int64_t pid = 0;
  int64_t tid = 0;
  int64_t start_ns = 0;
  int64_t iteration_ns = 0;  // the step plus any wait before it that belongs to it
  int64_t wait_ns = 0;       // data-range time in the iteration (overlaps merged)
};

struct InputBoundDiagnosis {
  InputVerdict verdict = InputVerdict::unknown;
  int64_t steps = 0;  // steps used (after the first is left out)
  int64_t steps_found = 0;
  int64_t data_ranges = 0;
  int64_t iteration_ns = 0;  // summed over the steps used
  int64_t wait_ns = 0;
  double wait_share = 0;         // wait_ns / iteration_ns
  double median_step_share = 0;  // median over steps of wait / iteration
  double max_speedup = 1;        // Amdahl: 1 / (1 - wait_share) if waiting took no time
  std::string step_names;        // what matched, e.g. "ProfilerStep#*"
  std::string data_names;
  std::string summary;  // one sentence with the numbers and the rule applied
  std::vector<StepInput> per_step;
};

InputBoundDiagnosis diagnose_input_bound(const Trace& trace, const InputBoundRules& rules = {});
InputBoundDiagnosis diagnose_input_bound(const SliceIndex& index, const Steps& steps,
                                         const InputBoundRules& rules = {});

}  // namespace worthit::trace
