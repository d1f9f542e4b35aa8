// The built-in workloads themselves: deterministic inputs, size validation,
// the default sizes' span over the cache hierarchy, the reference on known
// values, and the candidates' metadata.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <set>

#include "kernel_test_support.h"
#include "src/random_inputs.h"

namespace worthit::test {
namespace {

uint64_t fnv1a(const Buffers& buffers) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (const Buffer& b : buffers) {
    const auto* p = static_cast<const unsigned char*>(b.data());
    for (size_t i = 0; i < b.bytes(); ++i) h = (h ^ p[i]) * 0x100000001b3ull;
  }
  return h;
}

bool same_bytes(const Buffers& a, const Buffers& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].bytes() != b[i].bytes() || std::memcmp(a[i].data(), b[i].data(), a[i].bytes()) != 0)
      return false;
  return true;
}

class EachWorkload : public ::testing::TestWithParam<std::string> {
 protected:
  const Workload& w() const { return *builtin_registry().find_workload(GetParam()); }
};

TEST_P(EachWorkload, InputsAreIdenticalForASeedAndDifferAcrossSeeds) {
  const Size s = w().quick_sizes().front();
  const Buffers a = w().make_inputs(s, 42);
  const Buffers b = w().make_inputs(s, 42);
  const Buffers c = w().make_inputs(s, 43);
  EXPECT_TRUE(same_bytes(a, b));
  EXPECT_FALSE(same_bytes(a, c));
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].dtype(), DType::f32);
    EXPECT_NE(std::memcmp(a[i].data(), c[i].data(), a[i].bytes()), 0) << a[i].name();
    for (float v : a[i].span<float>()) ASSERT_TRUE(std::isfinite(v));
  }
  // Different buffers of one seed are different streams, not copies.
  for (size_t i = 1; i < a.size(); ++i)
    EXPECT_NE(std::memcmp(a[0].data(), a[i].data(), std::min(a[0].bytes(), a[i].bytes())), 0);
}

TEST_P(EachWorkload, SizesAreValidAndSpanTheCaches) {
  std::set<std::string> labels;
  double smallest = 1e300, largest = 0;
  for (const Size& s : w().sizes()) {
    EXPECT_TRUE(labels.insert(s.label).second) << "duplicate size " << s.label;
    EXPECT_EQ(w().make_size(s.params).label, s.label);
    smallest = std::min(smallest, w().bytes_moved(s));
    largest = std::max(largest, w().bytes_moved(s));
    EXPECT_GT(w().flops(s), 0);
  }
  // This machine: 2 MiB L2 per core, 32 MiB L3. From in-cache to 4x the L3.
  EXPECT_LE(smallest, 2.0 * (1 << 20));
  EXPECT_GE(largest, 4.0 * 32 * (1 << 20));
  const auto quick = w().quick_sizes();
  EXPECT_GE(quick.size(), 1u);
  EXPECT_LE(quick.size(), 2u);
  for (const Size& s : quick) EXPECT_LE(w().bytes_moved(s), 8.0 * (1 << 20)) << s.label;
}

TEST_P(EachWorkload, MakeSizeRejectsBadParams) {
  std::map<std::string, int64_t> good = w().quick_sizes().front().params;
  EXPECT_NO_THROW(w().make_size(good));
  for (const auto& key : w().size_keys()) {
    auto missing = good;
    missing.erase(key);
    EXPECT_THROW(w().make_size(missing), std::invalid_argument) << "missing " << key;
    auto zero = good;
    zero[key] = 0;
    EXPECT_THROW(w().make_size(zero), std::invalid_argument) << key << "=0";
    auto negative = good;
    negative[key] = -5;
    EXPECT_THROW(w().make_size(negative), std::invalid_argument) << key << "=-5";
    auto huge = good;
    huge[key] = int64_t{1} << 40;
    EXPECT_THROW(w().make_size(huge), std::invalid_argument) << key << "=2^40";
  }
  auto unknown = good;
  unknown["bogus"] = 3;
  EXPECT_THROW(w().make_size(unknown), std::invalid_argument);
}

TEST_P(EachWorkload, CandidatesCarryTheirMetadata) {
  std::set<std::string> backends;
  for (const Candidate* c : builtin_registry().candidates(GetParam())) {
    backends.insert(c->backend);
    if (c->device != "cpu") continue;  // GPU candidates are tested with the CUDA code
    EXPECT_EQ(c->framework, c->backend == "libtorch" || c->backend == "torchscript") << c->name();
    EXPECT_TRUE(c->unavailable && c->skip && c->prepare) << c->name();
    if (c->backend == "cpp-simd") {
      EXPECT_NE(std::find(c->toolchains.begin(), c->toolchains.end(), "openmp"),
                c->toolchains.end());
    }
    if (c->unavailable()) continue;  // a placeholder for a missing library
    ASSERT_FALSE(c->sources.empty()) << c->name();
    for (const auto& src : c->sources)
      EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(WORTHIT_SOURCE_DIR) / src))
          << c->name() << " lists missing source " << src;
  }
  // The CPU set, always registered (GPU builds add more).
  std::set<std::string> expected{"cpp-scalar", "cpp-simd", "libtorch"};
  if (GetParam() != "matmul") expected.insert("torchscript");
  for (const auto& b : expected) EXPECT_TRUE(backends.count(b)) << "missing backend " << b;
}

