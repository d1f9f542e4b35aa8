#include "trace_workloads.h"

#include <map>

#include "worthit/reports/format.h"
#include "worthit/reports/hot_ops_section.h"
#include "worthit/trace/trace.h"

namespace worthit::cli {

TraceWorkloads trace_workloads(const std::string& trace_path, size_t top, double min_share) {
  const reports::Policy policy = reports::default_policy();
  const trace::Trace t = trace::read_trace(trace_path);
  // Every op, so that the filters below, not the report's row limit, decide.
  const trace::HotOpsReport hot = reports::analyze_hot_ops(t, policy, {}, size_t(1) << 20);
  const nlohmann::json rows = reports::hot_ops_to_json(hot, {}, reports::headroom_bar(policy));
  TraceWorkloads out;
  out.specs = {{"trace", trace_path}, {"ops", nlohmann::json::array()}};
  std::map<std::string, int> seen;
  for (size_t i = 0; i < hot.ops.size() && out.names.size() < top; ++i) {
    const trace::HotOp& op = hot.ops[i];
    const std::string label = op.name + " [" + op.signature + "]";
    if (op.share < min_share) break;               // rows are by time: the rest are smaller
    if (!op.name.starts_with("aten::")) continue;  // autograd nodes, record_function ranges
    std::string why;
    if (!op.cost)
      why = "no cost model (" + op.no_model + ")";
    else if (!op.delegated_to.empty())
      why = "a wrapper: its work is benchmarked as " + op.delegated_to;
    else if (op.cost->zero_work())
      why = "moves no data (a view or an allocation)";
    for (const auto& in : op.call.inputs)
      if (in.kind == trace::OpInput::Kind::other && why.empty())
        why = "an argument was not recorded (a device or generator)";
    if (!why.empty()) {
      out.notes.push_back(label + ": not benchmarked: " + why);
      continue;
    }
    std::string name = op.name + "[" + op.signature + "]";
    if (const int n = ++seen[name]; n > 1) name += "#" + std::to_string(n);  // other scalars
    nlohmann::json spec = rows["ops"][i];
    spec["workload"] = name;
    spec["op"] = op.name;
    out.specs["ops"].push_back(std::move(spec));
    out.names.push_back(name);
  }
  return out;
}

}  // namespace worthit::cli
