// What this build was configured with. The values live in build_config.cpp
// alone, so a configure that changes them (another venv, the wheel) recompiles
// one file, not the whole CLI.
#pragma once

namespace worthit::cli {

// libtorch version the binary links, "" without libtorch.
const char* built_torch_version();

// The interpreter and staged package folder of the build tree's Python side,
// "" when there is none (the wheel's launcher passes them in the environment).
const char* configured_python();
const char* configured_python_package_dir();

}  // namespace worthit::cli
