// image_augment: a batch of uint8 HWC images -> random crop, horizontal flip,
// normalize -> float32 NCHW, the usual training-time augmentation.
//
// The randomness is an input, not a candidate's choice: `params` holds each
// image's crop offset and flip flag (int32 [batch, 3]: y, x, flip), drawn from
// the seed by the generator, so every candidate makes the same crops and
// flips and their outputs can be compared element by element.
//   out[n, c, i, j] = (img[n, y + i, x + (flip ? crop - 1 - j : j), c] / 255 - mean[c]) / std[c]
#pragma once

#include "worthit/harness/candidate.h"
#include "worthit/harness/workload.h"

namespace worthit::kernels {

inline constexpr int kAugmentChannels = 3;

class ImageAugmentWorkload final : public Workload {
 public:
  std::string name() const override { return "image_augment"; }
  std::string description() const override;
  std::vector<std::string> size_keys() const override {
    return {"batch", "height", "width", "crop"};
  }
  std::vector<Size> sizes() const override;
  std::vector<Size> quick_sizes() const override;
  Size make_size(const std::map<std::string, int64_t>& params) const override;
  // images u8 [batch, height, width, 3], params i32 [batch, 3] (y, x, flip),
  // mean f32 [3], std f32 [3] (the ImageNet statistics).
  Buffers make_inputs(const Size& size, uint64_t seed) const override;
  // out f32 [batch, 3, crop, crop]
  Buffers make_outputs(const Size& size) const override;
  void reference(const Buffers& inputs, Buffers& outputs) const override;
  Tolerance tolerance(DType dtype) const override;
  double bytes_moved(const Size& size) const override;
  double flops(const Size& size) const override;
};

Candidate augment_fused_candidate();  // augment_fused.cpp

}  // namespace worthit::kernels
