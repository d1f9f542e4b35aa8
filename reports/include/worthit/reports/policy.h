// The decision policy: every threshold the decision engine uses, loaded from a
// documented JSON file (reports/policy/default-policy.json, docs/reports.md).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace worthit::reports {

// Maintenance cost levels, cheapest first.
enum class CostLevel { low, medium, high, unknown };
const char* to_string(CostLevel c);

struct CostThresholds {
  int code_lines = 0;  // non-blank, non-comment lines
  int cyclomatic = 0;  // decision points + 1 per file
  int files = 0;
};

struct Policy {
  static constexpr const char* kSchema = "worthit.policy";
  static constexpr int kSchemaVersion = 1;

  // Backends whose name matches one of these globs are JIT variants of a framework.
  std::vector<std::string> jit_backend_patterns{"*compile*", "*torchscript*", "*xla*", "*jit*"};

  // Framework families: a framework candidate belongs to the family its record
  // names (`family` in results.json) or, failing that, the first family (in
  // name order) one of whose globs matches its backend. Verdicts are given per
  // family; handwritten candidates compete in every family, and so do the
  // framework candidates of a shared family (the Python standard library is
  // there for every user).
  std::map<std::string, std::vector<std::string>> framework_families{
      {"numpy", {"*numpy*", "*pandas*"}},
      {"python", {"python-*"}},
      {"pytorch", {"*torch*"}},
      {"tensorflow", {"*tensorflow*", "tf-*", "tf.*"}}};
  std::vector<std::string> shared_families{"python"};

  // Statistics.
  int min_samples = 5;       // fewer repetitions: no interval to decide on (inconclusive)
  double max_cv = 0.10;      // a deciding candidate this noisy gets a note (diagnostic only)
  double confidence = 0.95;  // of every interval
  int bootstrap_resamples = 2000;
  uint64_t bootstrap_seed = 0x5eed;

  // Q1: the least end-to-end gain (Amdahl) that makes a custom kernel worth it.
  double min_end_to_end_gain = 0.05;
  // Q2: the least speedup of a JIT variant over eager that counts as a win.
  double min_jit_speedup = 1.10;
  // Q3: the least op speedup over the best framework variant, per cost level.
  std::map<std::string, double> required_speedup{
      {"low", 1.2}, {"medium", 1.5}, {"high", 2.0}, {"unknown", 1.5}};

  // Maintenance cost: a candidate is at least `medium` (`high`) when any metric
  // reaches that level's threshold, when it needs one of the listed toolchains,
  // or when its hardware specificity is listed.
  CostThresholds medium{80, 15, 2};
  CostThresholds high{300, 50, 4};
  std::vector<std::string> medium_cost_toolchains{"openmp"};
  std::vector<std::string> high_cost_toolchains{"nvcc", "cython", "python-headers"};
  std::vector<std::string> medium_cost_hardware{"isa-specific"};
  std::vector<std::string> high_cost_hardware{"cuda-only"};

  // Q1 from a trace: the steps are the trace library's (worthit/trace/steps.h:
  // ProfilerStep#N, "step" ranges, else optimizer steps) unless step_patterns
  // names others (globs); when there are none, the whole trace span is the
  // step. A workload's op time is the union of events matching its
  // op_patterns, keyed by workload name: the ATen ops and autograd nodes each
  // built-in workload appears as in a torch.profiler trace, and globs for
  // users' own scopes and kernels.
  std::vector<std::string> step_patterns;
  std::map<std::string, std::vector<std::string>> op_patterns{
      {"gelu", {"aten::gelu", "aten::gelu_", "aten::gelu_backward", "*GeluBackward*", "*gelu*"}},
      {"bias_residual_layernorm",
       {"aten::layer_norm", "aten::native_layer_norm", "aten::native_layer_norm_backward",
        "*NativeLayerNormBackward*", "*layer_norm*", "*layernorm*"}},
      {"matmul",
       {"aten::mm", "aten::addmm", "aten::matmul", "aten::linear", "aten::bmm", "aten::baddbmm",
        "*MmBackward*", "*AddmmBackward*", "*BmmBackward*", "*gemm*", "*matmul*"}},
      {"linear_recurrence", {"*linear_recurrence*", "*recurrence*", "*scan*"}},
      {"csv_parse", {"*csv*", "*parse*"}},
      {"image_augment", {"*augment*", "*transforms*"}}};
};

Policy default_policy();
// Fields missing from the JSON keep their defaults; unknown fields are an error
// (a typo must not silently fall back to a default). Throws SchemaError.
Policy policy_from_json(const nlohmann::json& j);
nlohmann::json to_json(const Policy& p);
// Throws FileError naming the file (and the byte offset for syntax errors).
Policy load_policy(const std::filesystem::path& path);

// Shell-style glob: '*' any run, '?' one character. Case-sensitive.
bool glob_match(std::string_view pattern, std::string_view text);
bool is_jit_backend(const Policy& p, const std::string& backend);
// The family of a framework candidate: `declared` when not empty, else the
// first family whose globs match `backend`, else "other".
std::string framework_family(const Policy& p, const std::string& declared,
                             const std::string& backend);
bool is_shared_family(const Policy& p, const std::string& family);

}  // namespace worthit::reports
