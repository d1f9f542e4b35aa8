// A candidate: one implementation of a workload from one backend.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "worthit/harness/buffer.h"
#include "worthit/harness/workload.h"

namespace worthit {

struct RunContext {
  int threads = 1;
};

// What prepare() hands back: the timed call, and an untimed step that copies
// the candidate's result into the output buffers when it keeps its own (a
// framework tensor, say). Results written in place need no publish step.
struct PreparedRun {
  std::function<void()> run;
  std::function<void()> publish;
  // Device-timed candidates (GPU): makes `calls_per_timed_run` calls and
  // returns their time on the device in seconds (CUDA events), so that host
  // launch overhead and synchronisation stay out of the number. When set, the
  // runner times with it (Google Benchmark manual time) instead of timing
  // `run` on the host clock; the correctness gate still calls `run`.
  // Keeps the harness free of CUDA: the GPU code sits behind the function.
  std::function<double()> timed_run;
  int64_t calls_per_timed_run = 1;
};

struct Candidate {
  std::string workload;
  std::string backend;  // "cpp-scalar", "cpp-simd", "libtorch", "torchscript", ...
  std::string language = "c++";
  bool framework = false;  // framework-native (true) or handwritten (false)
  std::string family;      // framework candidates: "pytorch", "tensorflow", "numpy", ...
  std::string device = "cpu";
  std::string description;
  std::vector<std::string> sources;     // repository-relative files that implement it
  std::vector<std::string> toolchains;  // extra toolchains it needs: "openmp", "nvcc", ...

  // Why the candidate cannot run here, or nullopt when it can.
  std::function<std::optional<std::string>()> unavailable;
  // Why a size is deliberately not run (too slow, too large), or nullopt.
  std::function<std::optional<std::string>(const Size&)> skip;
  // Binds the candidate to inputs and outputs (allocation, JIT compilation and
  // other one-time work happen here, untimed).
  std::function<PreparedRun(const Buffers& inputs, Buffers& outputs, const RunContext&)> prepare;

  std::string name() const { return workload + "/" + backend; }
};

}  // namespace worthit
