// PyTorch op calls, their cost models (hand-computed bytes and FLOPs per
// family), the headroom decision as a table, and hot ops and fusion hints on
// constructed traces.
#include <gtest/gtest.h>

#include "worthit/trace/cost_model.h"
#include "worthit/trace/hot_ops.h"
#include "worthit/trace/op_calls.h"

namespace worthit::trace {
namespace {

using Kind = OpInput::Kind;

OpInput tensor(std::vector<int64_t> shape, std::string dtype = "float") {
  OpInput in;
  in.kind = Kind::tensor;
  in.shape = std::move(shape);
  in.dtype = std::move(dtype);
  return in;
}
OpInput scalar(std::string v) {
  OpInput in;
  in.kind = Kind::scalar;
  in.value = std::move(v);
  return in;
}
OpInput list(std::string v) {
  OpInput in;
  in.kind = Kind::scalar_list;
  in.value = std::move(v);
  return in;
}
OpInput none() { return {}; }
OpInput tensors(std::vector<std::vector<int64_t>> shapes, std::string dtype = "float") {
  OpInput in;
  in.kind = Kind::tensor_list;
  in.shapes = std::move(shapes);
  in.dtype = std::move(dtype);
  return in;
}
OpCall op(std::string name, std::vector<OpInput> inputs) {
  OpCall c;
  c.name = std::move(name);
  c.inputs = std::move(inputs);
  return c;
}

void expect_cost(const OpCall& call, const std::string& family, double bytes, double flops) {
  std::string why;
  const auto c = op_cost(call, &why);
  ASSERT_TRUE(c) << call.name << ": " << why;
  EXPECT_EQ(c->family, family) << call.name;
  EXPECT_DOUBLE_EQ(c->bytes, bytes) << call.name;
  EXPECT_DOUBLE_EQ(c->flops, flops) << call.name;
}

// ---- parsing -------------------------------------------------------------------

TEST(OpCalls, ReadsTorchProfilerAndObserverArguments) {
  Event e;
  e.name = "aten::addmm";
  e.category = "cpu_op";
  e.args = nlohmann::json::parse(R"({
    "Input Dims": [[16], [8, 16], [16, 16], [], []],
    "Input type": ["float", "float", "float", "Scalar", "Scalar"],
    "Concrete Inputs": ["", "", "", "1", "1"],
    "Sequence number": 5, "Fwd thread id": 1, "Device": "cuda:0",
    "Input Storage": [11, 22, 33, 0, 0], "Output Storage": 44})");
  const auto c = op_call(e);
  ASSERT_TRUE(c);
  ASSERT_EQ(c->inputs.size(), 5u);
  EXPECT_EQ(c->inputs[1].kind, Kind::tensor);
  EXPECT_EQ(c->inputs[1].shape, (std::vector<int64_t>{8, 16}));
  EXPECT_EQ(c->inputs[1].storage, 22u);
  EXPECT_EQ(c->inputs[3].kind, Kind::scalar);
  EXPECT_EQ(c->inputs[3].value, "1");
  EXPECT_EQ(c->sequence, 5);
  EXPECT_EQ(c->device, "cuda:0");
  EXPECT_EQ(c->output_storage, 44u);

  e.name = "aten::_foreach_mul_";
  e.args = nlohmann::json::parse(R"({"Input Dims": [[[4, 4], [3]], []],
    "Input type": ["TensorList", "Scalar"], "Concrete Inputs": ["", "0.9"],
    "Input List Types": ["float", ""]})");
  const auto f = op_call(e);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->inputs[0].kind, Kind::tensor_list);
  EXPECT_EQ(f->inputs[0].shapes.size(), 2u);
  EXPECT_EQ(f->inputs[0].dtype, "float");

  e.args = nlohmann::json::object();
  EXPECT_FALSE(op_call(e)) << "no shapes recorded";
}

