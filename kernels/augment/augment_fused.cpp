// cpp-fused image_augment: crop, flip, u8 -> f32, normalize and HWC -> CHW in
// one pass over the cropped pixels, OpenMP over images. Normalization is
// folded into one multiply-add per element: (v / 255 - mean) / std =
// v * (1 / (255 std)) + (-mean / std).
#include <omp.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "augment/augment_workload.h"
#include "src/simd_dispatch.h"

namespace worthit::kernels {

namespace {

struct Affine {
  float scale[kAugmentChannels];
  float bias[kAugmentChannels];
};

// One cropped row: interleaved RGB in, three planar rows out.
WORTHIT_SIMD_CLONES
void row_forward(const uint8_t* __restrict src, float* __restrict r, float* __restrict g,
                 float* __restrict b, int64_t crop, const Affine& a) {
  const float s0 = a.scale[0], s1 = a.scale[1], s2 = a.scale[2];
  const float b0 = a.bias[0], b1 = a.bias[1], b2 = a.bias[2];
#pragma omp simd
  for (int64_t j = 0; j < crop; ++j) {
    r[j] = float(src[3 * j]) * s0 + b0;
    g[j] = float(src[3 * j + 1]) * s1 + b1;
    b[j] = float(src[3 * j + 2]) * s2 + b2;
  }
}

// A flipped row: the same vectorised pass into an L1-resident scratch row,
// then a reversed copy (a read with negative stride 3 does not vectorise).
WORTHIT_SIMD_CLONES
void reverse_row(const float* __restrict src, float* __restrict dst, int64_t crop) {
  const int64_t last = crop - 1;
#pragma omp simd
  for (int64_t j = 0; j < crop; ++j) dst[j] = src[last - j];
}

void row_flipped(const uint8_t* src, float* r, float* g, float* b, int64_t crop, const Affine& a,
                 float* scratch) {
  row_forward(src, scratch, scratch + crop, scratch + 2 * crop, crop, a);
  reverse_row(scratch, r, crop);
  reverse_row(scratch + crop, g, crop);
  reverse_row(scratch + 2 * crop, b, crop);
}

void augment(const uint8_t* images, const int32_t* params, const Affine& a, float* out, int64_t n,
             int64_t h, int64_t w, int64_t crop, int threads) {
  const int64_t plane = crop * crop;
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t b = 0; b < n; ++b) {
    thread_local std::vector<float> scratch;
    if (scratch.size() < size_t(3 * crop)) scratch.resize(size_t(3 * crop));
    const int64_t y0 = params[3 * b], x0 = params[3 * b + 1];
    const bool flip = params[3 * b + 2] != 0;
    float* o = out + b * kAugmentChannels * plane;
    for (int64_t i = 0; i < crop; ++i) {
      const uint8_t* src = images + ((b * h + y0 + i) * w + x0) * kAugmentChannels;
      float* r = o + i * crop;
      if (flip)
        row_flipped(src, r, r + plane, r + 2 * plane, crop, a, scratch.data());
      else
        row_forward(src, r, r + plane, r + 2 * plane, crop, a);
    }
  }
}

}  // namespace

Candidate augment_fused_candidate() {
  Candidate c;
  c.workload = "image_augment";
  c.backend = "cpp-fused";
  c.description = "crop + flip + normalize + HWC->CHW in one pass, OpenMP over images";
  c.sources = {"kernels/augment/augment_fused.cpp"};
  c.toolchains = {"openmp"};
  c.unavailable = [] { return std::optional<std::string>(); };
  c.skip = [](const Size&) { return std::optional<std::string>(); };
  c.prepare = [](const Buffers& in, Buffers& out, const RunContext& ctx) {
    const auto& shape = in[0].shape();
    const int64_t n = shape[0], h = shape[1], w = shape[2];
    const int64_t crop = out[0].shape()[2];
    Affine a{};
    for (int c = 0; c < kAugmentChannels; ++c) {
      const float mean = in[2].as<float>()[c], std = in[3].as<float>()[c];
      a.scale[c] = 1.0f / (255.0f * std);
      a.bias[c] = -mean / std;
    }
    const uint8_t* images = in[0].as<uint8_t>();
    const int32_t* params = in[1].as<int32_t>();
    for (int64_t b = 0; b < n; ++b)  // the kernel trusts the offsets: check them once, untimed
      if (params[3 * b] < 0 || params[3 * b] + crop > h || params[3 * b + 1] < 0 ||
          params[3 * b + 1] + crop > w)
        throw std::invalid_argument("image_augment: crop of image " + std::to_string(b) +
                                    " is out of bounds");
    float* o = out[0].as<float>();
    const int threads = ctx.threads > 0 ? ctx.threads : 1;
    PreparedRun run;
    run.run = [=] { augment(images, params, a, o, n, h, w, crop, threads); };
    return run;
  };
  return c;
}

}  // namespace worthit::kernels
