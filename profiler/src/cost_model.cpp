#include "worthit/trace/cost_model.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

namespace worthit::trace {

namespace {

using Shape = std::vector<int64_t>;
using Kind = OpInput::Kind;

struct Ctx {
  const OpCall& call;
  std::string base;  // name without "aten::"
  bool inplace;      // trailing '_' (add_, relu_)
  std::string* why;

  std::nullopt_t fail(const std::string& reason) const {
    if (why) *why = reason;
    return std::nullopt;
  }
  const OpInput* at(size_t i) const { return i < call.inputs.size() ? &call.inputs[i] : nullptr; }
  const OpInput* tensor_at(size_t i) const {
    const OpInput* in = at(i);
    return in && in->kind == Kind::tensor ? in : nullptr;
  }
  std::vector<const OpInput*> tensors() const {
    std::vector<const OpInput*> out;
    for (const auto& in : call.inputs)
      if (in.kind == Kind::tensor) out.push_back(&in);
    return out;
  }
};

using Result = std::optional<OpCost>;
using Handler = std::function<Result(const Ctx&)>;

double bytes_of(const OpInput& t) { return double(numel(t.shape)) * dtype_bytes(t.dtype); }

OpCost cost(const char* family, double bytes, double flops) { return {family, bytes, flops}; }

std::optional<Shape> broadcast(const std::vector<const Shape*>& shapes) {
  size_t rank = 0;
  for (const Shape* s : shapes) rank = std::max(rank, s->size());
  Shape out(rank, 1);
  for (const Shape* s : shapes)
    for (size_t i = 0; i < s->size(); ++i) {
      int64_t& o = out[rank - s->size() + i];
      const int64_t d = (*s)[i];
      if (d == o || d == 1) continue;
      if (o != 1) return std::nullopt;
      o = d;
    }
  return out;
}

bool is_float(const std::string& dtype) {
  const std::string s = short_dtype(dtype);
  return s.starts_with("f") || s == "bf16" || s.starts_with("c");
}

// The result dtype of an elementwise op over `operands` (torch's promotion,
// simplified: dimensioned tensors decide; a float beats an integer; wider wins).
std::string result_dtype(const std::vector<const OpInput*>& operands) {
  std::string best;
  bool any_dims = false;
  for (const OpInput* t : operands) any_dims = any_dims || !t->shape.empty();
  for (const OpInput* t : operands) {
    if (any_dims && t->shape.empty()) continue;
    if (best.empty() || (is_float(t->dtype) && !is_float(best)) ||
        (is_float(t->dtype) == is_float(best) && dtype_bytes(t->dtype) > dtype_bytes(best)))
      best = t->dtype;
  }
  return best;
}

// ---- elementwise -------------------------------------------------------------

struct Elementwise {
  int max_operands;  // tensors that are operands; one more tensor is `out=`
  double flops;      // per output element
  bool bool_out = false;
  bool write_only = false;  // fills: nothing is read
};

const std::map<std::string, Elementwise>& elementwise_ops() {
  static const std::map<std::string, Elementwise> ops = [] {
    std::map<std::string, Elementwise> m;
    for (const char* n :
         {"relu",  "neg",   "abs",       "sign",      "square",    "reciprocal",  "sqrt", "exp",
          "exp2",  "expm1", "log",       "log2",      "log10",     "log1p",       "sin",  "cos",
          "tan",   "tanh",  "erf",       "erfc",      "erfinv",    "floor",       "ceil", "round",
          "trunc", "frac",  "clamp_min", "clamp_max", "threshold", "bitwise_not", "sgn"})
      m[n] = {1, 1};
    m["rsqrt"] = {1, 2};
    m["sigmoid"] = {1, 3};
    m["silu"] = {1, 4};
    m["gelu"] = {1, 5};  // 0.5 x (1 + erf(x / sqrt 2)); the tanh form is 9 (see op_cost)
    m["hardtanh"] = {1, 2};
    m["relu6"] = {1, 2};
    m["leaky_relu"] = {1, 2};
    m["elu"] = {1, 3};
    m["selu"] = {1, 4};
    m["celu"] = {1, 4};
    m["softplus"] = {1, 3};
    m["mish"] = {1, 5};
    m["hardswish"] = {1, 4};
    m["hardsigmoid"] = {1, 3};
    m["nan_to_num"] = {1, 2};
    for (const char* n : {"logical_not", "isnan", "isinf", "isfinite", "signbit"})
      m[n] = {1, 1, true};
    for (const char* n : {"add",
                          "sub",
                          "rsub",
                          "mul",
                          "div",
                          "true_divide",
                          "floor_divide",
                          "remainder",
                          "fmod",
                          "pow",
                          "atan2",
                          "maximum",
                          "minimum",
                          "fmax",
                          "fmin",
                          "hypot",
                          "copysign",
                          "xlogy",
                          "bitwise_and",
                          "bitwise_or",
                          "bitwise_xor",
                          "masked_fill",
                          "threshold_backward",
                          "hardtanh_backward",
                          "leaky_relu_backward",
                          "mse_loss_backward"})
      m[n] = {2, 1};
    for (const char* n :
         {"eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or", "logical_xor"})
      m[n] = {2, 1, true};
    m["sigmoid_backward"] = {2, 3};
    m["tanh_backward"] = {2, 3};
    m["silu_backward"] = {2, 8};
    m["gelu_backward"] = {2, 12};
    m["elu_backward"] = {2, 4};
    m["softplus_backward"] = {2, 5};
    m["where"] = {3, 1};
    m["addcmul"] = {3, 3};
    m["addcdiv"] = {3, 3};
    m["lerp"] = {3, 3};
    m["clamp"] = {3, 2};
    m["clip"] = {3, 2};
    for (const char* n :
         {"fill", "zero", "uniform", "normal", "bernoulli", "random", "exponential"})
      m[n] = {1, 1, false, true};
    return m;
  }();
  return ops;
}

// Operands (an out= tensor split off), the result's shape and dtype.
struct ElementwiseShape {
  std::vector<const OpInput*> operands;
  TensorSpec result;
};

std::optional<ElementwiseShape> elementwise_shape(const Ctx& c, const Elementwise& e) {
  ElementwiseShape r;
  r.operands = c.tensors();
  if (r.operands.empty()) return c.fail("no tensor input recorded");
  const OpInput* out = nullptr;
  if (!c.inplace && int(r.operands.size()) > e.max_operands) {
    out = r.operands.back();  // the out= argument
    r.operands.pop_back();
  }
  std::vector<const Shape*> shapes;
  for (const OpInput* t : r.operands) shapes.push_back(&t->shape);
  const auto shape = broadcast(shapes);
  if (!shape) return c.fail("input shapes do not broadcast");
  r.result.shape = *shape;
  r.result.dtype = out          ? out->dtype
                   : c.inplace  ? r.operands.front()->dtype
                   : e.bool_out ? "bool"
                                : result_dtype(r.operands);
  if (dtype_bytes(r.result.dtype) == 0) return c.fail("unknown dtype");
  return r;
}

Result elementwise(const Ctx& c, const Elementwise& e) {
  const auto shape = elementwise_shape(c, e);
  if (!shape) return std::nullopt;
  const auto& tensors = shape->operands;
  const double n = double(numel(shape->result.shape));
  double bytes = n * dtype_bytes(shape->result.dtype);
  if (!e.write_only)
    for (const OpInput* t : tensors) bytes += bytes_of(*t);
  double flops = e.flops;
  if (c.base == "gelu" || c.base == "gelu_backward")
    for (const auto& in : c.call.inputs)
      if (in.kind == Kind::string && in.value == "tanh") flops = c.base == "gelu" ? 9 : 16;
  if ((c.base == "add" || c.base == "sub") && c.call.inputs.size() > 2)
    if (const auto alpha = scalar_number(c.call.inputs[2]); alpha && *alpha != 1) flops = 2;
  return cost("elementwise", bytes, flops * n);
}

// ---- foreach (the optimizers' multi-tensor ops) ------------------------------

Result foreach_op(const Ctx& c, const std::string& op) {
  if (op == "norm") {
    const OpInput* list = c.at(0);
    if (!list || list->kind != Kind::tensor_list) return c.fail("no tensor list recorded");
    if (dtype_bytes(list->dtype) == 0) return c.fail("the list's dtype is not recorded");
    double n = 0;
    for (const auto& s : list->shapes) n += double(numel(s));
    return cost(
        "reduction",
        n * dtype_bytes(list->dtype) + double(list->shapes.size()) * dtype_bytes(list->dtype),
        2 * n);
  }
  const auto& ops = elementwise_ops();
  const std::string key = op == "copy" ? "add" : op;
  auto it = ops.find(key);
  if (it == ops.end()) return c.fail("no cost model for _foreach_" + op);
  std::vector<const OpInput*> lists;
  std::string dtype;
  for (const auto& in : c.call.inputs)
    if (in.kind == Kind::tensor_list) {
      lists.push_back(&in);
      if (dtype.empty()) dtype = in.dtype;
    }
  if (lists.empty()) return c.fail("no tensor list recorded");
  if (dtype_bytes(dtype) == 0) return c.fail("the lists' dtype is not recorded");
  const size_t count = lists.front()->shapes.size();
  double elements = 0, bytes = 0;
  for (size_t i = 0; i < count; ++i) {
    const double n = double(numel(lists.front()->shapes[i]));
    elements += n;
    bytes += n * dtype_bytes(dtype);  // the result, written once
    if (it->second.write_only) continue;
    for (size_t l = 0; l < lists.size(); ++l) {
      if (op == "copy" && l == 0) continue;  // copy_ only writes its destination
      if (i < lists[l]->shapes.size())
        bytes += double(numel(lists[l]->shapes[i])) * dtype_bytes(dtype);
    }
  }
  return cost("elementwise", bytes, op == "copy" ? 0 : it->second.flops * elements);
}

// Adam(W) with fused=True: reads param, grad, exp_avg, exp_avg_sq; writes param,
// exp_avg, exp_avg_sq; about 12 operations per element.
Result fused_adam(const Ctx& c) {
  const OpInput* params = c.at(0);
  if (!params || params->kind != Kind::tensor_list) return c.fail("no tensor list recorded");
  if (dtype_bytes(params->dtype) == 0) return c.fail("the lists' dtype is not recorded");
  double n = 0;
  for (const auto& s : params->shapes) n += double(numel(s));
  return cost("elementwise", 7 * n * dtype_bytes(params->dtype), 12 * n);
}

// ---- GEMM ----------------------------------------------------------------------

Result gemm(const Ctx& c) {
  const std::string& b = c.base;
  auto need = [&](size_t i, size_t rank) -> const OpInput* {
    const OpInput* t = c.tensor_at(i);
    return t && t->shape.size() == rank ? t : nullptr;
  };
  if (b == "mm" || b == "addmm" || b == "_addmm_activation" || b == "addmm_") {
    const size_t off = b == "mm" ? 0 : 1;
    const OpInput* x = need(off, 2);
    const OpInput* w = need(off + 1, 2);
    if (!x || !w || x->shape[1] != w->shape[0]) return c.fail("matrix shapes not recorded");
    const double m = double(x->shape[0]), k = double(x->shape[1]), n = double(w->shape[1]);
    const int es = dtype_bytes(x->dtype);
    double bytes = (m * k + k * n + m * n) * es, flops = 2 * m * k * n;
    if (off == 1) {
      const OpInput* bias = c.tensor_at(0);
      if (bias) bytes += bytes_of(*bias);
      if (b == "addmm_") bytes += m * n * es;  // the result is read as the bias too
      flops += 2 * m * n;
    }
    return cost("gemm", bytes, flops);
  }
  if (b == "bmm" || b == "baddbmm" || b == "addbmm") {
    const size_t off = b == "bmm" ? 0 : 1;
    const OpInput* x = need(off, 3);
    const OpInput* w = need(off + 1, 3);
    if (!x || !w || x->shape[0] != w->shape[0] || x->shape[2] != w->shape[1])
      return c.fail("batched matrix shapes not recorded");
    const double batch = double(x->shape[0]), m = double(x->shape[1]), k = double(x->shape[2]),
                 n = double(w->shape[2]);
    const int es = dtype_bytes(x->dtype);
    const double out = b == "addbmm" ? m * n : batch * m * n;
    double bytes = (batch * m * k + batch * k * n + out) * es, flops = 2 * batch * m * k * n;
    if (off == 1) {
      if (const OpInput* bias = c.tensor_at(0)) bytes += bytes_of(*bias);
      flops += 2 * out;
    }
    return cost("gemm", bytes, flops);
  }
  if (b == "mv" || b == "addmv") {
    const size_t off = b == "mv" ? 0 : 1;
    const OpInput* a = need(off, 2);
    const OpInput* v = need(off + 1, 1);
    if (!a || !v || a->shape[1] != v->shape[0]) return c.fail("matrix-vector shapes not recorded");
    const double m = double(a->shape[0]), n = double(a->shape[1]);
    double bytes = (m * n + n + m) * dtype_bytes(a->dtype);
    if (off == 1)
      if (const OpInput* bias = c.tensor_at(0)) bytes += bytes_of(*bias);
    return cost("gemm", bytes, 2 * m * n);
  }
  if (b == "dot" || b == "vdot") {
    const OpInput* x = need(0, 1);
    const OpInput* y = need(1, 1);
    if (!x || !y || x->shape != y->shape) return c.fail("vector shapes not recorded");
    const double n = double(x->shape[0]);
    return cost("gemm", (2 * n + 1) * dtype_bytes(x->dtype), 2 * n);
  }
  if (b == "linear") {
    const OpInput* x = c.tensor_at(0);
    const OpInput* w = need(1, 2);
    if (!x || !w || x->shape.empty() || x->shape.back() != w->shape[1])
      return c.fail("linear shapes not recorded");
    const double in = double(w->shape[1]), out = double(w->shape[0]);
    const double rows = double(numel(x->shape)) / in;
    const int es = dtype_bytes(x->dtype);
    double bytes = (rows * in + in * out + rows * out) * es, flops = 2 * rows * in * out;
    if (const OpInput* bias = c.tensor_at(2)) {
      bytes += bytes_of(*bias);
      flops += rows * out;
    }
    return cost("gemm", bytes, flops);
  }
  // matmul: torch's broadcasting matrix product.
  const OpInput* a = c.tensor_at(0);
  const OpInput* w = c.tensor_at(1);
  if (!a || !w || a->shape.empty() || w->shape.empty()) return c.fail("matmul shapes not recorded");
  Shape sa = a->shape, sw = w->shape;
  if (sa.size() == 1) sa.insert(sa.begin(), 1);
  if (sw.size() == 1) sw.push_back(1);
  if (sa.back() != sw[sw.size() - 2]) return c.fail("matmul inner sizes differ");
  const Shape ba(sa.begin(), sa.end() - 2), bw(sw.begin(), sw.end() - 2);
  const auto batch = broadcast({&ba, &bw});
  if (!batch) return c.fail("matmul batch sizes do not broadcast");
  const double m = double(sa[sa.size() - 2]), k = double(sa.back()), n = double(sw.back());
  const double nb = double(numel(*batch));
  return cost(
      "gemm",
      (double(numel(a->shape)) + double(numel(w->shape)) + nb * m * n) * dtype_bytes(a->dtype),
      2 * nb * m * k * n);
}

// ---- convolution -----------------------------------------------------------------

struct ConvArgs {
  int input, weight, bias, stride, padding, dilation, transposed, output_padding, groups;
};

// Argument positions per op (-1: not an argument; transposed -2: always true).
const std::map<std::string, ConvArgs>& conv_ops() {
  static const std::map<std::string, ConvArgs> ops = {
      {"convolution", {0, 1, 2, 3, 4, 5, 6, 7, 8}},
      {"_convolution", {0, 1, 2, 3, 4, 5, 6, 7, 8}},
      {"conv1d", {0, 1, 2, 3, 4, 5, -1, -1, 6}},
      {"conv2d", {0, 1, 2, 3, 4, 5, -1, -1, 6}},
      {"conv3d", {0, 1, 2, 3, 4, 5, -1, -1, 6}},
      {"conv_transpose1d", {0, 1, 2, 3, 4, 7, -2, 5, 6}},
      {"conv_transpose2d", {0, 1, 2, 3, 4, 7, -2, 5, 6}},
      {"conv_transpose3d", {0, 1, 2, 3, 4, 7, -2, 5, 6}},
      {"mkldnn_convolution", {0, 1, 2, 4, 3, 5, -1, -1, 6}},
      {"cudnn_convolution", {0, 1, -1, 3, 2, 4, -1, -1, 5}},
      {"cudnn_convolution_transpose", {0, 1, -1, 4, 2, 5, -2, 3, 6}},
      {"_slow_conv2d_forward", {0, 1, 3, 4, 5, -1, -1, -1, -1}},
      {"thnn_conv2d", {0, 1, 3, 4, 5, -1, -1, -1, -1}},
      {"slow_conv3d", {0, 1, 3, 4, 5, -1, -1, -1, -1}},
      {"_nnpack_spatial_convolution", {0, 1, 2, 4, 3, -1, -1, -1, -1}},
  };
  return ops;
}

std::vector<int64_t> spread(std::optional<std::vector<int64_t>> v, size_t dims, int64_t fallback) {
  if (!v || v->empty()) return std::vector<int64_t>(dims, fallback);
  if (v->size() == 1) return std::vector<int64_t>(dims, v->front());
  return *v;
}

Result convolution(const Ctx& c, const ConvArgs& a) {
  const OpInput* in = c.tensor_at(size_t(a.input));
  const OpInput* w = c.tensor_at(size_t(a.weight));
  if (!in || !w || in->shape.size() < 3 || w->shape.size() != in->shape.size())
    return c.fail("convolution shapes not recorded");
  const size_t dims = in->shape.size() - 2;
  auto list_at = [&](int i) -> std::optional<std::vector<int64_t>> {
    if (i < 0 || !c.at(size_t(i))) return std::nullopt;
    return int_list(*c.at(size_t(i)));
  };
  const auto stride = spread(list_at(a.stride), dims, 1);
  const auto dilation = spread(list_at(a.dilation), dims, 1);
  const auto out_pad = spread(list_at(a.output_padding), dims, 0);
  bool transposed = a.transposed == -2;
  if (a.transposed >= 0)
    if (const OpInput* t = c.at(size_t(a.transposed)))
      transposed = scalar_number(*t).value_or(0) != 0;
  int64_t groups = 1;
  if (a.groups >= 0)
    if (const OpInput* g = c.at(size_t(a.groups)))
      groups = std::max<int64_t>(1, int64_t(scalar_number(*g).value_or(1)));
  std::vector<int64_t> padding;
  const OpInput* pad_in = a.padding >= 0 ? c.at(size_t(a.padding)) : nullptr;
  const bool same = pad_in && pad_in->kind == Kind::string && pad_in->value == "same";
  if (pad_in && pad_in->kind == Kind::string && pad_in->value == "valid")
    padding.assign(dims, 0);
  else if (!same)
    padding = spread(list_at(a.padding), dims, 0);
  if (stride.size() != dims || dilation.size() != dims || (!same && padding.size() != dims))
    return c.fail("convolution arguments not recorded");
  const int64_t n = in->shape[0];
  Shape out_spatial(dims);
  double kernel = 1;
  for (size_t i = 0; i < dims; ++i) {
    const int64_t s = in->shape[2 + i], k = w->shape[2 + i];
    kernel *= double(k);
    if (same)
      out_spatial[i] = (s + stride[i] - 1) / stride[i];
    else if (transposed)
      out_spatial[i] =
          (s - 1) * stride[i] - 2 * padding[i] + dilation[i] * (k - 1) + out_pad[i] + 1;
    else
      out_spatial[i] = (s + 2 * padding[i] - dilation[i] * (k - 1) - 1) / stride[i] + 1;
    if (out_spatial[i] <= 0) return c.fail("convolution output would be empty");
  }
  const int64_t out_channels = transposed ? w->shape[1] * groups : w->shape[0];
  const double out_elems = double(n) * double(out_channels) * double(numel(out_spatial));
  double flops;
  if (transposed)  // every input element spreads over out/groups channels and the kernel
    flops = 2 * double(numel(in->shape)) * double(w->shape[1]) * kernel;
  else
    flops = 2 * out_elems * double(w->shape[1]) * kernel;
  const int es = dtype_bytes(in->dtype);
  double bytes = bytes_of(*in) + bytes_of(*w) + out_elems * es;
  if (a.bias >= 0)
    if (const OpInput* bias = c.tensor_at(size_t(a.bias))) {
      bytes += bytes_of(*bias);
      flops += out_elems;
    }
  return cost("convolution", bytes, flops);
}

// convolution_backward(grad_output, input, weight, bias_sizes, stride, padding,
// dilation, transposed, output_padding, groups, output_mask): the grad-input and
// grad-weight products are each as large as the forward one.
Result convolution_backward(const Ctx& c) {
  const OpInput* grad = c.tensor_at(0);
  const OpInput* in = c.tensor_at(1);
  const OpInput* w = c.tensor_at(2);
  if (!grad || !in || !w || in->shape.size() < 3) return c.fail("convolution shapes not recorded");
  bool transposed = false;
  if (const OpInput* t = c.at(7)) transposed = scalar_number(*t).value_or(0) != 0;
  const double kernel = double(numel(Shape(w->shape.begin() + 2, w->shape.end())));
  const double forward = transposed ? 2 * double(numel(in->shape)) * double(w->shape[1]) * kernel
                                    : 2 * double(numel(grad->shape)) * double(w->shape[1]) * kernel;
  std::vector<bool> mask{true, true, true};
  if (const OpInput* m = c.at(10); m && m->kind == Kind::scalar_list) {
    mask.clear();
    for (size_t p = 0; (p = m->value.find_first_of("TF", p)) != std::string::npos; ++p)
      mask.push_back(m->value[p] == 'T');
    mask.resize(3, false);
  }
  const int es = dtype_bytes(in->dtype);
  double bytes = bytes_of(*grad), flops = 0;
  if (mask[0]) {
    bytes += bytes_of(*w) + bytes_of(*in);  // reads the weight, writes grad_input
    flops += forward;
  }
  if (mask[1]) {
    bytes += bytes_of(*in) + bytes_of(*w);  // reads the input, writes grad_weight
    flops += forward;
  }
  if (mask[2]) {
    const double channels = double(transposed ? w->shape[1] : w->shape[0]);
    bytes += channels * es;
    flops += double(numel(grad->shape));
  }
  return cost("convolution", bytes, flops);
}

// ---- reductions, softmax, normalization --------------------------------------------

struct Reduction {
  int dim_arg;   // position of the dims (an int or an int list); -1 none
  double flops;  // per input element
  enum Out { same, i64, boolean, value_and_index, two } out = same;
};

const std::map<std::string, Reduction>& reduction_ops() {
  static const std::map<std::string, Reduction> ops = {
      {"sum", {1, 1}},
      {"nansum", {1, 1}},
      {"mean", {1, 1}},
      {"nanmean", {1, 1}},
      {"prod", {1, 1}},
      {"amax", {1, 1}},
      {"amin", {1, 1}},
      {"logsumexp", {1, 4}},
      {"norm", {2, 2}},
      {"linalg_vector_norm", {2, 2}},
      {"var", {1, 3}},
      {"std", {1, 3}},
      {"var_mean", {1, 3, Reduction::two}},
      {"std_mean", {1, 3, Reduction::two}},
      {"argmax", {1, 1, Reduction::i64}},
      {"argmin", {1, 1, Reduction::i64}},
      {"count_nonzero", {1, 1, Reduction::i64}},
      {"all", {1, 1, Reduction::boolean}},
      {"any", {1, 1, Reduction::boolean}},
      {"max", {1, 1, Reduction::value_and_index}},
      {"min", {1, 1, Reduction::value_and_index}},
  };
  return ops;
}

Result reduction(const Ctx& c, const Reduction& r) {
  const OpInput* self = c.tensor_at(0);
  if (!self) return c.fail("no input tensor recorded");
  const auto& shape = self->shape;
  std::vector<bool> reduced(shape.size(), true);
  bool keep_index = false;
  const OpInput* dims = r.dim_arg >= 0 ? c.at(size_t(r.dim_arg)) : nullptr;
  const bool is_bool_flag =
      dims && dims->kind == Kind::scalar && (dims->value == "True" || dims->value == "False");
  if (dims && !is_bool_flag && (dims->kind == Kind::scalar || dims->kind == Kind::scalar_list)) {
    const auto list = int_list(*dims);
    if (!list) return c.fail("reduced dims not recorded");
    if (!list->empty()) {
      reduced.assign(shape.size(), false);
      for (int64_t d : *list) {
        const int64_t i = d < 0 ? d + int64_t(shape.size()) : d;
        if (i < 0 || i >= int64_t(shape.size())) return c.fail("reduced dim out of range");
        reduced[size_t(i)] = true;
      }
      keep_index = dims->kind == Kind::scalar;
    }
  }
  double in = double(numel(shape)), out = 1;
  for (size_t i = 0; i < shape.size(); ++i)
    if (!reduced[i]) out *= double(shape[i]);
  const int es = dtype_bytes(self->dtype);
  double out_bytes = out * es;
  switch (r.out) {
    case Reduction::i64:
      out_bytes = out * 8;
      break;
    case Reduction::boolean:
      out_bytes = out;
      break;
    case Reduction::value_and_index:
      if (c.tensor_at(1)) {  // max(self, other): elementwise
        Ctx e = c;
        return elementwise(e, {2, 1});
      }
      out_bytes = out * es + (keep_index ? out * 8 : 0);
      break;
    case Reduction::two:
      out_bytes = 2 * out * es;
      break;
    case Reduction::same:
      break;
  }
  return cost("reduction", in * es + out_bytes, r.flops * in);
}

Result softmax(const Ctx& c) {
  const OpInput* self = c.tensor_at(0);
  if (!self) return c.fail("no input tensor recorded");
  const double n = double(numel(self->shape));
  const int es = dtype_bytes(self->dtype);
  if (c.base.find("backward") != std::string::npos) {
    const OpInput* out = c.tensor_at(1);
    return cost("softmax", n * es + (out ? bytes_of(*out) : n * es) + n * es, 3 * n);
  }
  int out_es = es;
  if (c.base.starts_with("_")) {  // _softmax(self, dim, half_to_float)
    if (const OpInput* h = c.at(2); h && scalar_number(*h).value_or(0) != 0) out_es = 4;
  } else if (const OpInput* d = c.at(2);
             d && d->kind == Kind::scalar) {  // softmax(self, dim, dtype)
    if (const int b = dtype_bytes(dtype_of_scalar_type(int64_t(scalar_number(*d).value_or(-1)))))
      out_es = b;
  }
  return cost("softmax", n * es + n * out_es, 5 * n);
}

Result layer_norm(const Ctx& c) {
  const bool backward = c.base == "native_layer_norm_backward";
  const OpInput* x = c.tensor_at(backward ? 1 : 0);
  const OpInput* norm_shape = c.at(backward ? 2 : 1);
  if (!x || !norm_shape) return c.fail("layer_norm shapes not recorded");
  const auto normalized = int_list(*norm_shape);
  if (!normalized || normalized->empty()) return c.fail("normalized_shape not recorded");
  const double n = double(numel(x->shape));
  const double features = double(numel(*normalized));
  const double rows = features > 0 ? n / features : 0;
  const int es = dtype_bytes(x->dtype);
  const int acc = es == 8 ? 8 : 4;  // mean and rstd are kept in float (double for double)
  if (!backward) {
    double bytes = 2 * n * es;
    for (size_t i : {size_t(2), size_t(3)})
      if (const OpInput* p = c.tensor_at(i)) bytes += bytes_of(*p);
    if (c.base == "native_layer_norm") bytes += 2 * rows * acc;
    return cost("layer_norm", bytes, 8 * n);
  }
  // (grad_out, input, normalized_shape, mean, rstd, weight, bias, output_mask)
  std::vector<bool> mask{true, true, true};
  if (const OpInput* m = c.at(7); m && m->kind == Kind::scalar_list) {
    mask.clear();
    for (size_t p = 0; (p = m->value.find_first_of("TF", p)) != std::string::npos; ++p)
      mask.push_back(m->value[p] == 'T');
    mask.resize(3, false);
  }
  double bytes = 2 * n * es + 2 * rows * acc, flops = 0;
  if (const OpInput* w = c.tensor_at(5)) bytes += bytes_of(*w);
  if (mask[0]) bytes += n * es, flops += 12 * n;
  if (mask[1]) bytes += features * es, flops += 2 * n;
  if (mask[2]) bytes += features * es, flops += n;
  return cost("layer_norm", bytes, flops);
}

// native_batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps)
Result batch_norm(const Ctx& c) {
  const OpInput* x = c.tensor_at(0);
  if (!x || x->shape.size() < 2) return c.fail("batch_norm shapes not recorded");
  const double n = double(numel(x->shape)), channels = double(x->shape[1]);
  const int es = dtype_bytes(x->dtype);
  bool training = true;
  if (const OpInput* t = c.at(5)) training = scalar_number(*t).value_or(1) != 0;
  double params = 0;
  for (size_t i = 1; i <= 4; ++i)
    if (c.tensor_at(i)) params += channels * es;
  // Training also reads the input once more for the statistics and saves mean and invstd.
  return cost("layer_norm", 2 * n * es + params + (training ? 2 * channels * 4 : 0),
              (training ? 6 : 2) * n);
}

// ---- embedding, copies, indexing --------------------------------------------------

Result embedding(const Ctx& c) {
  if (c.base == "embedding_dense_backward" || c.base == "embedding_backward") {
    const OpInput* grad = c.tensor_at(0);
    const OpInput* idx = c.tensor_at(1);
    const OpInput* num = c.at(2);
    const auto v = num ? scalar_number(*num) : std::nullopt;
    if (!grad || !idx || !v || grad->shape.empty()) return c.fail("embedding shapes not recorded");
    const double d = double(grad->shape.back()), rows = double(numel(idx->shape));
    const int es = dtype_bytes(grad->dtype);
    return cost("embedding", rows * d * es + bytes_of(*idx) + *v * d * es, rows * d);
  }
  const OpInput* w = c.tensor_at(0);
  const OpInput* idx = c.tensor_at(1);
  if (!w || !idx || w->shape.size() != 2) return c.fail("embedding shapes not recorded");
  const double rows = double(numel(idx->shape)), d = double(w->shape[1]);
  return cost("embedding", bytes_of(*idx) + 2 * rows * d * dtype_bytes(w->dtype), 0);
}

// The dtype `to` / `_to_copy` converts to: the second argument (a dtype, a
// tensor, or a device followed by a dtype); nullopt when not recorded.
std::optional<std::string> target_dtype(const Ctx& c) {
  const OpInput* self = c.tensor_at(0);
  const OpInput* a = c.at(1);
  if (!a || a->kind == Kind::none) return self->dtype;
  if (a->kind == Kind::tensor) return a->dtype;
  if (a->kind == Kind::scalar) return dtype_of_scalar_type(int64_t(scalar_number(*a).value_or(-1)));
  if (a->kind == Kind::other) return std::nullopt;  // a device: where it goes is not recorded
  return std::nullopt;
}

Result copy(const Ctx& c) {
  const OpInput* self = c.tensor_at(0);
  if (!self) return c.fail("no input tensor recorded");
  if (c.base == "copy_") {
    const OpInput* src = c.tensor_at(1);
    if (!src) return c.fail("no source tensor recorded");
    return cost("copy", bytes_of(*src) + bytes_of(*self), 0);
  }
  if (c.base == "clone") return cost("copy", 2 * bytes_of(*self), 0);
  const auto dtype = target_dtype(c);
  if (!dtype) return c.fail("the target device and dtype are not recorded");
  const int out_es = dtype_bytes(*dtype);
  if (out_es == 0) return c.fail("unknown target dtype");
  // `to` to the same dtype returns its input: nothing moves (a copy shows as its child).
  if (c.base == "to" && *dtype == self->dtype) return cost("view", 0, 0);
  return cost("copy", bytes_of(*self) + double(numel(self->shape)) * out_es, 0);
}

Result indexing(const Ctx& c) {
  const std::string& b = c.base;
  const OpInput* self = c.tensor_at(0);
  if (!self) return c.fail("no input tensor recorded");
  const int es = dtype_bytes(self->dtype);
  if (b == "index_select") {
    const OpInput* dim = c.at(1);
    const OpInput* idx = c.tensor_at(2);
    const auto d = dim ? scalar_number(*dim) : std::nullopt;
    if (!idx || !d) return c.fail("index_select arguments not recorded");
    Shape out = self->shape;
    const int64_t i = int64_t(*d) < 0 ? int64_t(*d) + int64_t(out.size()) : int64_t(*d);
    if (i < 0 || i >= int64_t(out.size())) return c.fail("dim out of range");
    out[size_t(i)] = numel(idx->shape);
    return cost("index", bytes_of(*idx) + 2 * double(numel(out)) * es, 0);
  }
  if (b == "gather") {
    const OpInput* idx = c.tensor_at(2);
    if (!idx) return c.fail("gather index not recorded");
    return cost("index", bytes_of(*idx) + 2 * double(numel(idx->shape)) * es, 0);
  }
  if (b.starts_with("scatter")) {
    const OpInput* idx = c.tensor_at(2);
    if (!idx) return c.fail("scatter index not recorded");
    const double written = double(numel(idx->shape)) * es;
    const bool accumulate = b.starts_with("scatter_add") || b.starts_with("scatter_reduce");
    const OpInput* src = c.tensor_at(3);
    double bytes = bytes_of(*idx) + (src ? written : 0) + written * (accumulate ? 2 : 1);
    if (!c.inplace) bytes += 2 * bytes_of(*self);  // the copy of self the result starts from
    return cost("index", bytes, accumulate ? double(numel(idx->shape)) : 0);
  }
  if (b.starts_with("index_add")) {
    const OpInput* idx = c.tensor_at(2);
    const OpInput* src = c.tensor_at(3);
    if (!idx || !src) return c.fail("index_add arguments not recorded");
    double bytes = bytes_of(*idx) + 3 * bytes_of(*src);  // source read, rows read and written
    if (!c.inplace) bytes += 2 * bytes_of(*self);
    return cost("index", bytes, double(numel(src->shape)));
  }
  // index(self, indices) and index_put_(self, indices, values, accumulate): the
  // indices broadcast together and replace the leading indexed dims.
  const OpInput* list = c.at(1);
  if (!list || list->kind != Kind::tensor_list) return c.fail("the index tensors are not recorded");
  if (short_dtype(list->dtype) == "bool" || short_dtype(list->dtype) == "u8")
    return c.fail("a boolean mask: the result's size depends on the data");
  std::vector<const Shape*> idx;
  size_t first = list->shapes.size(), count = 0;
  for (size_t i = 0; i < list->shapes.size(); ++i)
    if (!list->shapes[i].empty()) {
      idx.push_back(&list->shapes[i]);
      first = std::min(first, i);
      ++count;
    }
  if (idx.empty()) return c.fail("the index tensors are not recorded");
  const auto ib = broadcast(idx);
  if (!ib) return c.fail("index shapes do not broadcast");
  double idx_bytes = 0;
  const int ies = dtype_bytes(list->dtype) ? dtype_bytes(list->dtype) : 8;
  for (const Shape* s : idx) idx_bytes += double(numel(*s)) * ies;
  double rest = 1;
  for (size_t i = first + count; i < self->shape.size(); ++i) rest *= double(self->shape[i]);
  double lead = 1;
  for (size_t i = 0; i < first && i < self->shape.size(); ++i) lead *= double(self->shape[i]);
  const double out = lead * double(numel(*ib)) * rest;
  if (b == "index") return cost("index", idx_bytes + 2 * out * es, 0);
  const OpInput* values = c.tensor_at(2);
  bool accumulate = false;
  if (const OpInput* a = c.at(3)) accumulate = scalar_number(*a).value_or(0) != 0;
  double bytes = idx_bytes + (values ? bytes_of(*values) : 0) + out * es * (accumulate ? 2 : 1);
  if (!c.inplace) bytes += 2 * bytes_of(*self);
  return cost("index", bytes, accumulate ? out : 0);
}

Result dropout(const Ctx& c) {
  const OpInput* x = c.tensor_at(0);
  if (!x) return c.fail("no input tensor recorded");
  const double n = double(numel(x->shape));
  const int es = dtype_bytes(x->dtype);
  if (c.base == "native_dropout_backward") return cost("elementwise", 2 * n * es + n, 2 * n);
  return cost("elementwise", 2 * n * es + n, 2 * n);  // input, output, and the bool mask
}

// Views and allocations: nothing moves; their time is framework overhead.
const std::set<std::string>& zero_work_ops() {
  static const std::set<std::string> ops = {"view",
                                            "_unsafe_view",
                                            "reshape",
                                            "_reshape_alias",
                                            "t",
                                            "transpose",
                                            "permute",
                                            "expand",
                                            "expand_as",
                                            "as_strided",
                                            "squeeze",
                                            "unsqueeze",
                                            "select",
                                            "slice",
                                            "narrow",
                                            "split",
                                            "split_with_sizes",
                                            "chunk",
                                            "unbind",
                                            "detach",
                                            "detach_",
                                            "alias",
                                            "view_as",
                                            "flatten",
                                            "unflatten",
                                            "contiguous",
                                            "numpy_T",
                                            "lift_fresh",
                                            "empty",
                                            "empty_like",
                                            "empty_strided",
                                            "resize_",
                                            "set_",
                                            "requires_grad_",
                                            "result_type",
                                            "item",
                                            "_local_scalar_dense",
                                            "is_nonzero",
                                            "movedim",
                                            "swapaxes",
                                            "unfold",
                                            "diagonal",
                                            "real",
                                            "view_as_real",
                                            "view_as_complex",
                                            "_reshape_copy",
                                            "broadcast_to",
                                            "t_",
                                            "transpose_",
                                            "squeeze_",
                                            "unsqueeze_",
                                            "as_strided_",
                                            "_has_compatible_shallow_copy_type"};
  return ops;
}

const std::map<std::string, Handler>& handlers() {
  static const std::map<std::string, Handler> h = [] {
    std::map<std::string, Handler> m;
    for (const char* n : {"mm", "addmm", "addmm_", "_addmm_activation", "bmm", "baddbmm", "addbmm",
                          "matmul", "linear", "mv", "addmv", "dot", "vdot"})
      m[n] = gemm;
    for (const auto& [name, args] : conv_ops()) {
      const ConvArgs a = args;
      m[name] = [a](const Ctx& c) { return convolution(c, a); };
    }
    m["convolution_backward"] = convolution_backward;
    for (const auto& [name, r] : reduction_ops()) {
      const Reduction rr = r;
      m[name] = [rr](const Ctx& c) { return reduction(c, rr); };
    }
    for (const char* n : {"softmax", "_softmax", "log_softmax", "_log_softmax",
                          "_softmax_backward_data", "_log_softmax_backward_data"})
      m[n] = softmax;
    for (const char* n : {"layer_norm", "native_layer_norm", "native_layer_norm_backward"})
      m[n] = layer_norm;
    for (const char* n :
         {"native_batch_norm", "_native_batch_norm_legit", "_native_batch_norm_legit_no_training",
          "batch_norm", "_batch_norm_impl_index"})
      m[n] = batch_norm;
    for (const char* n : {"embedding", "embedding_dense_backward", "embedding_backward"})
      m[n] = embedding;
    for (const char* n : {"copy_", "to", "_to_copy", "clone"}) m[n] = copy;
    for (const char* n : {"index", "index_put_", "index_put", "_index_put_impl_", "index_select",
                          "gather", "scatter", "scatter_", "scatter_add", "scatter_add_",
                          "scatter_reduce", "scatter_reduce_", "index_add", "index_add_"})
      m[n] = indexing;
    for (const char* n : {"native_dropout", "dropout", "native_dropout_backward"}) m[n] = dropout;
    for (const char* n : {"_fused_adam_", "_fused_adamw_"}) m[n] = fused_adam;
    return m;
  }();
  return h;
}

Ctx context(const OpCall& call, std::string* why_not) {
  std::string base = call.name;
  if (base.starts_with("aten::")) base = base.substr(6);
  const bool trailing = base.size() > 1 && base.back() == '_' && base.front() != '_';
  return Ctx{call, base, trailing, why_not};
}

}  // namespace

std::optional<TensorSpec> elementwise_result(const OpCall& call) {
  const Ctx c = context(call, nullptr);
  const std::string plain = c.inplace ? c.base.substr(0, c.base.size() - 1) : c.base;
  const auto it = elementwise_ops().find(plain);
  if (it == elementwise_ops().end() || it->second.write_only) return std::nullopt;
  const auto shape = elementwise_shape(c, it->second);
  if (!shape) return std::nullopt;
  return shape->result;
}

std::optional<OpCost> op_cost(const OpCall& call, std::string* why_not) {
  Ctx c = context(call, why_not);
  const std::string& base = c.base;
  const bool trailing = c.inplace;
  if (why_not) why_not->clear();
  if (zero_work_ops().count(base)) return cost("view", 0, 0);
  if (auto it = handlers().find(base); it != handlers().end()) return it->second(c);
  if (base.starts_with("_foreach_")) {
    std::string op = base.substr(9);
    c.inplace = !op.empty() && op.back() == '_';
    if (c.inplace) op.pop_back();
    return foreach_op(c, op);
  }
  std::string plain = trailing ? base.substr(0, base.size() - 1) : base;
  if (auto it = elementwise_ops().find(plain); it != elementwise_ops().end())
    return elementwise(c, it->second);
  return c.fail(call.name.starts_with("aten::") ? "no cost model for " + call.name
                                                : "not an ATen op");
}

}  // namespace worthit::trace
