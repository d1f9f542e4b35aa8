#include "build_config.h"

namespace worthit::cli {

const char* built_torch_version() {
#ifdef WORTHIT_TORCH_VERSION
  return WORTHIT_TORCH_VERSION;
#else
  return "";
#endif
}

const char* configured_python() {
#ifdef WORTHIT_PYTHON_DEFAULT
  return WORTHIT_PYTHON_DEFAULT;
#else
  return "";
#endif
}

const char* configured_python_package_dir() {
#ifdef WORTHIT_PYTHON_PACKAGE_DIR
  return WORTHIT_PYTHON_PACKAGE_DIR;
#else
  return "";
#endif
}

}  // namespace worthit::cli
