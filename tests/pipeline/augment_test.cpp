#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "augment/augment_workload.h"
#include "gate_support.h"

namespace worthit {
namespace {

TEST(ImageAugment, FusedPassesTheGateAtOddSizesAndThreadCounts) {
  for (int threads : {1, 3})
    for (const auto& p : std::vector<std::map<std::string, int64_t>>{
             {{"batch", 5}, {"height", 37}, {"width", 29}, {"crop", 17}},
             {{"batch", 1}, {"height", 1}, {"width", 1}, {"crop", 1}},
             {{"batch", 9}, {"height", 64}, {"width", 64}, {"crop", 64}}}) {
      const Correctness c = test::gate("image_augment", "cpp-fused", p, threads);
      EXPECT_TRUE(c.passed) << threads << " threads: " << c.detail;
    }
}

TEST(ImageAugment, ParamsAreSeededAndInRangeWithBothFlips) {
  kernels::ImageAugmentWorkload w;
  const Size s = w.make_size({{"batch", 64}, {"height", 40}, {"width", 30}, {"crop", 24}});
  const Buffers a = w.make_inputs(s, 3), b = w.make_inputs(s, 3), c = w.make_inputs(s, 4);
  EXPECT_EQ(0, std::memcmp(a[1].data(), b[1].data(), a[1].bytes()));
  EXPECT_EQ(0, std::memcmp(a[0].data(), b[0].data(), a[0].bytes()));
  EXPECT_NE(0, std::memcmp(a[1].data(), c[1].data(), a[1].bytes()));
  int flips = 0;
  for (int64_t i = 0; i < 64; ++i) {
    const int32_t* p = a[1].as<int32_t>() + 3 * i;
    EXPECT_GE(p[0], 0);
    EXPECT_LE(p[0], 40 - 24);
    EXPECT_GE(p[1], 0);
    EXPECT_LE(p[1], 30 - 24);
    flips += p[2];
  }
  EXPECT_GT(flips, 10);
  EXPECT_LT(flips, 54);
}

// A hand-checked pixel: the flipped image's first output column is the
// crop's last input column.
TEST(ImageAugment, ReferenceFlipsAndNormalizes) {
  kernels::ImageAugmentWorkload w;
  const Size s = w.make_size({{"batch", 1}, {"height", 4}, {"width", 5}, {"crop", 3}});
  Buffers in = w.make_inputs(s, 1);
  int32_t* p = in[1].as<int32_t>();
  p[0] = 1, p[1] = 2, p[2] = 1;
  Buffers out = w.make_outputs(s);
  w.reference(in, out);
  const uint8_t* img = in[0].as<uint8_t>();
  const float* o = out[0].as<float>();
  // out[c=2, i=0, j=0] = img[y=1, x=2+2, c=2]
  const double v = img[(1 * 5 + 4) * 3 + 2];
  EXPECT_NEAR(o[2 * 9 + 0], (v / 255.0 - 0.406) / 0.225, 1e-6);
}

TEST(ImageAugment, OutOfBoundsCropsAreRejectedNotRead) {
  kernels::ImageAugmentWorkload w;
  const Size s = w.make_size({{"batch", 2}, {"height", 8}, {"width", 8}, {"crop", 4}});
  Buffers in = w.make_inputs(s, 1);
  in[1].as<int32_t>()[4] = 6;  // image 1's x offset: 6 + 4 > 8
  Buffers out = w.make_outputs(s);
  EXPECT_THROW(
      test::pipeline_candidate("image_augment", "cpp-fused").prepare(in, out, RunContext{}),
      std::invalid_argument);
}

}  // namespace
}  // namespace worthit
