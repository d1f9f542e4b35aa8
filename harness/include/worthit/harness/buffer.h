// Typed, 64-byte-aligned host buffers: the inputs and outputs every candidate
// of a workload shares.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace worthit {

enum class DType { f32, f64, i32, i64, u8 };

size_t dtype_size(DType d);
const char* to_string(DType d);

template <class T>
constexpr DType dtype_of();
template <>
constexpr DType dtype_of<float>() {
  return DType::f32;
}
template <>
constexpr DType dtype_of<double>() {
  return DType::f64;
}
template <>
constexpr DType dtype_of<int32_t>() {
  return DType::i32;
}
template <>
constexpr DType dtype_of<int64_t>() {
  return DType::i64;
}
template <>
constexpr DType dtype_of<uint8_t>() {
  return DType::u8;
}

class Buffer {
 public:
  static constexpr size_t kAlignment = 64;

  Buffer() = default;
  Buffer(std::string name, DType dtype, std::vector<int64_t> shape);

  const std::string& name() const { return name_; }
  DType dtype() const { return dtype_; }
  const std::vector<int64_t>& shape() const { return shape_; }
  int64_t numel() const { return numel_; }
  size_t bytes() const { return static_cast<size_t>(numel_) * dtype_size(dtype_); }

  void* data() { return data_.get(); }
  const void* data() const { return data_.get(); }

  // Typed access; throws std::logic_error when T does not match the dtype.
  template <class T>
  T* as() {
    check<T>();
    return static_cast<T*>(data());
  }
  template <class T>
  const T* as() const {
    check<T>();
    return static_cast<const T*>(data());
  }
  template <class T>
  std::span<T> span() {
    return {as<T>(), static_cast<size_t>(numel_)};
  }
  template <class T>
  std::span<const T> span() const {
    return {as<T>(), static_cast<size_t>(numel_)};
  }

 private:
  template <class T>
  void check() const {
    if (dtype_of<T>() != dtype_)
      throw std::logic_error("buffer '" + name_ + "' is not of that dtype");
  }
  struct Free {
    void operator()(void* p) const;
  };
  std::string name_;
  DType dtype_ = DType::f32;
  std::vector<int64_t> shape_;
  int64_t numel_ = 0;
  std::unique_ptr<void, Free> data_;
};

using Buffers = std::vector<Buffer>;

}  // namespace worthit
