// Placeholder until the Python side lands; replaced by its owner.
#include "python_workers.h"

namespace worthit::cli {

std::vector<PythonBackendInfo> list_python_backends() { return {}; }

std::vector<BenchResult> run_python_workers(const BenchOptions&, const ProgressFn&) { return {}; }

}  // namespace worthit::cli