TEST(OpCalls, DtypesAndScalars) {
  EXPECT_EQ(dtype_bytes("float"), 4);
  EXPECT_EQ(dtype_bytes("c10::BFloat16"), 2);
  EXPECT_EQ(dtype_bytes("long int"), 8);
  EXPECT_EQ(dtype_bytes("bool"), 1);
  EXPECT_EQ(dtype_bytes("Scalar"), 0);
  EXPECT_EQ(short_dtype("c10::Half"), "f16");
  EXPECT_EQ(dtype_of_scalar_type(6), "float");
  EXPECT_EQ(dtype_of_scalar_type(15), "c10::BFloat16");
  EXPECT_EQ(int_list(list("[2, -1, 3]")), (std::vector<int64_t>{2, -1, 3}));
  EXPECT_EQ(int_list(scalar("4")), (std::vector<int64_t>{4}));
  EXPECT_EQ(scalar_number(scalar("False")), 0.0);
}

// ---- cost models, against hand-computed numbers ----------------------------------

TEST(CostModel, Gemm) {
  // mm 64x32 @ 32x16: 2*64*32*16 FLOPs; (64*32 + 32*16 + 64*16) * 4 bytes.
  expect_cost(op("aten::mm", {tensor({64, 32}), tensor({32, 16})}), "gemm",
              (2048 + 512 + 1024) * 4.0, 2.0 * 64 * 32 * 16);
  // addmm: + the bias read and 2 FLOPs per output element (scale, add).
  expect_cost(op("aten::addmm",
                 {tensor({16}), tensor({64, 32}), tensor({32, 16}), scalar("1"), scalar("1")}),
              "gemm", (16 + 2048 + 512 + 1024) * 4.0, 2.0 * 64 * 32 * 16 + 2 * 64 * 16);
  // bmm 8 x (4x5 @ 5x6), f16.
  expect_cost(op("aten::bmm", {tensor({8, 4, 5}, "c10::Half"), tensor({8, 5, 6}, "c10::Half")}),
              "gemm", 8 * (20 + 30 + 24) * 2.0, 2.0 * 8 * 4 * 5 * 6);
  // baddbmm: + bias 8x4x6.
  expect_cost(op("aten::baddbmm", {tensor({8, 4, 6}), tensor({8, 4, 5}), tensor({8, 5, 6})}),
              "gemm", (192 + 160 + 240 + 192) * 4.0, 2.0 * 8 * 4 * 5 * 6 + 2 * 192);
  // matmul broadcasts: [3, 64, 32] @ [32, 16] reads the weight once.
  expect_cost(op("aten::matmul", {tensor({3, 64, 32}), tensor({32, 16})}), "gemm",
              (3 * 2048 + 512 + 3 * 1024) * 4.0, 2.0 * 3 * 64 * 32 * 16);
  // linear x[10, 7, 32], w[16, 32], b[16]: 70 rows.
  expect_cost(op("aten::linear", {tensor({10, 7, 32}), tensor({16, 32}), tensor({16})}), "gemm",
              (70 * 32 + 512 + 70 * 16 + 16) * 4.0, 2.0 * 70 * 32 * 16 + 70 * 16);
  std::string why;
  EXPECT_FALSE(op_cost(op("aten::mm", {tensor({4, 3}), tensor({4, 3})}), &why));
  EXPECT_NE(why.find("not recorded"), std::string::npos);
}

