#include "worthit/reports/hot_ops_section.h"

#include <cstdio>

#include <nlohmann/json.hpp>

#include "worthit/reports/format.h"
#include "worthit/results/machine.h"
#include "worthit/trace/hot_ops_text.h"
#include "worthit/trace/slices.h"
#include "worthit/trace/steps.h"

namespace worthit::reports {

using trace::fusion_sentence;
using trace::headroom_sentence;

namespace {

using nlohmann::json;

std::string fixed(double v, int decimals) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string clip(const std::string& s, size_t n) {
  return s.size() <= n ? s : s.substr(0, n - 3) + "...";
}

// Short form for the console's verdict column.
std::string verdict_short(const trace::HotOp& op) {
  switch (op.verdict) {
    case trace::Headroom::room:
      return "room: bench it";
    case trace::Headroom::framework_enough:
      return "framework is enough";
    case trace::Headroom::no_cost_model:
      return "no cost model";
    case trace::Headroom::no_work:
      return "view/allocation";
    case trace::Headroom::delegated:
      return "work in " + op.delegated_to;
    case trace::Headroom::no_ceiling:
      return "uncalibrated";
  }
  return "";
}

std::string steps_text(const trace::HotOpsReport& r) {
  if (r.steps.spans.empty())
    return "no steps found, so the whole trace (" + format_duration(double(r.step_ns)) + ")";
  const std::string sampled = r.sampled_steps ? " captured of " + std::to_string(r.all_steps) : "";
  return std::to_string(r.steps.spans.size()) + sampled + " steps (" + r.steps.source + "), " +
         format_duration(double(r.step_ns));
}

std::string ceilings_text(const std::vector<trace::Ceiling>& ceilings) {
  if (ceilings.empty())
    return "no calibration: run `worthit calibrate` for GB/s and FLOP/s ceilings";
  std::string s;
  for (const auto& c : ceilings)
    s += (s.empty() ? "" : "; ") + c.device + " " + fixed(c.bandwidth_gbs, 1) + " GB/s, " +
         fixed(c.peak_gflops, 1) + " GFLOP/s" +
         (c.threads > 0 ? " (" + std::to_string(c.threads) + " threads)" : "");
  return s;
}

}  // namespace

trace::HeadroomBar headroom_bar(const Policy& policy) {
  trace::HeadroomBar bar;
  bar.min_step_gain = policy.min_end_to_end_gain;
  if (auto it = policy.required_speedup.find("low"); it != policy.required_speedup.end())
    bar.min_op_speedup = it->second;
  return bar;
}

std::vector<trace::Ceiling> ceilings_of(const std::optional<Calibration>& cpu,
                                        const std::optional<Calibration>& gpu) {
  std::vector<trace::Ceiling> out;
  for (const auto* c : {&cpu, &gpu}) {
    if (!*c || (*c)->memory_bandwidth_gbs <= 0 || (*c)->peak_gflops <= 0) continue;
    trace::Ceiling ceiling;
    ceiling.device = (*c)->device.substr(0, (*c)->device.find(':'));
    ceiling.bandwidth_gbs = (*c)->memory_bandwidth_gbs;
    ceiling.peak_gflops = (*c)->peak_gflops;
    ceiling.threads = (*c)->threads;
    out.push_back(ceiling);
  }
  return out;
}

std::vector<trace::Ceiling> calibrated_ceilings(const std::filesystem::path& cpu_path) {
  return ceilings_of(load_calibration(cpu_path), load_calibration(gpu_calibration_path(cpu_path)));
}

trace::Steps policy_steps(const trace::SliceIndex& index, const Policy& policy) {
  if (policy.step_patterns.empty()) return trace::find_steps(index);
  return trace::find_steps(index, [&](std::string_view name) {
    for (const auto& g : policy.step_patterns)
      if (glob_match(g, name)) return true;
    return false;
  });
}

trace::HotOpsReport analyze_hot_ops(const trace::Trace& trace, const Policy& policy,
                                    const std::vector<trace::Ceiling>& ceilings, size_t top) {
  const trace::SliceIndex index(trace);
  trace::HotOpsOptions options;
  options.top = top;
  options.bar = headroom_bar(policy);
  options.ceilings = ceilings;
  return trace::hot_ops(index, policy_steps(index, policy), options);
}

json hot_ops_to_json(const trace::HotOpsReport& r, const std::vector<trace::Ceiling>& ceilings,
                     const trace::HeadroomBar& bar) {
  json ops = json::array();
  for (const auto& op : r.ops) {
    json inputs = json::array();
    for (const auto& in : op.call.inputs) {
      json i = {{"kind", [&] {
                   switch (in.kind) {
                     case trace::OpInput::Kind::tensor:
                       return "tensor";
                     case trace::OpInput::Kind::tensor_list:
                       return "tensor_list";
                     case trace::OpInput::Kind::scalar:
                       return "scalar";
                     case trace::OpInput::Kind::scalar_list:
                       return "scalar_list";
                     case trace::OpInput::Kind::string:
                       return "string";
                     case trace::OpInput::Kind::other:
                       return "other";
                     case trace::OpInput::Kind::none:
                       return "none";
                   }
                   return "none";
                 }()}};
      if (!in.dtype.empty()) i["dtype"] = in.dtype;
      if (in.kind == trace::OpInput::Kind::tensor) i["shape"] = in.shape;
      if (in.kind == trace::OpInput::Kind::tensor_list) i["shapes"] = in.shapes;
      if (!in.value.empty()) i["value"] = in.value;
      inputs.push_back(std::move(i));
    }
    json j = {{"name", op.name},
              {"signature", op.signature},
              {"device", op.device},
              {"inputs", std::move(inputs)},
              {"calls", op.calls},
              {"self_ns", op.self_ns},
              {"share", op.share},
              {"verdict", trace::to_string(op.verdict)},
              {"reason", headroom_sentence(op, bar)}};
    if (op.cost) {
      j["family"] = op.cost->family;
      j["bytes"] = op.cost->bytes;
      j["flops"] = op.cost->flops;
    } else {
      j["no_cost_model"] = op.no_model;
    }
    if (op.roofline_ns > 0) {
      j["achieved_gbs"] = op.achieved_gbs;
      j["achieved_gflops"] = op.achieved_gflops;
      j["pct_bandwidth"] = op.pct_bandwidth;
      j["pct_flops"] = op.pct_flops;
      j["roofline_ns"] = op.roofline_ns;
      j["headroom"] = op.headroom;
      j["step_bound"] = op.step_bound;
      j["memory_bound"] = op.memory_bound;
    }
    if (!op.delegated_to.empty()) j["delegated_to"] = op.delegated_to;
    if (!op.forward_of.empty()) j["forward_of"] = op.forward_of;
    if (op.sequence >= 0) j["sequence"] = op.sequence;
    ops.push_back(std::move(j));
  }
  json fusion = json::array();
  for (const auto& h : r.fusion) {
    json j = {{"ops", h.ops},
              {"signature", h.signature},
              {"device", h.device},
              {"occurrences", h.occurrences},
              {"time_ns", h.time_ns},
              {"share", h.share},
              {"bytes_unfused", h.bytes_unfused},
              {"bytes_fused", h.bytes_fused},
              {"bytes_saved", h.bytes_unfused - h.bytes_fused},
              {"framework_fix", "torch.compile"},
              {"reason", fusion_sentence(h)}};
    if (h.headroom > 0) {
      j["headroom"] = h.headroom;
      j["step_bound"] = h.step_bound;
    }
    fusion.push_back(std::move(j));
  }
  json c = json::array();
  for (const auto& x : ceilings)
    c.push_back({{"device", x.device},
                 {"bandwidth_gbs", x.bandwidth_gbs},
                 {"peak_gflops", x.peak_gflops},
                 {"threads", x.threads}});
  return {{"steps",
           {{"source", r.steps.source},
            {"count", r.steps.spans.size()},
            {"from_optimizer", r.steps.from_optimizer},
            {"time_ns", r.step_ns},
            {"sampled_steps", r.sampled_steps},
            {"all_steps", r.all_steps}}},
          {"op_calls", r.op_calls},
          {"op_self_ns", r.op_self_ns},
          {"has_shapes", r.has_shapes},
          {"ceilings", std::move(c)},
          {"bar", {{"min_step_gain", bar.min_step_gain}, {"min_op_speedup", bar.min_op_speedup}}},
          {"ops", std::move(ops)},
          {"fusion", std::move(fusion)}};
}

std::string hot_ops_to_markdown(const trace::HotOpsReport& r,
                                const std::vector<trace::Ceiling>& ceilings,
                                const trace::HeadroomBar& bar) {
  std::string md = "## Hot ops\n\n";
  if (!r.has_ops)
    return md +
           "The trace has no PyTorch ops (profile the program with `worthit profile`, which "
           "captures them, or torch.profiler with `record_shapes=True`).\n\n";
  md += "Over " + steps_text(r) + "; ceilings: " + ceilings_text(ceilings) +
        ". The bound is measured time over roofline time: the most any kernel could speed "
        "the op up, and with its share, the step (docs/hot-ops.md).\n\n";
  md +=
      "| op | inputs | calls | self | share | GB/s | GFLOP/s | of ceiling | op bound | step "
      "bound | verdict |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n";
  for (const auto& op : r.ops) {
    const bool bounded = op.roofline_ns > 0;
    md += "| `" + op.name + "` | " + op.signature + " | " + std::to_string(op.calls) + " | " +
          format_duration(double(op.self_ns)) + " | " + format_percent(op.share) + " | " +
          (op.achieved_gbs > 0 ? fixed(op.achieved_gbs, 2) : "-") + " | " +
          (op.achieved_gflops > 0 ? fixed(op.achieved_gflops, 2) : "-") + " | " +
          (bounded ? format_percent(std::max(op.pct_bandwidth, op.pct_flops)) : "-") + " | " +
          (bounded ? format_ratio(std::max(op.headroom, 1.0)) : "-") + " | " +
          (bounded ? format_ratio(op.step_bound) : "-") + " | " + headroom_sentence(op, bar) +
          " |\n";
  }
  md += "\n";
  if (!r.fusion.empty()) {
    md += "### Fusion hints\n\n";
    for (const auto& h : r.fusion) md += "- " + fusion_sentence(h) + "\n";
    md += "\n";
  }
  return md;
}

std::string hot_ops_to_text(const trace::HotOpsReport& r,
                            const std::vector<trace::Ceiling>& ceilings,
                            const trace::HeadroomBar& bar) {
  (void)bar;
  std::string out;
  char line[512];
  out += "\nHot PyTorch ops by self time, over " + steps_text(r) + ":\n";
  std::snprintf(line, sizeof line, "  %-30s %-34s %6s %10s %6s %8s %8s %6s %6s %6s  %s\n", "op",
                "inputs", "calls", "self", "share", "GB/s", "GFLOP/s", "ceil", "bound", "step",
                "verdict");
  out += line;
  for (const auto& op : r.ops) {
    const bool bounded = op.roofline_ns > 0;
    std::snprintf(
        line, sizeof line, "  %-30s %-34s %6lld %10s %6s %8s %8s %6s %6s %6s  %s\n",
        clip(op.name, 30).c_str(), clip(op.signature, 34).c_str(), static_cast<long long>(op.calls),
        format_duration(double(op.self_ns)).c_str(), format_percent(op.share).c_str(),
        op.achieved_gbs > 0 ? fixed(op.achieved_gbs, 2).c_str() : "-",
        op.achieved_gflops > 0 ? fixed(op.achieved_gflops, 2).c_str() : "-",
        bounded ? format_percent(std::max(op.pct_bandwidth, op.pct_flops), 0).c_str() : "-",
        bounded ? format_ratio(std::max(op.headroom, 1.0)).c_str() : "-",
        bounded ? format_ratio(op.step_bound).c_str() : "-", verdict_short(op).c_str());
    out += line;
  }
  out += "  ceilings: " + ceilings_text(ceilings) +
         "; bound = measured / roofline time (the most any kernel could buy), step = that with "
         "Amdahl\n";
  for (const auto& h : r.fusion) out += "  fusion: " + fusion_sentence(h) + "\n";
  return out;
}

}  // namespace worthit::reports
