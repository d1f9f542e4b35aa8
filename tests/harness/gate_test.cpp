#include <cmath>
#include <cstring>

#include <gtest/gtest.h>

#include "test_workload.h"
#include "worthit/harness/gate.h"

using namespace worthit;
using namespace worthit::testing;

namespace {

Correctness gate(Fault fault, int64_t n = 1000) {
  AffineWorkload w;
  const Size size = w.make_size({{"n", n}});
  const Buffers in = w.make_inputs(size, 42);
  Buffers expected = w.make_outputs(size);
  w.reference(in, expected);
  Buffers out = w.make_outputs(size);
  Candidate c = affine_candidate("x", fault);
  PreparedRun run = c.prepare(in, out, RunContext{1});
  return run_correctness_gate(w, run, expected, out);
}

}  // namespace

TEST(Gate, CorrectCandidatePasses) {
  const Correctness c = gate(Fault::none);
  EXPECT_TRUE(c.checked);
  EXPECT_TRUE(c.passed) << c.detail;
  EXPECT_EQ(c.max_abs_error, 0);
}

TEST(Gate, UnwrittenTailIsCaughtThroughPoison) {
  // The last element keeps its poison (NaN): the gate must see it.
  const Correctness c = gate(Fault::unwritten_tail);
  EXPECT_FALSE(c.passed);
  EXPECT_EQ(c.nonfinite, 1);
  EXPECT_NE(c.detail.find("[999]"), std::string::npos) << c.detail;
}

TEST(Gate, NaNOutputIsCaught) {
  const Correctness c = gate(Fault::nan_output);
  EXPECT_FALSE(c.passed);
  EXPECT_EQ(c.nonfinite, 1);
}

TEST(Gate, WrongValueIsCaughtWithItsError) {
  const Correctness c = gate(Fault::wrong_value);
  EXPECT_FALSE(c.passed);
  EXPECT_EQ(c.mismatches, 1);
  EXPECT_NEAR(c.max_abs_error, 0.5, 1e-6);
}

TEST(Gate, PoisonFillsFloatsWithNaNAndIntegersWithPattern) {
  Buffers b;
  b.emplace_back("f", DType::f32, std::vector<int64_t>{3});
  b.emplace_back("u", DType::u8, std::vector<int64_t>{2});
  poison(b);
  for (float v : b[0].span<float>()) EXPECT_TRUE(std::isnan(v));
  for (uint8_t v : b[1].span<uint8_t>()) EXPECT_EQ(v, 0xA5);
}

TEST(Gate, ShapeMismatchFails) {
  AffineWorkload w;
  Buffers expected = w.make_outputs(w.make_size({{"n", 10}}));
  Buffers actual = w.make_outputs(w.make_size({{"n", 11}}));
  EXPECT_FALSE(compare_outputs(w, expected, actual).passed);
}

TEST(Buffer, IsAlignedAndTyped) {
  Buffer b("x", DType::f32, {3, 5});
  EXPECT_EQ(b.numel(), 15);
  EXPECT_EQ(b.bytes(), 60u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(b.data()) % Buffer::kAlignment, 0u);
  EXPECT_THROW(b.as<double>(), std::logic_error);
}

TEST(Size, ParsesSuffixesAndRejectsGarbage) {
  auto p = parse_size_params("n=1M,k=3");
  EXPECT_EQ(p.at("n"), 1 << 20);
  EXPECT_EQ(p.at("k"), 3);
  EXPECT_THROW(parse_size_params("n"), std::invalid_argument);
  EXPECT_THROW(parse_size_params("n=-4"), std::invalid_argument);
  EXPECT_THROW(parse_size_params("n=4x"), std::invalid_argument);
  EXPECT_THROW(parse_size_params("n=1,n=2"), std::invalid_argument);
  AffineWorkload w;
  EXPECT_THROW(w.make_size({{"m", 4}}), std::invalid_argument);
  EXPECT_EQ(w.make_size({{"n", 4}}).label, "n=4");
}