TEST(CostModel, Convolution) {
  // conv2d 1x3x8x8, weight 4x3x3x3, stride 2, padding 1: out 4x4; bias.
  // FLOPs 2 * (1*4*16) * 3 * 9 + 64; bytes (192 + 108 + 64 + 4) * 4.
  expect_cost(op("aten::convolution",
                 {tensor({1, 3, 8, 8}), tensor({4, 3, 3, 3}), tensor({4}), list("[2, 2]"),
                  list("[1, 1]"), list("[1, 1]"), scalar("False"), list("[0, 0]"), scalar("1")}),
              "convolution", (192 + 108 + 64 + 4) * 4.0, 2.0 * 64 * 3 * 9 + 64);
  // Depthwise conv1d, groups 8: x 2x8x10, w 8x1x3, no padding: out 2x8x8.
  expect_cost(op("aten::conv1d", {tensor({2, 8, 10}), tensor({8, 1, 3}), none(), list("[1]"),
                                  list("[0]"), list("[1]"), scalar("8")}),
              "convolution", (160 + 24 + 128) * 4.0, 2.0 * 128 * 1 * 3);
  // Transposed: x 1x4x5x5, w 4x2x3x3 (in, out/groups, k), stride 2: out (5-1)*2+3 = 11.
  expect_cost(op("aten::convolution",
                 {tensor({1, 4, 5, 5}), tensor({4, 2, 3, 3}), none(), list("[2, 2]"),
                  list("[0, 0]"), list("[1, 1]"), scalar("True"), list("[0, 0]"), scalar("1")}),
              "convolution", (100 + 72 + 2 * 121) * 4.0, 2.0 * 100 * 2 * 9);
  // mkldnn_convolution puts padding before stride: padding 1, stride 1 keeps 8x8.
  expect_cost(
      op("aten::mkldnn_convolution", {tensor({1, 3, 8, 8}), tensor({4, 3, 3, 3}), none(),
                                      list("[1, 1]"), list("[1, 1]"), list("[1, 1]"), scalar("1")}),
      "convolution", (192 + 108 + 256) * 4.0, 2.0 * 256 * 3 * 9);
}

TEST(CostModel, Elementwise) {
  // Binary with broadcasting: [32, 128] + [128] -> [32, 128].
  expect_cost(op("aten::add", {tensor({32, 128}), tensor({128}), scalar("1")}), "elementwise",
              (4096 + 128 + 4096) * 4.0, 4096);
  // In place: reads self and other, writes self.
  expect_cost(op("aten::mul_", {tensor({1000}), tensor({1000})}), "elementwise", 3000 * 4.0, 1000);
  // out= variant: the out tensor is written, not read.
  expect_cost(op("aten::mul", {tensor({1000}), tensor({1000}), tensor({1000})}), "elementwise",
              3000 * 4.0, 1000);
  // Unary with a scalar; gelu's erf form is 5 FLOPs per element, its tanh form 9.
  OpInput approx;
  approx.kind = Kind::string;
  approx.value = "tanh";
  expect_cost(op("aten::gelu", {tensor({256}, "c10::BFloat16")}), "elementwise", 512 * 2.0,
              5 * 256);
  expect_cost(op("aten::gelu", {tensor({256}), approx}), "elementwise", 2048, 9 * 256);
  // Comparisons write bool.
  expect_cost(op("aten::lt", {tensor({100}), scalar("0")}), "elementwise", 400 + 100, 100);
  // Backward: gelu_backward(grad, self).
  expect_cost(op("aten::gelu_backward", {tensor({64}), tensor({64})}), "elementwise", 3 * 256.0,
              12 * 64);
  // Ternary where(cond bool, a, b).
  expect_cost(op("aten::where", {tensor({10}, "bool"), tensor({10}), tensor({10})}), "elementwise",
              10 + 40 + 40 + 40, 10);
  // Fills write only.
  expect_cost(op("aten::fill_", {tensor({50}), scalar("0")}), "elementwise", 200, 50);
  // foreach over two tensors (the optimizers): self and other read, self written.
  expect_cost(
      op("aten::_foreach_add_", {tensors({{4, 4}, {3}}), tensors({{4, 4}, {3}}), scalar("1")}),
      "elementwise", 3 * 19 * 4.0, 19);
  expect_cost(op("aten::_foreach_mul_", {tensors({{4, 4}, {3}}), scalar("0.9")}), "elementwise",
              2 * 19 * 4.0, 19);
  std::string why;
  EXPECT_FALSE(op_cost(op("aten::_foreach_sqrt", {tensors({{4}}, "")}), &why));
  EXPECT_NE(why.find("dtype"), std::string::npos);
}

