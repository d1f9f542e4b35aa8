// The libtorch thread setter, declared without any torch header so that
// builtin.cpp stays a plain C++ file.
#pragma once

namespace worthit::kernels {

// at::set_num_threads (intra-op threads); defined in torch_bridge.cpp.
void set_torch_threads(int threads);

}  // namespace worthit::kernels
