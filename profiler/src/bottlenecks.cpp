#include "worthit/trace/bottlenecks.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "worthit/trace/analysis.h"
#include "worthit/trace/format.h"
#include "worthit/trace/hot_ops_text.h"
#include "worthit/trace/input_bound.h"
#include "worthit/trace/steps.h"
#include "worthit/trace/time_math.h"

namespace worthit::trace {

namespace {

std::string percent(double share) { return format_percent(share); }

// The CPU ranges that ran during [t0, t1), by self time, as "a (1.2 ms), b (...)".
std::string cpu_during(const SliceIndex& index, int64_t t0, int64_t t1, int64_t* input_ns,
                       int64_t* cpu_ns) {
  std::string out;
  int shown = 0;
  std::vector<RangeRow> rows = aggregate_ranges(index, t0, t1);
  std::sort(rows.begin(), rows.end(),
            [](const RangeRow& a, const RangeRow& b) { return a.self_ns > b.self_ns; });
  for (const RangeRow& r : rows) {
    if (r.kind != TrackKind::cpu || r.self_ns <= 0) continue;
    if (cpu_ns) *cpu_ns = add_saturating(*cpu_ns, r.self_ns);
    if (input_ns && is_input_work(r.name)) *input_ns = add_saturating(*input_ns, r.self_ns);
    if (shown < 3) {
      out += (shown ? ", " : "") + r.name + " (" + format_duration(r.self_ns) + ")";
      ++shown;
    }
  }
  return out.empty() ? "nothing recorded" : out;
}

// Hot PyTorch ops, at stake what a kernel at the hardware limit could save
// (self time * (1 - 1/bound)); without a ceiling, the op's time itself.
void add_hot_ops(const SliceIndex& index, const Steps& steps, const BottleneckOptions& options,
                 std::vector<Finding>& out, std::set<std::string>& covered) {
  HotOpsOptions o;
  o.top = 4 * options.hot_ops;
  o.bar = options.bar;
  o.ceilings = options.ceilings;
  HotOpsReport hot = hot_ops(index, steps, o);
  if (!hot.has_shapes) return;
  sort_by_headroom(hot.ops);
  size_t shown = 0;
  for (const HotOp& op : hot.ops) {
    covered.insert(op.name);
    if (shown == options.hot_ops || op.slices.empty()) continue;
    const bool bounded = op.verdict == Headroom::room || op.verdict == Headroom::framework_enough;
    if (!bounded && op.verdict != Headroom::no_ceiling) continue;
    Finding f;
    f.kind = "hot-op";
    f.share = op.share;
    f.slices = op.slices;
    f.slice = op.slices.front();
    f.start_ns = index.slice(f.slice).start_ns;
    f.end_ns = index.slice(f.slice).end_ns;
    f.detail = op.name + " [" + op.signature + "], " + std::to_string(op.calls) + " calls, " +
               format_duration(op.self_ns) + " (" + percent(op.share) +
               " of the step): " + headroom_sentence(op, options.bar);
    if (bounded) {
      f.headroom = op.headroom;
      f.step_bound = op.step_bound;
      f.pct_ceiling = std::max(op.pct_bandwidth, op.pct_flops);
      const double bound = std::max(op.headroom, 1.0);
      f.at_stake_ns = int64_t(double(op.self_ns) * (1 - 1 / bound));
      f.title = op.name + " [" + op.signature + "]: " + percent(op.share) + " of the step at " +
                percent(f.pct_ceiling) + " of the ceiling; a kernel could make it at most " +
                format_ratio(bound) + " faster" +
                (op.verdict == Headroom::framework_enough ? " (the framework is enough)" : "");
    } else {
      f.at_stake_ns = op.self_ns;
      f.title = op.name + " [" + op.signature + "]: " + percent(op.share) +
                " of the step (no calibration for its bound)";
    }
    out.push_back(std::move(f));
    ++shown;
  }
  for (const FusionHint& h : hot.fusion) {
    if (h.headroom <= 1 || h.first_run.empty()) continue;
    Finding f;
    f.kind = "fusion";
    f.share = h.share;
    f.headroom = h.headroom;
    f.step_bound = h.step_bound;
    f.slices = h.first_run;
    f.slice = h.first_run.front();
    f.start_ns = index.slice(h.first_run.front()).start_ns;
    f.end_ns = index.slice(h.first_run.back()).end_ns;
    f.at_stake_ns = int64_t(double(h.time_ns) * (1 - 1 / h.headroom));
    f.title = "Fuse " + std::to_string(h.ops.size()) + " elementwise ops on " + h.signature + ": " +
              format_bytes(h.bytes_unfused - h.bytes_fused) + " less traffic per run";
    f.detail = fusion_sentence(h);
    out.push_back(std::move(f));
  }
}

}  // namespace

std::vector<Finding> find_bottlenecks(const SliceIndex& index, const BottleneckOptions& options) {
  std::vector<Finding> out;
  const int64_t t0 = index.start_ns(), t1 = index.end_ns();
  const int64_t span = std::max<int64_t>(t1 - t0, 1);
  const std::vector<RangeRow> rows = aggregate_ranges(index, t0, t1);
  const Steps steps = find_steps(index);
  std::set<std::string> covered;  // names the hot-op findings speak for
  add_hot_ops(index, steps, options, out, covered);

  // The heaviest CPU ranges by self time: where the CPU itself spends time.
  std::vector<const RangeRow*> cpu;
  // A range that spans (nearly) the whole trace is an envelope, such as
  // torch.profiler's "PyTorch Profiler" span on a track of its own: its self
  // time says nothing about where the time goes.
  for (const RangeRow& r : rows)
    if (r.kind == TrackKind::cpu && double(r.max_ns) < 0.9 * double(span) && !covered.count(r.name))
      cpu.push_back(&r);
  std::sort(cpu.begin(), cpu.end(),
            [](const RangeRow* a, const RangeRow* b) { return a->self_ns > b->self_ns; });
  for (size_t i = 0; i < cpu.size() && i < 5; ++i) {
    const RangeRow& r = *cpu[i];
    if (double(r.self_ns) < 0.01 * double(span)) break;
    Finding f;
    f.kind = "self-time";
    f.title = r.name + ": " + format_duration(r.self_ns) + " of self time";
    f.detail = "'" + r.name + "' spends " + format_duration(r.self_ns) + " in its own code (" +
               percent(double(r.self_ns) / double(span)) + " of the trace) over " +
               std::to_string(r.count) + (r.count == 1 ? " call" : " calls") +
               "; the longest call takes " + format_duration(r.max_ns) + ".";
    f.at_stake_ns = r.self_ns;
    f.slice = r.longest;
    if (r.longest.valid()) {
      f.start_ns = index.slice(r.longest).start_ns;
      f.end_ns = index.slice(r.longest).end_ns;
    }
    out.push_back(std::move(f));
  }

  // The profiler's input-bound diagnosis (steps against data-loading ranges).
  const InputBoundDiagnosis input = diagnose_input_bound(index, steps);
  if (input.verdict != InputVerdict::unknown && input.steps > 0) {
    Finding f;
    f.kind = to_string(input.verdict);
    f.title =
        input.verdict == InputVerdict::input_bound
            ? "Input-bound: " + percent(input.wait_share) + " of each step waits for data"
        : input.verdict == InputVerdict::balanced
            ? "Partly input-bound: " + percent(input.wait_share) + " of the steps wait for data"
            : "Compute-bound: data loading takes " + percent(input.wait_share) + " of the steps";
    f.detail = input.summary;
    f.at_stake_ns = input.wait_ns;
    // Jump to the step that waited longest.
    const StepInput* worst = nullptr;
    for (const StepInput& st : input.per_step)
      if (!worst || st.wait_ns > worst->wait_ns) worst = &st;
    if (worst) {
      f.start_ns = worst->start_ns;
      f.end_ns = end_ns(worst->start_ns, worst->iteration_ns);
    }
    out.push_back(std::move(f));
  }

  const GpuSummary gpu = gpu_summary(index.trace(), 3);
  if (gpu.has_gpu) {
    for (const RangeRow& r : rows) {
      if (r.kind != TrackKind::gpu) continue;
      Finding f;
      f.kind = "kernel";
      f.title = r.name + ": " + format_duration(r.total_ns) + " on the GPU";
      f.detail = "'" + r.name + "' runs " + std::to_string(r.count) + " times for " +
                 format_duration(r.total_ns) + " in total (" +
                 percent(gpu.busy_ns ? double(r.total_ns) / double(gpu.busy_ns) : 0) +
                 " of the GPU's busy time).";
      f.at_stake_ns = r.total_ns;
      f.slice = r.longest;
      if (r.longest.valid()) {
        f.start_ns = index.slice(r.longest).start_ns;
        f.end_ns = index.slice(r.longest).end_ns;
      }
      out.push_back(std::move(f));
      break;  // rows are by total: the busiest kernel only
    }
    int64_t gap_input_ns = 0, gap_cpu_ns = 0;
    for (const Gap& g : gpu.largest_gaps) {
      if (double(g.dur_ns) < 0.01 * double(span)) continue;
      Finding f;
      f.kind = "gpu-idle";
      f.title = "GPU idle for " + format_duration(g.dur_ns);
      f.detail =
          "The GPU does nothing for " + format_duration(g.dur_ns) + " starting at " +
          format_duration(sub_saturating(g.start_ns, t0)) + ". Meanwhile the CPU runs: " +
          cpu_during(index, g.start_ns, end_ns(g.start_ns, g.dur_ns), &gap_input_ns, &gap_cpu_ns) +
          ".";
      f.at_stake_ns = g.dur_ns;
      f.start_ns = g.start_ns;
      f.end_ns = end_ns(g.start_ns, g.dur_ns);
      out.push_back(std::move(f));
    }
    const int64_t idle = sub_saturating(gpu.span_ns, gpu.busy_ns);
    const double mean_kernel =
        gpu.launch_count ? double(gpu.busy_ns) / double(gpu.launch_count) : 0;
    const double mean_launch =
        gpu.launch_count ? double(gpu.launch_api_ns) / double(gpu.launch_count) : 0;
    if (gpu.busy_share < 0.8 && gpu.launch_count > 0 && mean_kernel < 2 * mean_launch) {
      Finding f;
      f.kind = "launch-bound";
      f.title = "Launch-bound: kernels are as short as their launches";
      f.detail = "The GPU is busy " + percent(gpu.busy_share) + " of the time. " +
                 std::to_string(gpu.launch_count) + " launches take " +
                 format_duration(int64_t(mean_launch)) + " each on the CPU while kernels " +
                 "average " + format_duration(int64_t(mean_kernel)) +
                 ": the CPU cannot feed the GPU. Fuse kernels (torch.compile), batch more "
                 "work per launch, or capture CUDA graphs.";
      f.at_stake_ns = idle;
      f.start_ns = t0;
      f.end_ns = t1;
      out.push_back(std::move(f));
    } else if (input.verdict == InputVerdict::unknown && gpu.busy_share < 0.8 && gap_cpu_ns > 0 &&
               gap_input_ns * 2 > gap_cpu_ns) {
      // Without step and data ranges the profiler cannot diagnose; the GPU's
      // idle gaps still show what the CPU waited on.
      Finding f;
      f.kind = "input-bound";
      f.title = "Input-bound: the GPU waits for data";
      f.detail = "The GPU is busy " + percent(gpu.busy_share) +
                 " of the time, and in its largest idle gaps the CPU spends " +
                 percent(double(gap_input_ns) / double(gap_cpu_ns)) +
                 " of its time loading or preparing data. Use more loader workers, "
                 "prefetching or pinned memory before touching any kernel.";
      f.at_stake_ns = idle;
      f.start_ns = t0;
      f.end_ns = t1;
      out.push_back(std::move(f));
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const Finding& a, const Finding& b) {
    return a.at_stake_ns > b.at_stake_ns;
  });
  return out;
}

}  // namespace worthit::trace
