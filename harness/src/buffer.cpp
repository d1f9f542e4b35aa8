#include "worthit/harness/buffer.h"

#include <cstdlib>
#include <new>

namespace worthit {

size_t dtype_size(DType d) {
  switch (d) {
    case DType::f32:
      return 4;
    case DType::f64:
      return 8;
    case DType::i32:
      return 4;
    case DType::i64:
      return 8;
    case DType::u8:
      return 1;
  }
  return 1;
}

const char* to_string(DType d) {
  switch (d) {
    case DType::f32:
      return "f32";
    case DType::f64:
      return "f64";
    case DType::i32:
      return "i32";
    case DType::i64:
      return "i64";
    case DType::u8:
      return "u8";
  }
  return "?";
}

void Buffer::Free::operator()(void* p) const { std::free(p); }

Buffer::Buffer(std::string name, DType dtype, std::vector<int64_t> shape)
    : name_(std::move(name)), dtype_(dtype), shape_(std::move(shape)) {
  numel_ = 1;
  for (auto d : shape_) {
    if (d < 0) throw std::invalid_argument("buffer '" + name_ + "': negative dimension");
    numel_ *= d;
  }
  // Round up to the alignment (aligned_alloc requires it) and keep at least
  // one block so data() is never null.
  size_t bytes = std::max<size_t>(this->bytes(), 1);
  bytes = (bytes + kAlignment - 1) / kAlignment * kAlignment;
  void* p = std::aligned_alloc(kAlignment, bytes);
  if (!p) throw std::bad_alloc();
  data_.reset(p);
}

}  // namespace worthit