TEST(CostModel, ReductionsSoftmaxNorms) {
  // sum over dim 1 of [8, 100]: reads 800, writes 8.
  expect_cost(op("aten::sum", {tensor({8, 100}), list("[1]"), scalar("False"), none()}),
              "reduction", 808 * 4.0, 800);
  expect_cost(op("aten::sum", {tensor({8, 100}), none()}), "reduction", 801 * 4.0, 800);
  // max.dim(self, 0, keepdim) -> values and int64 indices.
  expect_cost(op("aten::max", {tensor({8, 100}), scalar("0"), scalar("False")}), "reduction",
              800 * 4.0 + 100 * 4.0 + 100 * 8.0, 800);
  // max(self, other) is elementwise.
  expect_cost(op("aten::max", {tensor({10}), tensor({10})}), "elementwise", 120, 10);
  // var over the last dim, 3 FLOPs per element; a bool flag means all dims.
  expect_cost(op("aten::var", {tensor({4, 10}), list("[-1]"), none(), scalar("False")}),
              "reduction", (40 + 4) * 4.0, 120);
  expect_cost(op("aten::var", {tensor({4, 10}), scalar("True")}), "reduction", 41 * 4.0, 120);
  // softmax reads and writes once; 5 FLOPs per element. Backward: 3 tensors.
  expect_cost(op("aten::_softmax", {tensor({32, 10}), scalar("1"), scalar("False")}), "softmax",
              640 * 4.0, 1600);
  expect_cost(op("aten::_softmax", {tensor({32, 10}, "c10::Half"), scalar("1"), scalar("True")}),
              "softmax", 320 * 2.0 + 320 * 4.0, 1600);
  expect_cost(op("aten::_log_softmax_backward_data",
                 {tensor({32, 10}), tensor({32, 10}), scalar("1"), scalar("6")}),
              "softmax", 960 * 4.0, 960);
  // native_layer_norm [32, 64] over 64: x read, y written, weight, bias, mean and rstd.
  expect_cost(op("aten::native_layer_norm",
                 {tensor({32, 64}), list("[64]"), tensor({64}), tensor({64}), scalar("1e-05")}),
              "layer_norm", (2 * 2048 + 64 + 64) * 4.0 + 2 * 32 * 4.0, 8 * 2048);
  expect_cost(op("aten::native_layer_norm_backward",
                 {tensor({32, 64}), tensor({32, 64}), list("[64]"), tensor({32, 1}),
                  tensor({32, 1}), tensor({64}), tensor({64}), list("[True, True, False]")}),
              "layer_norm", (2 * 2048 + 64 + 2048 + 64) * 4.0 + 2 * 32 * 4.0, 14 * 2048);
}

