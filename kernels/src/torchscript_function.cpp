// The one translation unit that includes the TorchScript JIT headers.
#include <torch/jit.h>

#include "src/torch_bridge.h"

namespace worthit::kernels {

struct TorchScriptFunction::Impl {
  std::shared_ptr<torch::jit::CompilationUnit> unit;
  torch::jit::Function* function = nullptr;
};

TorchScriptFunction::TorchScriptFunction(const std::string& source,
                                         const std::string& function_name)
    : impl_(std::make_unique<Impl>()) {
  impl_->unit = torch::jit::compile(source);
  impl_->function = &impl_->unit->get_function(function_name);
}

TorchScriptFunction::~TorchScriptFunction() = default;

at::Tensor TorchScriptFunction::operator()(const std::vector<at::Tensor>& args) const {
  torch::jit::Stack stack(args.begin(), args.end());
  return (*impl_->function)(std::move(stack)).toTensor();
}

}  // namespace worthit::kernels
