#include "cuda/torch_cuda_loader.h"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "cuda/device_runtime.h"
#include "cuda/torch_cuda_plugin_api.h"

namespace worthit::kernels::cuda {

namespace {

struct Plugin {
  const TorchCudaPluginApi* api = nullptr;
  std::string error;  // why api is null
};

// Where the plugin may be: $WORTHIT_LIB_DIR, the folder of the binary or
// module this code is linked into, and the build folder it was built in.
std::vector<std::filesystem::path> plugin_paths() {
  std::vector<std::filesystem::path> paths;
  if (const char* dir = std::getenv("WORTHIT_LIB_DIR"); dir && *dir)
    paths.push_back(std::filesystem::path(dir) / kTorchCudaPluginFile);
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&plugin_paths), &info) && info.dli_fname)
    paths.push_back(std::filesystem::path(info.dli_fname).parent_path() / kTorchCudaPluginFile);
#ifdef WORTHIT_TORCH_CUDA_PLUGIN
  paths.emplace_back(WORTHIT_TORCH_CUDA_PLUGIN);
#endif
  return paths;
}

Plugin load_plugin() {
#ifndef WORTHIT_TORCH_CUDA_PLUGIN
  return {nullptr,
          "built without libtorch CUDA (configure with a CUDA build of the torch wheel: "
          "WORTHIT_PYTHON)"};
#else
  std::string tried;
  for (const auto& path : plugin_paths()) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
      tried += (tried.empty() ? "" : ", ") + path.string();
      continue;
    }
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) return {nullptr, std::string("cannot load libtorch CUDA: ") + dlerror()};
    auto entry = reinterpret_cast<TorchCudaPluginEntry>(dlsym(handle, kTorchCudaPluginSymbol));
    if (!entry) return {nullptr, path.string() + " lacks " + kTorchCudaPluginSymbol};
    const TorchCudaPluginApi* api = entry();
    if (!api || api->abi != kTorchCudaPluginAbi)
      return {nullptr, path.string() + " is from another worthit build (plugin ABI mismatch)"};
    return {api, {}};
  }
  return {nullptr, std::string(kTorchCudaPluginFile) + " not found (looked for " + tried + ")"};
#endif
}

const Plugin& plugin() {
  static const Plugin p = load_plugin();  // loaded once, on first use
  return p;
}

std::optional<std::string> torch_cuda_unavailable() {
  // The GPU first: without one the plugin (and its GBs of CUDA libraries)
  // is never loaded.
  if (auto why = device_unavailable()) return why;
  const Plugin& p = plugin();
  if (!p.api) return p.error;
  if (std::string why = p.api->unavailable(); !why.empty()) return why;
  return std::nullopt;
}

Candidate torch_cuda_candidate(const std::string& workload, const std::string& description,
                               Timing timing) {
  Candidate c;
  c.workload = workload;
  c.backend = backend_name("libtorch-cuda", timing);
  c.language = "c++";
  c.framework = true;
  c.family = "pytorch";
  c.device = "cuda";
  c.description = description + (timing == Timing::cold ? " (L2 flushed before each call)" : "");
  c.sources = {"kernels/cuda/torch_cuda_candidates.cpp"};
  c.toolchains = {"libtorch"};
  c.unavailable = torch_cuda_unavailable;
  c.skip = [](const Size&) { return std::optional<std::string>(); };
  c.prepare = [workload, timing](const Buffers& in, Buffers& out, const RunContext&) {
    if (auto why = torch_cuda_unavailable()) throw std::runtime_error(*why);
    return plugin().api->prepare(workload, timing, in, out);
  };
  return c;
}

}  // namespace

void register_torch_cuda_candidates(Registry& registry) {
  const std::pair<const char*, const char*> ops[] = {
      {"gelu", "at::gelu_out(y, x, \"tanh\") on the device"},
      {"bias_residual_layernorm", "at::add_out x2, then at::native_layer_norm_out, on the device"},
      {"matmul", "at::matmul_out(c, a, b) on the device (cuBLAS sgemm)"},
      {"linear_recurrence", "loop of T at::addcmul_out calls on the device"}};
  for (Timing timing : {Timing::hot, Timing::cold})
    for (const auto& [workload, description] : ops)
      if (registry.find_workload(workload))
        registry.add_candidate(torch_cuda_candidate(workload, description, timing));
}

}  // namespace worthit::kernels::cuda
