#include "worthit/trace/hot_ops.h"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "worthit/trace/analysis.h"
#include "worthit/trace/time_math.h"

namespace worthit::trace {

namespace {

double amdahl(double share, double speedup) {
  if (speedup <= 0) return 1;
  share = std::clamp(share, 0.0, 1.0);
  return 1.0 / ((1.0 - share) + share / speedup);
}

std::string device_family(const std::string& device) {
  return device.substr(0, device.find(':'));  // "cuda:0" -> "cuda"
}

const Ceiling* ceiling_for(const std::vector<Ceiling>& ceilings, const std::string& device) {
  const std::string family = device.empty() ? "cpu" : device_family(device);
  for (const Ceiling& c : ceilings)
    if (c.device == family && c.bandwidth_gbs > 0 && c.peak_gflops > 0) return &c;
  return nullptr;
}

std::string input_text(const OpInput& in) {
  switch (in.kind) {
    case OpInput::Kind::tensor:
      return shape_text(in.shape) + ":" + short_dtype(in.dtype);
    case OpInput::Kind::tensor_list:
      return "list[" + std::to_string(in.shapes.size()) + "]" +
             (in.dtype.empty() ? "" : ":" + short_dtype(in.dtype));
    default:
      return "";
  }
}

// Tensor inputs, as shown; scalars join the grouping key only.
std::string signature_of(const OpCall& call) {
  std::string s;
  for (const auto& in : call.inputs) {
    const std::string t = input_text(in);
    if (!t.empty()) s += (s.empty() ? "" : ", ") + t;
  }
  return s;
}

std::string key_of(const OpCall& call) {
  std::string k = call.name + "|" + call.device + "|";
  for (const auto& in : call.inputs) k += input_text(in) + "=" + in.value + ";";
  return k;
}

bool is_launch(const Event& e) {
  return (e.category == category::kCudaRuntime || e.category == category::kCudaDriver) &&
         e.name.find("Launch") != std::string::npos;
}

std::optional<int64_t> correlation(const Event& e) {
  if (!e.args.is_object()) return std::nullopt;
  auto it = e.args.find("correlation");
  if (it == e.args.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int64_t>();
}

// Per pid, the merged step intervals.
using Intervals = std::vector<std::pair<int64_t, int64_t>>;
std::map<int64_t, Intervals> step_intervals(const Steps& steps) {
  std::map<int64_t, Intervals> out;
  for (const StepSpan& s : steps.spans) out[s.pid].emplace_back(s.start_ns, s.end_ns);
  for (auto& [pid, v] : out) {
    std::sort(v.begin(), v.end());
    Intervals merged;
    for (const auto& iv : v)
      if (!merged.empty() && iv.first <= merged.back().second)
        merged.back().second = std::max(merged.back().second, iv.second);
      else
        merged.push_back(iv);
    v = std::move(merged);
  }
  return out;
}

// The step a time falls in (its index in the merged list), or -1.
int64_t step_of(const Intervals& v, int64_t t) {
  auto it = std::upper_bound(v.begin(), v.end(), std::make_pair(t, kMaxTimeNs));
  if (it == v.begin()) return -1;
  --it;
  return t < it->second ? int64_t(it - v.begin()) : -1;
}

// What the analysis knows about one op slice.
struct OpSlice {
  int key = -1;            // index into the groups; -1 for slices that are not ops
  int64_t time_ns = 0;     // self time (CPU) or its kernels' time (GPU)
  int64_t step = -1;       // -1 outside the steps
  bool delegated = false;  // a modeled child does most of its work
};

struct Group {
  HotOp op;
  bool delegation_checked = false;
};

}  // namespace

const char* to_string(Headroom h) {
  switch (h) {
    case Headroom::room:
      return "room";
    case Headroom::framework_enough:
      return "framework-enough";
    case Headroom::no_cost_model:
      return "no-cost-model";
    case Headroom::no_work:
      return "no-work";
    case Headroom::delegated:
      return "delegated";
    case Headroom::no_ceiling:
      return "no-ceiling";
  }
  return "no-cost-model";
}

Headroom headroom_verdict(const HotOp& op, const HeadroomBar& bar, bool have_ceiling) {
  if (!op.cost) return Headroom::no_cost_model;
  if (!op.delegated_to.empty()) return Headroom::delegated;
  if (op.cost->zero_work()) return Headroom::no_work;
  if (!have_ceiling) return Headroom::no_ceiling;
  if (op.headroom < bar.min_op_speedup) return Headroom::framework_enough;
  if (op.step_bound - 1 < bar.min_step_gain) return Headroom::framework_enough;
  return Headroom::room;
}

std::map<std::string, NameHeadroom> headroom_by_name(const HotOpsReport& report) {
  std::map<std::string, std::pair<double, double>> sums;  // name -> (measured, roofline)
  for (const HotOp& op : report.ops) {
    if (op.roofline_ns <= 0 || op.calls == 0 || !op.delegated_to.empty()) continue;
    auto& s = sums[op.name];
    s.first += double(op.self_ns);
    s.second += op.roofline_ns * double(op.calls);
  }
  std::map<std::string, NameHeadroom> out;
  for (const auto& [name, s] : sums)
    if (s.first > 0 && s.second > 0) out[name] = {s.second / s.first, s.first / s.second};
  return out;
}

void sort_by_headroom(std::vector<HotOp>& ops) {
  auto at_stake = [](const HotOp& o) {
    const bool bounded = o.verdict == Headroom::room || o.verdict == Headroom::framework_enough;
    return bounded && o.headroom > 1 ? o.share * (1 - 1 / o.headroom) : -1.0;
  };
  std::stable_sort(ops.begin(), ops.end(), [&](const HotOp& a, const HotOp& b) {
    const double x = at_stake(a), y = at_stake(b);
    if (x != y) return x > y;
    return a.self_ns > b.self_ns;
  });
}

HotOpsReport hot_ops(const SliceIndex& index, const Steps& steps, const HotOpsOptions& options) {
  HotOpsReport report;
  CapturedSteps captured = captured_steps(index, steps);
  report.steps = std::move(captured.steps);
  report.sampled_steps = captured.sampled;
  report.all_steps = captured.all_steps;
  const Trace& trace = index.trace();
  const auto intervals = step_intervals(report.steps);
  const bool use_steps = !report.steps.spans.empty();
  report.step_ns =
      use_steps ? steps_union_ns(report.steps) : sub_saturating(index.end_ns(), index.start_ns());

  // GPU time per correlation id, attributed below to the op that launched it.
  std::unordered_map<int64_t, int64_t> kernel_ns;
  for (const Track& t : index.tracks()) {
    if (t.kind != TrackKind::gpu) continue;
    for (const Slice& s : t.slices) {
      const Event& e = trace.events[s.event];
      if (!is_gpu_work(e)) continue;
      if (const auto c = correlation(e))
        kernel_ns[*c] = add_saturating(kernel_ns[*c], s.end_ns - s.start_ns);
    }
  }

  std::vector<Group> groups;
  std::unordered_map<std::string, int> group_of;
  std::vector<std::vector<OpSlice>> info(index.tracks().size());
  // (pid, forward thread, sequence) -> the outermost forward op's name.
  std::map<std::tuple<int64_t, uint64_t, int64_t>, std::string> forward_ops;

  for (size_t ti = 0; ti < index.tracks().size(); ++ti) {
    const Track& t = index.tracks()[ti];
    if (t.kind != TrackKind::cpu) continue;
    auto& slices = info[ti];
    slices.resize(t.slices.size());
    const auto steps_it = intervals.find(t.pid);
    for (size_t i = 0; i < t.slices.size(); ++i) {
      const Slice& s = t.slices[i];
      const Event& e = trace.events[s.event];
      if (e.category != category::kTorchOp) continue;
      report.has_ops = true;
      const auto call = op_call(e);
      OpCall fallback;
      if (call) {
        report.has_shapes = true;
      } else {
        fallback.name = e.name;
      }
      const OpCall& c = call ? *call : fallback;
      if (c.sequence >= 0 && !c.backward)
        forward_ops.try_emplace({t.pid, c.forward_thread, c.sequence}, c.name);
      const std::string key = key_of(c);
      auto [it, added] = group_of.try_emplace(key, int(groups.size()));
      if (added) {
        Group g;
        g.op.name = c.name;
        g.op.signature = signature_of(c);
        g.op.device = c.device.empty() ? "cpu" : c.device;
        g.op.call = c;
        g.op.sequence = c.sequence;
        std::string why;
        g.op.cost = call ? op_cost(c, &why) : std::nullopt;
        g.op.no_model = call ? why : "shapes not recorded";
        groups.push_back(std::move(g));
      }
      OpSlice& op = slices[i];
      op.key = it->second;
      op.time_ns = std::max<int64_t>(s.self_ns, 0);
      op.step = use_steps
                    ? (steps_it == intervals.end() ? -1 : step_of(steps_it->second, s.start_ns))
                    : 0;
    }
    // Kernels: an op that launched GPU work is timed by that work.
    std::vector<int64_t> gpu(t.slices.size(), 0);
    bool any_gpu = false;
    for (size_t i = 0; i < t.slices.size(); ++i) {
      const Event& e = trace.events[t.slices[i].event];
      if (!is_launch(e)) continue;
      const auto c = correlation(e);
      const auto k = c ? kernel_ns.find(*c) : kernel_ns.end();
      if (k == kernel_ns.end()) continue;
      for (int32_t p = t.slices[i].parent; p >= 0; p = t.slices[size_t(p)].parent)
        if (slices[size_t(p)].key >= 0) {
          gpu[size_t(p)] = add_saturating(gpu[size_t(p)], k->second);
          any_gpu = true;
          break;
        }
    }
    if (any_gpu)
      for (size_t i = 0; i < t.slices.size(); ++i)
        if (gpu[i] > 0 || (slices[i].key >= 0 &&
                           device_family(groups[size_t(slices[i].key)].op.device) == "cuda"))
          slices[i].time_ns = gpu[i];
  }

  // Wrappers: an op whose direct child (with a cost model) does at least half
  // its bytes and FLOPs delegates its work (linear -> addmm, to -> _to_copy).
  for (size_t ti = 0; ti < index.tracks().size(); ++ti) {
    const Track& t = index.tracks()[ti];
    if (t.kind != TrackKind::cpu) continue;
    for (size_t i = 0; i < t.slices.size(); ++i) {
      const int32_t p = t.slices[i].parent;
      const OpSlice& child = info[ti][i];
      if (p < 0 || child.key < 0) continue;
      OpSlice& parent = info[ti][size_t(p)];
      if (parent.key < 0) continue;
      Group& pg = groups[size_t(parent.key)];
      const Group& cg = groups[size_t(child.key)];
      if (!pg.op.cost || !cg.op.cost) continue;
      const OpCost& a = *pg.op.cost;
      const OpCost& b = *cg.op.cost;
      if (b.bytes >= 0.5 * a.bytes && b.flops >= 0.5 * a.flops && (b.bytes > 0 || b.flops > 0)) {
        parent.delegated = true;
        if (pg.op.delegated_to.empty()) pg.op.delegated_to = cg.op.name;
      }
    }
  }

  // Rows: the calls inside the steps.
  for (size_t ti = 0; ti < index.tracks().size(); ++ti) {
    const Track& t = index.tracks()[ti];
    for (size_t i = 0; i < info[ti].size(); ++i) {
      const OpSlice& s = info[ti][i];
      if (s.key < 0 || s.step < 0) continue;
      HotOp& op = groups[size_t(s.key)].op;
      ++op.calls;
      op.self_ns = add_saturating(op.self_ns, s.time_ns);
      op.slices.push_back({int(ti), int32_t(i)});
      ++report.op_calls;
      report.op_self_ns = add_saturating(report.op_self_ns, s.time_ns);
      // Ops inside an autograd node differentiate its forward op.
      if (op.forward_of.empty())
        for (int32_t p = t.slices[i].parent; p >= 0; p = t.slices[size_t(p)].parent) {
          const auto call = op_call(trace.events[t.slices[size_t(p)].event]);
          if (!call || !call->backward || call->sequence < 0) continue;
          if (auto f = forward_ops.find({t.pid, call->forward_thread, call->sequence});
              f != forward_ops.end())
            op.forward_of = f->second;
          break;
        }
    }
  }

  for (Group& g : groups) {
    HotOp& op = g.op;
    if (op.calls == 0) continue;
    op.share = report.step_ns > 0 ? double(op.self_ns) / double(report.step_ns) : 0;
    const Ceiling* ceiling = ceiling_for(options.ceilings, op.device);
    // Without a ceiling, below one FLOP per byte is memory-bound on any machine.
    if (op.cost && op.cost->bytes > 0) op.memory_bound = op.cost->flops < op.cost->bytes;
    if (op.cost && !op.cost->zero_work() && op.self_ns > 0) {
      const double per_call = double(op.self_ns) / double(op.calls);
      op.achieved_gbs = op.cost->bytes / per_call;
      op.achieved_gflops = op.cost->flops / per_call;
      if (ceiling) {
        const double memory_ns = op.cost->bytes / ceiling->bandwidth_gbs;
        const double compute_ns = op.cost->flops / ceiling->peak_gflops;
        op.memory_bound = memory_ns >= compute_ns;
        op.roofline_ns = std::max(memory_ns, compute_ns);
        op.pct_bandwidth = op.achieved_gbs / ceiling->bandwidth_gbs;
        op.pct_flops = op.achieved_gflops / ceiling->peak_gflops;
        op.headroom = op.roofline_ns > 0 ? per_call / op.roofline_ns : 0;
        op.step_bound = amdahl(op.share, std::max(op.headroom, 1.0));
      }
    }
    op.verdict = headroom_verdict(op, options.bar, ceiling != nullptr);
    std::sort(op.slices.begin(), op.slices.end(), [&](SliceRef a, SliceRef b) {
      const Slice& x = index.slice(a);
      const Slice& y = index.slice(b);
      return sub_saturating(x.end_ns, x.start_ns) > sub_saturating(y.end_ns, y.start_ns);
    });
  }

  // Fusion hints: runs of sibling elementwise ops, memory-bound, with one
  // result shape and dtype, in one step; views between them do not break a run.
  struct Run {
    std::string signature;
    uint64_t last_output = 0;  // the storage the previous op wrote (0: not recorded)
    std::vector<SliceRef> slices;
    std::vector<int> keys;
    int64_t time_ns = 0;
  };
  std::map<std::string, FusionHint> hints;
  auto finish = [&](Run& run) {
    if (run.keys.size() < 2) return;
    const HotOp& first = groups[size_t(run.keys.front())].op;
    // Identical runs group across steps: the key leaves out the step ("@N").
    const std::string signature = run.signature.substr(0, run.signature.find('@'));
    std::string key = first.device + "|" + signature;
    for (int k : run.keys) key += "|" + groups[size_t(k)].op.name;
    FusionHint& h = hints[key];
    if (h.occurrences == 0) {
      h.signature = signature;
      h.device = first.device;
      h.first_run = run.slices;
      // A fused kernel reads what the chain reads from outside (each op's
      // reads but the previous result) and writes only the last result.
      const auto result = elementwise_result(first.call);
      const double out = result ? double(numel(result->shape)) * dtype_bytes(result->dtype) : 0;
      for (size_t r = 0; r < run.keys.size(); ++r) {
        const HotOp& op = groups[size_t(run.keys[r])].op;
        h.ops.push_back(op.name);
        const double reads = std::max(op.cost->bytes - out, 0.0);
        h.bytes_unfused += op.cost->bytes;
        h.bytes_fused += r == 0 ? reads : std::max(reads - out, 0.0);
      }
      h.bytes_fused += out;
    }
    ++h.occurrences;
    h.time_ns = add_saturating(h.time_ns, run.time_ns);
  };
  for (size_t ti = 0; ti < index.tracks().size(); ++ti) {
    const Track& t = index.tracks()[ti];
    if (t.kind != TrackKind::cpu) continue;
    std::map<int32_t, Run> open;  // per parent slice, the run being built
    for (size_t i = 0; i < info[ti].size(); ++i) {
      const OpSlice& op = info[ti][i];
      if (op.key < 0) continue;
      const HotOp& g = groups[size_t(op.key)].op;
      if (g.cost && g.cost->zero_work()) continue;
      std::string sig;
      if (op.step >= 0 && g.cost && g.cost->family == "elementwise" && !op.delegated &&
          g.memory_bound)
        if (const auto result = elementwise_result(g.call))
          sig = shape_text(result->shape) + ":" + short_dtype(result->dtype) + "@" +
                std::to_string(op.step);
      // With the observer's storage identities, an op continues the run only
      // when it reads what the previous op wrote; torch.profiler's traces
      // have none, and one shape and dtype stand in for "the same tensors".
      std::optional<OpCall> call;
      if (!sig.empty()) call = op_call(trace.events[t.slices[i].event]);
      const int32_t parent = t.slices[i].parent;
      auto it = open.find(parent);
      if (it != open.end()) {
        bool consumes = it->second.last_output == 0;
        if (call)
          for (const auto& in : call->inputs)
            consumes = consumes || (in.storage != 0 && in.storage == it->second.last_output);
        if (it->second.signature != sig || !consumes) {
          finish(it->second);
          open.erase(it);
        }
      }
      if (sig.empty()) continue;
      Run& run = open[parent];
      run.signature = sig;
      run.last_output = call ? call->output_storage : 0;
      run.slices.push_back({int(ti), int32_t(i)});
      run.keys.push_back(op.key);
      run.time_ns = add_saturating(run.time_ns, op.time_ns);
    }
    for (auto& [parent, run] : open) finish(run);
  }
  for (auto& [key, h] : hints) {
    h.share = report.step_ns > 0 ? double(h.time_ns) / double(report.step_ns) : 0;
    const Ceiling* ceiling = ceiling_for(options.ceilings, h.device);
    if (ceiling && h.bytes_fused > 0) {
      h.fused_roofline_ns = h.bytes_fused / ceiling->bandwidth_gbs;
      h.headroom = double(h.time_ns) / double(h.occurrences) / h.fused_roofline_ns;
      h.step_bound = amdahl(h.share, std::max(h.headroom, 1.0));
    }
    report.fusion.push_back(std::move(h));
  }
  std::stable_sort(report.fusion.begin(), report.fusion.end(),
                   [](const FusionHint& a, const FusionHint& b) { return a.time_ns > b.time_ns; });
  if (report.fusion.size() > options.max_fusion_hints)
    report.fusion.resize(options.max_fusion_hints);

  std::vector<HotOp> rows;
  for (Group& g : groups)
    if (g.op.calls > 0) rows.push_back(std::move(g.op));
  std::stable_sort(rows.begin(), rows.end(),
                   [](const HotOp& a, const HotOp& b) { return a.self_ns > b.self_ns; });
  if (rows.size() > options.top) rows.resize(options.top);
  report.ops = std::move(rows);
  return report;
}

}  // namespace worthit::trace
