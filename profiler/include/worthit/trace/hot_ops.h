// Hot ops and their headroom: the PyTorch ops that take the most self time
// in a trace's steps, each with its share of step time, its bytes and FLOPs
// (cost_model.h), what it achieved against the calibrated ceiling of the
// device it ran on, and the headroom bound (measured time / roofline time):
// the most any kernel could speed the op up, and with its share, the step.
// Plus fusion hints: runs of memory-bound elementwise ops a fused kernel
// would read and write once. Pure functions over the trace library's slices;
// docs/hot-ops.md explains every rule, and writers turn the records into text.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "worthit/trace/cost_model.h"
#include "worthit/trace/op_calls.h"
#include "worthit/trace/slices.h"
#include "worthit/trace/steps.h"

namespace worthit::trace {

// A device's calibrated ceilings (`worthit calibrate`).
struct Ceiling {
  std::string device = "cpu";  // "cpu" or "cuda"
  double bandwidth_gbs = 0;
  double peak_gflops = 0;
  int threads = 0;  // the thread count it was measured with (CPU)
};

// The policy's bars, in the trace library's terms (worthit report fills
// them from its policy: min_end_to_end_gain and required_speedup.low).
struct HeadroomBar {
  double min_step_gain = 0.05;  // the least end-to-end gain worth a custom kernel
  double min_op_speedup = 1.2;  // the least op speedup even the cheapest kernel must reach
};

enum class Headroom {
  room,              // a kernel at the hardware limit could clear the bar: benchmark it
  framework_enough,  // even a kernel at the hardware limit could not: the framework is enough by
                     // physics
  no_cost_model,     // listed as such, never guessed
  no_work,           // a view or an allocation: its time is framework overhead
  delegated,         // a wrapper: its work is done in the op it calls (e.g. linear -> addmm)
  no_ceiling,        // no calibration for the device it ran on
};
const char* to_string(Headroom h);  // "room", "framework-enough", ...

struct HotOp {
  std::string name;       // "aten::addmm"
  std::string signature;  // "128:f32, 32x128:f32, 128x128:f32" (tensor inputs)
  std::string device;     // "cpu", "cuda:0"
  OpCall call;            // one recorded call (all calls of the row have these inputs)
  int64_t calls = 0;
  int64_t self_ns = 0;         // summed over calls inside the steps (GPU ops: their kernels' time)
  double share = 0;            // self_ns / step time
  std::optional<OpCost> cost;  // per call
  std::string no_model;        // why there is no cost model
  std::string delegated_to;    // for wrappers: the op doing the work
  // Per call, from the cost model and the ceilings:
  double achieved_gbs = 0;
  double achieved_gflops = 0;
  double pct_bandwidth = 0;  // of the calibrated ceiling, 0..1+
  double pct_flops = 0;
  double roofline_ns = 0;  // max(bytes / bandwidth, flops / peak)
  double headroom = 0;     // measured / roofline: the most any kernel could speed it up
  double step_bound = 1;   // Amdahl with the share: the most it could speed up the step
  bool memory_bound = false;
  Headroom verdict = Headroom::no_cost_model;
  int64_t sequence = -1;         // forward op's sequence number (pairs it with its backward)
  std::string forward_of;        // for an autograd node's ops: the forward op it differentiates
  std::vector<SliceRef> slices;  // every call, longest first (the viewer selects them)
};

struct FusionHint {
  std::vector<std::string> ops;  // the run, in order ("aten::mul", "aten::add", "aten::gelu")
  std::string signature;         // the shape and dtype they share
  std::string device;
  int64_t occurrences = 0;  // runs with this signature inside the steps
  int64_t time_ns = 0;      // their summed self time
  double share = 0;
  double bytes_unfused = 0;  // per run
  double bytes_fused = 0;    // per run: external inputs read once, the result written once
  double fused_roofline_ns = 0;
  double headroom = 0;    // time / fused roofline
  double step_bound = 1;  // Amdahl with the share
  std::vector<SliceRef> first_run;
};

struct HotOpsOptions {
  size_t top = 15;
  HeadroomBar bar;
  std::vector<Ceiling> ceilings;
  size_t max_fusion_hints = 5;
};

struct HotOpsReport {
  std::vector<HotOp> ops;          // top by self time
  std::vector<FusionHint> fusion;  // by time, largest first
  Steps steps;                 // the steps analysed: with sampled shapes, those recorded with them
  bool sampled_steps = false;  // only sampled steps were captured (captured_steps)
  size_t all_steps = 0;        // steps in the trace, analysed or not
  int64_t step_ns = 0;         // union of the steps (or of all slices without steps)
  int64_t op_calls = 0;        // PyTorch op calls inside the steps
  int64_t op_self_ns = 0;      // their summed self time
  bool has_ops = false;        // the trace has PyTorch ops at all
  bool has_shapes = false;     // ... with recorded shapes
};

HotOpsReport hot_ops(const SliceIndex& index, const Steps& steps, const HotOpsOptions& options);

// The decision for one op from its numbers: a pure function, tested as a table.
Headroom headroom_verdict(const HotOp& op, const HeadroomBar& bar, bool have_ceiling);

// Per op name, over every row of `report` with a bound: the achieved share of
// the ceiling and the headroom bound of all its calls together (the viewer's
// Statistics view, which aggregates by name).
struct NameHeadroom {
  double pct_ceiling = 0;
  double headroom = 0;
};
std::map<std::string, NameHeadroom> headroom_by_name(const HotOpsReport& report);

// Sorted by what a kernel could buy at most: the step time it could save,
// share * (1 - 1/headroom), largest first; ops without a bound after those with one.
void sort_by_headroom(std::vector<HotOp>& ops);

}  // namespace worthit::trace
