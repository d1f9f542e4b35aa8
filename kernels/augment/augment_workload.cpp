#include "augment/augment_workload.h"

#include <cstring>

#include "src/random_inputs.h"

namespace worthit::kernels {

namespace {

constexpr float kMean[kAugmentChannels] = {0.485f, 0.456f, 0.406f};
constexpr float kStd[kAugmentChannels] = {0.229f, 0.224f, 0.225f};

Size augment_size(const ImageAugmentWorkload& w, int64_t batch, int64_t hw, int64_t crop) {
  return w.make_size({{"batch", batch}, {"height", hw}, {"width", hw}, {"crop", crop}});
}

}  // namespace

std::string ImageAugmentWorkload::description() const {
  return "uint8 HWC batch -> random crop, horizontal flip, normalize -> float32 NCHW (seeded crops "
         "and flips)";
}

std::vector<Size> ImageAugmentWorkload::sizes() const {
  return {augment_size(*this, 16, 128, 112), augment_size(*this, 64, 256, 224),
          augment_size(*this, 256, 256, 224)};
}

std::vector<Size> ImageAugmentWorkload::quick_sizes() const {
  return {augment_size(*this, 8, 64, 56)};
}

Size ImageAugmentWorkload::make_size(const std::map<std::string, int64_t>& params) const {
  Size s = Workload::make_size(params);
  check_range(name(), "batch", s.at("batch"), 1, 4096);
  check_range(name(), "height", s.at("height"), 1, 8192);
  check_range(name(), "width", s.at("width"), 1, 8192);
  check_range(name(), "crop", s.at("crop"), 1, std::min(s.at("height"), s.at("width")));
  return s;
}

Buffers ImageAugmentWorkload::make_inputs(const Size& size, uint64_t seed) const {
  const int64_t n = size.at("batch"), h = size.at("height"), w = size.at("width"),
                crop = size.at("crop");
  Buffers in;
  in.emplace_back("images", DType::u8, std::vector<int64_t>{n, h, w, kAugmentChannels});
  in.emplace_back("params", DType::i32, std::vector<int64_t>{n, 3});
  in.emplace_back("mean", DType::f32, std::vector<int64_t>{kAugmentChannels});
  in.emplace_back("std", DType::f32, std::vector<int64_t>{kAugmentChannels});
  const int64_t image_bytes = h * w * kAugmentChannels;
  uint8_t* images = in[0].as<uint8_t>();
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    SplitMix64 g(seed ^ (uint64_t(i + 1) * 0x9E3779B97F4A7C15ull));
    uint8_t* img = images + i * image_bytes;
    for (int64_t b = 0; b < image_bytes; b += 8) {
      const uint64_t bits = g.next();
      std::memcpy(img + b, &bits, size_t(std::min<int64_t>(8, image_bytes - b)));
    }
  }
  // Crop offsets uniform over the valid range, flips with probability 1/2.
  SplitMix64 g(seed * 0xD1B54A32D192ED03ull + 0xA06u);
  int32_t* p = in[1].as<int32_t>();
  for (int64_t i = 0; i < n; ++i) {
    p[3 * i + 0] = int32_t(g.next() % uint64_t(h - crop + 1));
    p[3 * i + 1] = int32_t(g.next() % uint64_t(w - crop + 1));
    p[3 * i + 2] = int32_t(g.next() & 1);
  }
  std::memcpy(in[2].data(), kMean, sizeof kMean);
  std::memcpy(in[3].data(), kStd, sizeof kStd);
  return in;
}

Buffers ImageAugmentWorkload::make_outputs(const Size& size) const {
  Buffers out;
  const int64_t crop = size.at("crop");
  out.emplace_back("out", DType::f32,
                   std::vector<int64_t>{size.at("batch"), kAugmentChannels, crop, crop});
  return out;
}

// The definition, element by element, in double.
void ImageAugmentWorkload::reference(const Buffers& inputs, Buffers& outputs) const {
  const auto& shape = inputs[0].shape();
  const int64_t n = shape[0], h = shape[1], w = shape[2];
  const int64_t crop = outputs[0].shape()[2];
  const uint8_t* images = inputs[0].as<uint8_t>();
  const int32_t* params = inputs[1].as<int32_t>();
  const float* mean = inputs[2].as<float>();
  const float* std = inputs[3].as<float>();
  float* out = outputs[0].as<float>();
#pragma omp parallel for schedule(static)
  for (int64_t b = 0; b < n; ++b) {
    const int64_t y0 = params[3 * b], x0 = params[3 * b + 1];
    const bool flip = params[3 * b + 2] != 0;
    for (int64_t c = 0; c < kAugmentChannels; ++c)
      for (int64_t i = 0; i < crop; ++i)
        for (int64_t j = 0; j < crop; ++j) {
          const int64_t x = x0 + (flip ? crop - 1 - j : j);
          const double v = images[((b * h + y0 + i) * w + x) * kAugmentChannels + c];
          out[((b * kAugmentChannels + c) * crop + i) * crop + j] =
              float((v / 255.0 - double(mean[c])) / double(std[c]));
        }
  }
}

// Outputs lie in [-2.2, 2.7]; a float32 evaluation in any order is within a
// few ulp (2.4e-7 each at 2) of the double one.
Tolerance ImageAugmentWorkload::tolerance(DType dtype) const {
  if (dtype == DType::f32) return {2e-6, 2e-6};
  return Workload::tolerance(dtype);
}

// The cropped pixels read once (u8), the output written once (f32).
double ImageAugmentWorkload::bytes_moved(const Size& size) const {
  const double elems =
      double(size.at("batch")) * kAugmentChannels * double(size.at("crop") * size.at("crop"));
  return elems * (1.0 + 4.0);
}

// A multiply and an add per output element (the fused form).
double ImageAugmentWorkload::flops(const Size& size) const {
  return 2.0 * double(size.at("batch")) * kAugmentChannels *
         double(size.at("crop") * size.at("crop"));
}

}  // namespace worthit::kernels
