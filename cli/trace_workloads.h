// `worthit bench --from-trace`: the trace's hot ATen ops as workload specs
// for the Python workers (python/worthit/trace_ops.py), named after the op
// and its input shapes, with the bytes, FLOPs and share the trace library
// computed (docs/hot-ops.md).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace worthit::cli {

struct TraceWorkloads {
  std::vector<std::string> names;  // workload names, hottest first
  nlohmann::json specs;            // {"trace": path, "ops": [spec, ...]}
  std::vector<std::string> notes;  // hot ops left out, and why
};

// The top `top` ops by self time with a cost model and at least `min_share`
// of the step. Throws FileError for an unreadable trace.
TraceWorkloads trace_workloads(const std::string& trace_path, size_t top, double min_share);

}  // namespace worthit::cli
