// What counts as a training step and as data loading: the one vocabulary that
// `worthit profile`, `worthit report` and the viewer share
// (docs/data-pipeline.md, "Steps and data loading").
//
// Step ranges: torch.profiler's "ProfilerStep#N", or worthit scopes / NVTX
// ranges named "step", "train_step" or "training_step". A program with none
// (an unmodified PyTorch script) still has steps when it uses torch.optim:
// every optimizer step records "Optimizer.step#<Class>.step", and one
// iteration runs from the end of one optimizer step to the end of the next.
//
// Data ranges (the wait for the next batch): torch's
// "enumerate(DataLoader)#..." (the loader iterator's __next__), TensorFlow's
// "IteratorGetNext", or scopes / NVTX ranges named "data", "data_wait",
// "dataloader", "next_batch" or "load_batch". Input work (preparing data:
// parsing, decoding, collating, augmenting) is recognised by name words.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "worthit/trace/slices.h"

namespace worthit::trace {

bool is_step_range(std::string_view name);
bool is_data_range(std::string_view name);
bool is_optimizer_step(std::string_view name);
// Data ranges, and names of work that prepares input ("collate", "decode",
// "parse", "augment", "prefetch", a loader's "__next__", ...), case-insensitive.
bool is_input_work(std::string_view name);

// "ProfilerStep#*" for every "ProfilerStep#N", "enumerate(DataLoader)#*" for
// every loader, else the name itself: how a matched name is reported.
std::string range_family(std::string_view name);

struct StepSpan {
  int64_t pid = 0;
  int64_t tid = 0;
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  SliceRef slice;  // the step range; invalid for steps between optimizer steps
};

struct Steps {
  // By start. Nested step ranges keep the outermost of each nest.
  std::vector<StepSpan> spans;
  // What matched, e.g. "ProfilerStep#*", "step" or "optimizer steps
  // (Optimizer.step#*)"; empty when no steps were found.
  std::string source;
  bool from_optimizer = false;
};

// Step ranges by the rule above, or by `is_step` instead when it is given (the
// policy's step_patterns); iterations between optimizer steps when no range
// matches.
Steps find_steps(const SliceIndex& index,
                 const std::function<bool(std::string_view)>& is_step = {});

// worthit's ATen observer captures sampled steps, every op with its shapes,
// and marks which ("worthit capture" slices, docs/hot-ops.md "Sampled
// steps"). The steps that lie inside those windows (at least 90% of each), so
// that shares and headroom come from steps whose every op was recorded;
// `steps` unchanged when the trace has no windows (every step captured, or
// torch.profiler's trace); the windows themselves when it has windows but no
// steps.
struct CapturedSteps {
  Steps steps;
  bool sampled = false;  // the trace had capture windows
  size_t all_steps = 0;  // steps before the selection
};
CapturedSteps captured_steps(const SliceIndex& index, const Steps& steps);

// Length of the union of the steps (the time the step share is taken of).
int64_t steps_union_ns(const Steps& steps);

}  // namespace worthit::trace
