// Private glue between worthit buffers and ATen tensors for the libtorch and
// torchscript candidates. Only the small ATen core headers, so the candidate
// files that include this stay quick to compile.
#pragma once

#include <ATen/core/Tensor.h>

#include <memory>
#include <string>
#include <vector>

#include "src/torch_threads.h"
#include "worthit/harness/buffer.h"

namespace worthit::kernels {

// A tensor viewing the buffer's memory (at::from_blob: no copy). The const
// overload is for inputs; candidates must not write through it.
at::Tensor as_tensor(Buffer& buffer);
at::Tensor as_tensor(const Buffer& buffer);

// The untimed publish step for results a framework allocated itself.
void copy_to_buffer(const at::Tensor& tensor, Buffer& buffer);

// A TorchScript function compiled from source with torch::jit::compile
// (torchscript_function.cpp is the one file that includes the JIT headers).
class TorchScriptFunction {
 public:
  TorchScriptFunction(const std::string& source, const std::string& function_name);
  ~TorchScriptFunction();
  TorchScriptFunction(const TorchScriptFunction&) = delete;
  TorchScriptFunction& operator=(const TorchScriptFunction&) = delete;

  // Calls the function; it must return one tensor.
  at::Tensor operator()(const std::vector<at::Tensor>& args) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace worthit::kernels
