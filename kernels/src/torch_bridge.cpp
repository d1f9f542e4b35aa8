#include "src/torch_bridge.h"

#include <ATen/Parallel.h>
#include <ATen/ops/from_blob.h>

#include <cstring>
#include <stdexcept>

namespace worthit::kernels {

namespace {

at::ScalarType scalar_type(DType d) {
  switch (d) {
    case DType::f32:
      return at::kFloat;
    case DType::f64:
      return at::kDouble;
    case DType::i32:
      return at::kInt;
    case DType::i64:
      return at::kLong;
    case DType::u8:
      return at::kByte;
  }
  throw std::logic_error("unknown dtype");
}

}  // namespace

at::Tensor as_tensor(Buffer& buffer) {
  return at::from_blob(buffer.data(), buffer.shape(),
                       at::TensorOptions().dtype(scalar_type(buffer.dtype())));
}

at::Tensor as_tensor(const Buffer& buffer) {
  // ATen has no read-only tensors; the candidates only read their inputs.
  return as_tensor(const_cast<Buffer&>(buffer));
}

void copy_to_buffer(const at::Tensor& tensor, Buffer& buffer) {
  const at::Tensor t = tensor.contiguous();
  if (static_cast<size_t>(t.nbytes()) != buffer.bytes())
    throw std::runtime_error("result of " + std::to_string(t.nbytes()) + " bytes for buffer '" +
                             buffer.name() + "' of " + std::to_string(buffer.bytes()));
  std::memcpy(buffer.data(), t.data_ptr(), buffer.bytes());
}

void set_torch_threads(int threads) {
  if (threads > 0) at::set_num_threads(threads);
}

}  // namespace worthit::kernels
