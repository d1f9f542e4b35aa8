// PyTorch op calls as a trace records them. worthit's ATen observer and
// torch.profiler (record_shapes=True) use the same argument names ("Input
// Dims", "Input type", "Concrete Inputs", "Sequence number", ...), so both
// kinds of trace read the same way (docs/trace-schema.md, "PyTorch ops").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "worthit/trace/trace.h"

namespace worthit::trace {

namespace category {
inline constexpr const char* kTorchOp = "cpu_op";             // ATen ops, autograd nodes
inline constexpr const char* kTorchUser = "user_annotation";  // record_function ranges
inline constexpr const char* kWorthitNote = "worthit";        // how a process was captured
inline constexpr const char* kTorchCaptureNote = "worthit torch capture";  // the note's name
inline constexpr const char* kCaptureWindow = "worthit capture";  // a stretch the observer recorded
}  // namespace category

struct OpInput {
  enum class Kind { none, tensor, tensor_list, scalar, scalar_list, string, other };
  Kind kind = Kind::none;
  std::string dtype;                         // tensor; tensor list: its elements' ("" unknown)
  std::vector<int64_t> shape;                // tensor
  std::vector<std::vector<int64_t>> shapes;  // tensor list (an empty one for a None element)
  std::string value;                         // scalar, scalar list, string: as recorded
  uint64_t storage = 0;  // identity of a tensor's data (worthit's observer only), 0 unknown
};

struct OpCall {
  std::string name;
  std::vector<OpInput> inputs;
  std::string device;  // "cpu", "cuda:0", or "" when not recorded (torch.profiler)
  int64_t sequence = -1;
  uint64_t forward_thread = 0;
  bool backward = false;        // an autograd node
  uint64_t output_storage = 0;  // identity of the first output's data, 0 unknown
};

// True for ATen ops, autograd nodes and record_function ranges.
bool is_torch_op(const Event& e);
// The op and its recorded inputs; nullopt when the event carries no shapes.
std::optional<OpCall> op_call(const Event& e);

// Bytes per element of a recorded dtype name ("float" 4, "c10::Half" 2,
// "long int" 8, ...; also "f32", "bf16", ...); 0 when unknown.
int dtype_bytes(std::string_view dtype);
// "f32", "f16", "bf16", "i64", ... for a recorded dtype name ("" when unknown).
std::string short_dtype(std::string_view dtype);
// The dtype a torch ScalarType number names (6 -> "float"), "" when unknown.
std::string dtype_of_scalar_type(int64_t scalar_type);

int64_t numel(const std::vector<int64_t>& shape);
// "32x128" ("scalar" for a 0-d tensor).
std::string shape_text(const std::vector<int64_t>& shape);
// Scalars as recorded: "1", "1.0000000000000001e-05", "True", "[2, 2]".
std::optional<double> scalar_number(const OpInput& in);
std::optional<std::vector<int64_t>> int_list(const OpInput& in);

// How each process's PyTorch ops were captured (the notes the start-up hook
// and the observer leave in the trace).
struct TorchCapture {
  int64_t processes = 0;  // processes that imported torch
  int64_t observer = 0;   // captured by the ATen observer
  int64_t fallback = 0;   // captured by torch.profiler instead
  int64_t ops = 0;
  int64_t dropped_ops = 0;
  int64_t intra_op_threads = 0;  // of the first process
  std::string torch_version;
  std::vector<std::string> reasons;  // why a process fell back or was not captured
};
TorchCapture torch_capture(const Trace& trace);

}  // namespace worthit::trace