INSTANTIATE_TEST_SUITE_P(Builtin, EachWorkload,
                         ::testing::Values("gelu", "bias_residual_layernorm", "matmul",
                                           "linear_recurrence"));

// Pins the generator: these inputs are the same bits on every machine and
// compiler. If this fails, results files from before and after the change
// are not comparable.
TEST(Inputs, AreBitIdenticalToThePinnedValues) {
  const Registry& reg = builtin_registry();
  const auto hash = [&](const std::string& name, const std::map<std::string, int64_t>& p) {
    const Workload& w = *reg.find_workload(name);
    return fnv1a(w.make_inputs(w.make_size(p), 42));
  };
  EXPECT_EQ(hash("gelu", {{"n", 1000}}), 5029738781351949505ull);
  EXPECT_EQ(hash("bias_residual_layernorm", {{"rows", 7}, {"cols", 33}}), 7745343750630495893ull);
  EXPECT_EQ(hash("matmul", {{"m", 5}, {"n", 6}, {"k", 7}}), 14848773641934464474ull);
  EXPECT_EQ(hash("linear_recurrence", {{"t", 9}, {"b", 2}, {"c", 3}}), 9558058244102989625ull);
}

// The generator against splitmix64's published first outputs for seed 0, and
// the bits-to-float conversion at its ends.
TEST(Inputs, GeneratorMatchesSplitMix64) {
  kernels::SplitMix64 g(0);
  EXPECT_EQ(g.next(), 0xE220A8397B1DCDAFull);
  EXPECT_EQ(g.next(), 0x6E789E6AA1B965F4ull);
  EXPECT_EQ(kernels::uniform_float(0, -1.0, 1.0), -1.0f);
  EXPECT_EQ(kernels::uniform_float(~uint64_t{0}, 0.0, 1.0), 1.0f - 0x1.0p-24f);
  EXPECT_EQ(kernels::uniform_float(uint64_t{1} << 63, -8.0, 8.0), 0.0f);
}

// The references on hand-checked values.
TEST(Reference, GeluKnownValues) {
  const Workload& w = *builtin_registry().find_workload("gelu");
  const Size s = w.make_size({{"n", 3}});
  Buffers in = w.make_inputs(s, 1);
  in[0].as<float>()[0] = 0.0f;
  in[0].as<float>()[1] = 1.0f;
  in[0].as<float>()[2] = -1.0f;
  Buffers out = w.make_outputs(s);
  w.reference(in, out);
  EXPECT_EQ(out[0].as<float>()[0], 0.0f);
  EXPECT_NEAR(out[0].as<float>()[1], 0.8411920, 1e-6);
  EXPECT_NEAR(out[0].as<float>()[2], -0.1588080, 1e-6);
}

TEST(Reference, LayerNormOfAConstantRowIsBeta) {
  const Workload& w = *builtin_registry().find_workload("bias_residual_layernorm");
  const Size s = w.make_size({{"rows", 1}, {"cols", 4}});
  Buffers in = w.make_inputs(s, 1);
  for (int c = 0; c < 4; ++c) {
    in[0].as<float>()[c] = 1.0f;   // x
    in[1].as<float>()[c] = 0.5f;   // bias
    in[2].as<float>()[c] = -2.0f;  // residual
  }
  Buffers out = w.make_outputs(s);
  w.reference(in, out);
  for (int c = 0; c < 4; ++c) EXPECT_FLOAT_EQ(out[0].as<float>()[c], in[4].as<float>()[c]);
}

TEST(Reference, MatmulByIdentity) {
  const Workload& w = *builtin_registry().find_workload("matmul");
  const Size s = w.make_size({{"m", 3}, {"n", 4}, {"k", 4}});
  Buffers in = w.make_inputs(s, 1);
  for (int i = 0; i < 16; ++i) in[1].as<float>()[i] = (i % 5 == 0) ? 1.0f : 0.0f;
  Buffers out = w.make_outputs(s);
  w.reference(in, out);
  for (int i = 0; i < 12; ++i) EXPECT_EQ(out[0].as<float>()[i], in[0].as<float>()[i]);
}

TEST(Reference, RecurrenceHalvingGate) {
  const Workload& w = *builtin_registry().find_workload("linear_recurrence");
  const Size s = w.make_size({{"t", 3}, {"b", 1}, {"c", 1}});
  Buffers in = w.make_inputs(s, 1);
  for (int t = 0; t < 3; ++t) {
    in[0].as<float>()[t] = 0.5f;
    in[1].as<float>()[t] = 1.0f;
  }
  Buffers out = w.make_outputs(s);
  w.reference(in, out);
  EXPECT_EQ(out[0].as<float>()[0], 1.0f);
  EXPECT_EQ(out[0].as<float>()[1], 1.5f);
  EXPECT_EQ(out[0].as<float>()[2], 1.75f);
}

TEST(Registry, ThreadSettersAcceptTheRunsThreadCount) {
  EXPECT_NO_THROW(builtin_registry().set_threads(2));
  EXPECT_NO_THROW(builtin_registry().set_threads(1));
}

}  // namespace
}  // namespace worthit::test