TEST(CostModel, EmbeddingCopyIndexViews) {
  // embedding: 6 indices into a 100x16 table: indices read, rows read and written.
  expect_cost(op("aten::embedding", {tensor({100, 16}), tensor({2, 3}, "long int"), scalar("-1"),
                                     scalar("False"), scalar("False")}),
              "embedding", 6 * 8 + 2 * 6 * 16 * 4.0, 0);
  expect_cost(op("aten::embedding_dense_backward", {tensor({2, 3, 16}), tensor({2, 3}, "long int"),
                                                    scalar("100"), scalar("-1"), scalar("False")}),
              "embedding", 96 * 4.0 + 48 + 1600 * 4.0, 96);
  // copy_ f32 <- f16; to(dtype=f16) of f32; to the same dtype moves nothing.
  expect_cost(op("aten::copy_", {tensor({10}), tensor({10}, "c10::Half"), scalar("False")}), "copy",
              40 + 20, 0);
  expect_cost(op("aten::to", {tensor({10}), scalar("5"), scalar("False"), scalar("False"), none()}),
              "copy", 40 + 20, 0);
  expect_cost(op("aten::to", {tensor({10}), scalar("6"), scalar("False"), scalar("False"), none()}),
              "view", 0, 0);
  expect_cost(op("aten::clone", {tensor({10}), none()}), "copy", 80, 0);
  // index_select(self 50x8, 0, 5 indices), gather(self, 1, index 4x2).
  expect_cost(op("aten::index_select", {tensor({50, 8}), scalar("0"), tensor({5}, "long int")}),
              "index", 40 + 2 * 40 * 4.0, 0);
  expect_cost(op("aten::gather",
                 {tensor({4, 9}), scalar("1"), tensor({4, 2}, "long int"), scalar("False")}),
              "index", 64 + 2 * 8 * 4.0, 0);
  // index(self 5x6, [idx(2)]) -> 2x6.
  expect_cost(op("aten::index", {tensor({5, 6}), tensors({{2}}, "long int")}), "index",
              16 + 2 * 12 * 4.0, 0);
  std::string why;
  EXPECT_FALSE(op_cost(op("aten::index", {tensor({5, 6}), tensors({{5, 6}}, "bool")}), &why));
  EXPECT_NE(why.find("mask"), std::string::npos);
  // Views move nothing; unknown ops have no model, never a guess.
  expect_cost(op("aten::view", {tensor({4, 4}), list("[16]")}), "view", 0, 0);
  EXPECT_FALSE(op_cost(op("aten::nll_loss_forward", {tensor({8, 4})}), &why));
  EXPECT_NE(why.find("no cost model"), std::string::npos);
  EXPECT_FALSE(op_cost(op("MyScope", {})));
}

// ---- the headroom decision, as a table -------------------------------------------

TEST(Headroom, VerdictTable) {
  const HeadroomBar bar{0.05, 1.2};
  struct Row {
    bool cost, zero, delegated, ceiling;
    double headroom, step_bound;
    Headroom expected;
  };
  const Row rows[] = {
      {false, false, false, true, 0, 1, Headroom::no_cost_model},
      {true, true, false, true, 0, 1, Headroom::no_work},
      {true, false, true, true, 5, 1.3, Headroom::delegated},
      {true, false, false, false, 0, 1, Headroom::no_ceiling},
      {true, false, false, true, 1.1, 1.2, Headroom::framework_enough},  // op below 1.2x
      {true, false, false, true, 50, 1.04, Headroom::framework_enough},  // step below 5%
      {true, false, false, true, 1.2, 1.05, Headroom::room},             // both at the bar
      {true, false, false, true, 3, 1.5, Headroom::room},
  };
  for (const Row& r : rows) {
    HotOp op;
    if (r.cost) op.cost = OpCost{"gemm", r.zero ? 0.0 : 1.0, 0};
    if (r.delegated) op.delegated_to = "aten::addmm";
    op.headroom = r.headroom;
    op.step_bound = r.step_bound;
    EXPECT_EQ(headroom_verdict(op, bar, r.ceiling), r.expected)
        << r.headroom << " " << r.step_bound << " -> " << to_string(r.expected);
  }
}

// ---- hot ops on constructed traces ------------------------------------------------

constexpr int64_t kUs = 1000;

Event slice(const std::string& name, int64_t ts, int64_t dur, nlohmann::json args = nullptr,
            const std::string& cat = "cpu_op", int64_t tid = 1) {
  Event e;
  e.name = name;
  e.category = cat;
  e.phase = 'X';
  e.pid = 7;
  e.tid = tid;
  e.ts_ns = ts;
  e.dur_ns = dur;
  e.args = std::move(args);
  return e;
}

nlohmann::json tensor_args(std::vector<std::vector<int64_t>> dims,
                           std::vector<uint64_t> storage = {}, uint64_t out = 0) {
  nlohmann::json a;
  a["Input Dims"] = dims;
  a["Input type"] = std::vector<std::string>(dims.size(), "float");
  a["Concrete Inputs"] = std::vector<std::string>(dims.size(), "");
  if (!storage.empty()) a["Input Storage"] = storage;
  if (out) a["Output Storage"] = out;
  return a;
}

