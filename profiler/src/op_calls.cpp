#include "worthit/trace/op_calls.h"

#include <charconv>
#include <cstdlib>
#include <set>

namespace worthit::trace {

namespace {

const nlohmann::json* find(const nlohmann::json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

std::vector<int64_t> dims_of(const nlohmann::json& j) {
  std::vector<int64_t> out;
  if (!j.is_array()) return out;
  for (const auto& d : j)
    if (d.is_number_integer()) out.push_back(d.get<int64_t>());
  return out;
}

bool is_dims_list(const nlohmann::json& j) {
  return j.is_array() && !j.empty() && j.front().is_array();
}

struct DtypeInfo {
  const char* name;  // as torch names it (caffe2 TypeMeta, like torch.profiler)
  const char* short_name;
  int bytes;
};
// Indexed by torch's ScalarType number (stable: torch serializes it).
constexpr DtypeInfo kDtypes[] = {
    {"unsigned char", "u8", 1},
    {"signed char", "i8", 1},
    {"short int", "i16", 2},
    {"int", "i32", 4},
    {"long int", "i64", 8},
    {"c10::Half", "f16", 2},
    {"float", "f32", 4},
    {"double", "f64", 8},
    {"c10::complex<c10::Half>", "c32", 4},
    {"c10::complex<float>", "c64", 8},
    {"c10::complex<double>", "c128", 16},
    {"bool", "bool", 1},
    {"c10::qint8", "qi8", 1},
    {"c10::quint8", "qu8", 1},
    {"c10::qint32", "qi32", 4},
    {"c10::BFloat16", "bf16", 2},
};

}  // namespace

bool is_torch_op(const Event& e) {
  return e.category == category::kTorchOp || e.category == category::kTorchUser;
}

int dtype_bytes(std::string_view dtype) {
  for (const auto& d : kDtypes)
    if (dtype == d.name || dtype == d.short_name) return d.bytes;
  if (dtype.starts_with("c10::Float8") || dtype == "f8") return 1;
  if (dtype == "unsigned short" || dtype == "u16") return 2;
  if (dtype == "unsigned int" || dtype == "u32") return 4;
  if (dtype == "unsigned long" || dtype == "u64" || dtype == "long") return 8;
  return 0;
}

std::string short_dtype(std::string_view dtype) {
  for (const auto& d : kDtypes)
    if (dtype == d.name || dtype == d.short_name) return d.short_name;
  return dtype_bytes(dtype) ? std::string(dtype) : "";
}

std::string dtype_of_scalar_type(int64_t scalar_type) {
  if (scalar_type < 0 || scalar_type >= int64_t(std::size(kDtypes))) return "";
  return kDtypes[scalar_type].name;
}

int64_t numel(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= std::max<int64_t>(d, 0);
  return n;
}

std::string shape_text(const std::vector<int64_t>& shape) {
  if (shape.empty()) return "scalar";
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? "x" : "") + std::to_string(shape[i]);
  return s;
}

std::optional<double> scalar_number(const OpInput& in) {
  if (in.kind != OpInput::Kind::scalar) return std::nullopt;
  if (in.value == "True") return 1.0;
  if (in.value == "False") return 0.0;
  char* end = nullptr;
  const double v = std::strtod(in.value.c_str(), &end);
  if (end == in.value.c_str()) return std::nullopt;
  return v;
}

std::optional<std::vector<int64_t>> int_list(const OpInput& in) {
  if (in.kind == OpInput::Kind::scalar) {
    const auto v = scalar_number(in);
    if (!v) return std::nullopt;
    return std::vector<int64_t>{int64_t(*v)};
  }
  if (in.kind != OpInput::Kind::scalar_list) return std::nullopt;
  std::vector<int64_t> out;
  const std::string& s = in.value;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == '[' || s[i] == ']' || s[i] == ',' || s[i] == ' ')) ++i;
    if (i >= s.size()) break;
    int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data() + i, s.data() + s.size(), v);
    if (ec != std::errc()) return std::nullopt;
    out.push_back(v);
    i = size_t(p - s.data());
  }
  return out;
}

std::optional<OpCall> op_call(const Event& e) {
  if (!is_torch_op(e)) return std::nullopt;
  const nlohmann::json* dims = find(e.args, "Input Dims");
  const nlohmann::json* types = find(e.args, "Input type");
  if (!dims || !types || !dims->is_array() || !types->is_array()) return std::nullopt;
  const nlohmann::json* concrete = find(e.args, "Concrete Inputs");
  const nlohmann::json* list_types = find(e.args, "Input List Types");
  const nlohmann::json* storage = find(e.args, "Input Storage");
  OpCall call;
  call.name = e.name;
  for (size_t i = 0; i < types->size(); ++i) {
    OpInput in;
    const std::string type = (*types)[i].is_string() ? (*types)[i].get<std::string>() : "";
    const nlohmann::json& d = i < dims->size() ? (*dims)[i] : nlohmann::json();
    if (concrete && concrete->is_array() && i < concrete->size() && (*concrete)[i].is_string())
      in.value = (*concrete)[i].get<std::string>();
    if (type.empty()) {
      in.kind = OpInput::Kind::none;
    } else if (type == "TensorList") {
      in.kind = OpInput::Kind::tensor_list;
      if (d.is_array())
        for (const auto& item : d) in.shapes.push_back(dims_of(item));
      if (list_types && list_types->is_array() && i < list_types->size() &&
          (*list_types)[i].is_string())
        in.dtype = (*list_types)[i].get<std::string>();
    } else if (type == "Scalar") {
      in.kind = OpInput::Kind::scalar;
    } else if (type == "ScalarList") {
      in.kind = OpInput::Kind::scalar_list;
    } else if (type == "str") {
      in.kind = OpInput::Kind::string;
    } else if (dtype_bytes(type) > 0 && !is_dims_list(d)) {
      in.kind = OpInput::Kind::tensor;
      in.dtype = type;
      in.shape = dims_of(d);
      if (storage && storage->is_array() && i < storage->size() &&
          (*storage)[i].is_number_integer())
        in.storage = (*storage)[i].get<uint64_t>();
    } else {
      in.kind = OpInput::Kind::other;
    }
    call.inputs.push_back(std::move(in));
  }
  if (const auto* dev = find(e.args, "Device"); dev && dev->is_string())
    call.device = dev->get<std::string>();
  if (const auto* seq = find(e.args, "Sequence number"); seq && seq->is_number_integer())
    call.sequence = seq->get<int64_t>();
  if (const auto* fwd = find(e.args, "Fwd thread id"); fwd && fwd->is_number_integer())
    call.forward_thread = fwd->get<uint64_t>();
  if (const auto* out = find(e.args, "Output Storage"); out && out->is_number_integer())
    call.output_storage = out->get<uint64_t>();
  if (const auto* scope = find(e.args, "Scope"); scope && scope->is_string())
    call.backward = scope->get<std::string>() == "backward";
  return call;
}

TorchCapture torch_capture(const Trace& trace) {
  TorchCapture c;
  std::set<std::string> reasons;
  for (const Event& e : trace.events) {
    if (e.category != category::kWorthitNote || e.name != category::kTorchCaptureNote) continue;
    const std::string mode = e.args.is_object() ? e.args.value("mode", "") : "";
    ++c.processes;
    if (mode == "observer")
      ++c.observer;
    else if (mode == "torch.profiler")
      ++c.fallback;
    c.ops += e.args.value("ops", int64_t{0});
    c.dropped_ops += e.args.value("dropped_ops", int64_t{0});
    if (c.torch_version.empty()) c.torch_version = e.args.value("torch_version", "");
    if (c.intra_op_threads == 0) c.intra_op_threads = e.args.value("intra_op_threads", int64_t{0});
    if (const std::string why = e.args.value("reason", ""); !why.empty()) reasons.insert(why);
  }
  c.reasons.assign(reasons.begin(), reasons.end());
  return c;
}

}  // namespace worthit::trace