Ceiling cpu_ceiling() { return {"cpu", 40.0, 200.0, 2}; }

TEST(HotOps, GemmNearPeakHasLittleHeadroomAndWrappersDelegate) {
  // A 2048^3 fp32 GEMM: 17.18 GFLOP, 85.9 ms at 200 GFLOP/s; measured 100 ms.
  Trace t;
  const nlohmann::json mm_args = tensor_args({{2048}, {2048, 2048}, {2048, 2048}});
  for (int i = 0; i < 3; ++i) {
    const int64_t s = i * 200'000 * kUs;
    t.events.push_back(
        slice("aten::linear", s, 100'010 * kUs, tensor_args({{2048, 2048}, {2048, 2048}, {2048}})));
    t.events.push_back(slice("aten::addmm", s + 5 * kUs, 100'000 * kUs, mm_args));
    t.events.push_back(slice("Optimizer.step#SGD.step", s + 150'000 * kUs, 50'000 * kUs, nullptr,
                             "user_annotation"));
  }
  sort_events(t);
  const SliceIndex index(t);
  HotOpsOptions options;
  options.ceilings = {cpu_ceiling()};
  const HotOpsReport r = hot_ops(index, find_steps(index), options);
  ASSERT_TRUE(r.steps.from_optimizer);
  ASSERT_EQ(r.steps.spans.size(), 2u);
  const HotOp* addmm = nullptr;
  const HotOp* linear = nullptr;
  for (const auto& op : r.ops) {
    if (op.name == "aten::addmm") addmm = &op;
    if (op.name == "aten::linear") linear = &op;
  }
  ASSERT_TRUE(addmm && linear);
  EXPECT_EQ(addmm->calls, 2);  // the first call lies before the first iteration
  const double flops = 2.0 * 2048 * 2048 * 2048 + 2.0 * 2048 * 2048;
  EXPECT_DOUBLE_EQ(addmm->cost->flops, flops);
  EXPECT_NEAR(addmm->roofline_ns, flops / 200.0, 1);
  EXPECT_NEAR(addmm->headroom, 100e6 / (flops / 200.0), 1e-9);
  EXPECT_LE(addmm->headroom, 1.5);
  EXPECT_FALSE(addmm->memory_bound);
  EXPECT_NEAR(addmm->share, 200'000.0 / 400'000.0, 1e-6);
  EXPECT_EQ(addmm->verdict, Headroom::framework_enough);
  EXPECT_EQ(linear->verdict, Headroom::delegated);
  EXPECT_EQ(linear->delegated_to, "aten::addmm");
  EXPECT_EQ(addmm->slices.size(), 2u);
}

// Sampled steps (the observer's default): optimizer steps end at 100, 200,
// ..., 2200 us; it captured up to the end of step 1 (200 us), step 10 (from
// its start at 1000 us to 1100 us) and step 20, and only those steps' ops and
// optimizer ranges are in the trace.
TEST(HotOps, SampledStepsAreTheCapturedOnes) {
  Trace t;
  const auto window = [&](int64_t from_us, int64_t to_us, bool after_step) {
    Event w = slice("worthit capture", from_us * kUs, (to_us - from_us) * kUs,
                    {{"after_step", after_step}}, "worthit");
    w.tid = 0;
    t.events.push_back(std::move(w));
  };
  window(0, 200, false);
  window(1000, 1100, true);
  window(2000, 2100, true);
  const int64_t n = 1 << 20;
  for (int64_t end_us : {100, 200, 1100, 2100}) {
    t.events.push_back(
        slice("aten::mm", (end_us - 90) * kUs, 40 * kUs, tensor_args({{64, 64}, {64, 64}})));
    // An elementwise chain in each step: one fusion hint for all of them.
    t.events.push_back(
        slice("aten::mul", (end_us - 45) * kUs, 10 * kUs, tensor_args({{n}, {}}, {1, 0}, 2)));
    t.events.push_back(
        slice("aten::add", (end_us - 30) * kUs, 10 * kUs, tensor_args({{n}, {}}, {2, 0}, 3)));
    t.events.push_back(slice("Optimizer.step#SGD.step", (end_us - 10) * kUs, 10 * kUs, nullptr,
                             "user_annotation"));
  }
  Event note;
  note.name = "worthit torch capture";
  note.category = "worthit";
  note.phase = 'i';
  note.pid = 7;
  note.ts_ns = 2200 * kUs;
  note.args = {{"optimizer_steps", 22}};
  t.events.push_back(note);
  sort_events(t);
  const SliceIndex index(t);
  const Steps all = find_steps(index);
  ASSERT_TRUE(all.from_optimizer);
  ASSERT_EQ(all.spans.size(), 3u);  // between recorded ends: 100-200, 200-1100, 1100-2100

  const HotOpsReport r = hot_ops(index, all, {});
  EXPECT_TRUE(r.sampled_steps);
  EXPECT_EQ(r.all_steps, 22u);  // the observer counted every optimizer step
  ASSERT_EQ(r.steps.spans.size(), 3u);
  const std::vector<std::pair<int64_t, int64_t>> expected = {
      {100 * kUs, 200 * kUs}, {1000 * kUs, 1100 * kUs}, {2000 * kUs, 2100 * kUs}};
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(r.steps.spans[i].start_ns, expected[i].first) << i;
    EXPECT_EQ(r.steps.spans[i].end_ns, expected[i].second) << i;
  }
  EXPECT_EQ(r.step_ns, 300 * kUs);
  ASSERT_FALSE(r.ops.empty());
  EXPECT_EQ(r.ops[0].name, "aten::mm");
  EXPECT_EQ(r.ops[0].calls, 3);  // the one before the first step end is not in a step
  EXPECT_NEAR(r.ops[0].share, 120.0 / 300.0, 1e-9);
  ASSERT_EQ(r.fusion.size(), 1u);
  EXPECT_EQ(r.fusion[0].occurrences, 3);

  // Without windows (every step captured) the steps are find_steps' own.
  Trace plain = t;
  std::erase_if(plain.events, [](const Event& e) { return e.name == "worthit capture"; });
  const SliceIndex plain_index(plain);
  const HotOpsReport p = hot_ops(plain_index, find_steps(plain_index), {});
  EXPECT_FALSE(p.sampled_steps);
  EXPECT_EQ(p.steps.spans.size(), 3u);
  EXPECT_EQ(p.steps.spans[1].start_ns, 200 * kUs);
}

TEST(HotOps, ElementwiseChainGivesAFusionHintOnlyWhenEachOpReadsThePrevious) {
  Trace t;
  const int64_t n = 1 << 20;  // 4 MiB per fp32 tensor
  for (int step = 0; step < 3; ++step) {
    const int64_t s = step * 10'000 * kUs;
    // y = gelu(x * 2 + 1): mul reads x (storage 1) and writes 2; add reads 2, writes 3; ...
    t.events.push_back(slice("aten::mul", s, 500 * kUs, tensor_args({{n}, {}}, {1, 0}, 2)));
    t.events.push_back(
        slice("aten::add", s + 600 * kUs, 500 * kUs, tensor_args({{n}, {}}, {2, 0}, 3)));
    t.events.push_back(slice("aten::view", s + 1150 * kUs, 10 * kUs, tensor_args({{n}}, {3}, 3)));
    t.events.push_back(slice("aten::gelu", s + 1200 * kUs, 500 * kUs, tensor_args({{n}}, {3}, 4)));
    // Two independent updates of the same shape: no chain.
    t.events.push_back(
        slice("aten::add_", s + 2000 * kUs, 500 * kUs, tensor_args({{n}, {n}}, {5, 6}, 5)));
    t.events.push_back(
        slice("aten::add_", s + 2600 * kUs, 500 * kUs, tensor_args({{n}, {n}}, {7, 8}, 7)));
    t.events.push_back(
        slice("Optimizer.step#SGD.step", s + 9000 * kUs, 1000 * kUs, nullptr, "user_annotation"));
  }
  sort_events(t);
  const SliceIndex index(t);
  HotOpsOptions options;
  options.ceilings = {cpu_ceiling()};
  const HotOpsReport r = hot_ops(index, find_steps(index), options);
  ASSERT_EQ(r.fusion.size(), 1u);
  const FusionHint& h = r.fusion[0];
  EXPECT_EQ(h.ops, (std::vector<std::string>{"aten::mul", "aten::add", "aten::gelu"}));
  EXPECT_EQ(h.occurrences, 2);
  // Unfused: three ops reading and writing n floats (mul and add also read their
  // 0-d scalar tensor, 4 bytes each); fused: x and the scalars read once, y written once.
  EXPECT_DOUBLE_EQ(h.bytes_unfused, 6.0 * n * 4 + 8);
  EXPECT_DOUBLE_EQ(h.bytes_fused, 2.0 * n * 4 + 8);
  EXPECT_NEAR(h.fused_roofline_ns, (2.0 * n * 4 + 8) / 40.0, 1e-6);
  EXPECT_NEAR(h.headroom, 1500.0 * kUs / ((2.0 * n * 4 + 8) / 40.0), 1e-9);
  EXPECT_EQ(h.signature, std::to_string(n) + ":f32");
}

TEST(HotOps, GpuOpsAreTimedByTheKernelsTheyLaunch) {
  Trace t;
  nlohmann::json gelu = tensor_args({{1 << 20}});
  gelu["Device"] = "cuda:0";
  t.events.push_back(slice("step", 0, 1000 * kUs, nullptr, "scope"));
  t.events.push_back(slice("aten::gelu", 10 * kUs, 30 * kUs, gelu));
  t.events.push_back(
      slice("cudaLaunchKernel", 15 * kUs, 10 * kUs, {{"correlation", 42}}, "cuda_runtime"));
  Event k = slice("gelu_kernel", 40 * kUs, 400 * kUs, {{"correlation", 42}}, "kernel", 99);
  t.events.push_back(k);
  sort_events(t);
  const SliceIndex index(t);
  HotOpsOptions options;
  options.ceilings = {cpu_ceiling(), {"cuda", 4000.0, 60000.0, 0}};
  const HotOpsReport r = hot_ops(index, find_steps(index), options);
  ASSERT_FALSE(r.ops.empty());
  EXPECT_EQ(r.ops[0].name, "aten::gelu");
  EXPECT_EQ(r.ops[0].self_ns, 400 * kUs);  // the kernel, not the launching CPU time
  EXPECT_EQ(r.ops[0].device, "cuda:0");
  EXPECT_NEAR(r.ops[0].roofline_ns, 8.0 * (1 << 20) / 4000.0, 1e-6);
}

TEST(HotOps, SortedByWhatAKernelCouldBuy) {
  std::vector<HotOp> ops(3);
  ops[0].name = "big share, little headroom";
  ops[0].share = 0.5, ops[0].headroom = 1.1, ops[0].verdict = Headroom::framework_enough;
  ops[1].name = "no model";
  ops[1].share = 0.9, ops[1].verdict = Headroom::no_cost_model;
  ops[2].name = "small share, big headroom";
  ops[2].share = 0.2, ops[2].headroom = 10, ops[2].verdict = Headroom::room;
  sort_by_headroom(ops);
  EXPECT_EQ(ops[0].name, "small share, big headroom");  // 0.2 * 0.9 = 0.18 > 0.5 * 0.09
  EXPECT_EQ(ops[1].name, "big share, little headroom");
  EXPECT_EQ(ops[2].name, "no model");
}

}  // namespace
}  // namespace worthit::trace
