#include "python_workers.h"

#include "build_config.h"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "worthit/results/file_io.h"
#include "worthit/results/results_json.h"

namespace worthit::cli {
namespace {

// The Python backends of python/worthit/backends/, listed when the Python side
// cannot even start, so the gap is visible rather than silent.
struct KnownBackend {
  const char* backend;
  bool framework;
};
constexpr std::array<KnownBackend, 9> kKnownBackends{{{"torch", true},
                                                      {"torch.compile", true},
                                                      {"torch.jit", true},
                                                      {"tensorflow", true},
                                                      {"tensorflow-xla", true},
                                                      {"numpy", true},
                                                      {"python", false},
                                                      {"cython", false},
                                                      {"capi", false}}};
constexpr std::array<const char*, 4> kBuiltinWorkloads{
    {"gelu", "bias_residual_layernorm", "matmul", "linear_recurrence"}};

std::map<std::string, std::string> g_library_versions;

std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Why the Python side cannot run, or empty.
std::string python_unavailable_reason(std::string& python, std::string& package_dir) {
  python = env_or("WORTHIT_PYTHON", configured_python());
  package_dir = env_or("WORTHIT_PYTHON_PACKAGE_DIR", configured_python_package_dir());
  if (package_dir.empty())
    return "built without the Python package (configure with pybind11 and WORTHIT_PYTHON; "
           "WORTHIT_WITH_PYTHON)";
  if (python.empty()) return "no Python interpreter (set WORTHIT_PYTHON)";
  if (::access(python.c_str(), X_OK) != 0)
    return "Python interpreter '" + python + "' is not executable";
  return "";
}

// Runs a shell command, handing each stdout line to `on_line`; returns the
// exit status (-signal when killed). stderr passes through.
int run_lines(const std::string& command, const std::function<void(const std::string&)>& on_line) {
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return -1;
  std::string line;
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), pipe)) {
    line += buf.data();
    if (!line.empty() && line.back() == '\n') {
      line.pop_back();
      on_line(line);
      line.clear();
    }
  }
  if (!line.empty()) on_line(line);
  const int status = ::pclose(pipe);
  if (status == -1) return -1;
  if (WIFSIGNALED(status)) return -WTERMSIG(status);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string base_command(const std::string& python, const std::string& package_dir) {
  std::string pythonpath = package_dir;
  if (const char* old = std::getenv("PYTHONPATH"); old && *old)
    pythonpath += std::string(":") + old;
  return "PYTHONPATH=" + shell_quote(pythonpath) + " " + shell_quote(python) +
         " -m worthit.workers";
}

std::vector<BenchResult> failure_rows(const BenchOptions& options, ResultStatus status,
                                      const std::string& reason) {
  std::vector<BenchResult> rows;
  for (const char* w : kBuiltinWorkloads) {
    bool wanted = false;
    for (const auto& g : options.workload_globs) wanted = wanted || glob_match(g, w);
    if (!wanted) continue;
    for (const auto& b : kKnownBackends) {
      bool picked = false;
      for (const auto& g : options.backend_globs)
        picked =
            picked || glob_match(g, b.backend) || glob_match(g, std::string(w) + "/" + b.backend);
      if (!picked) continue;
      BenchResult r;
      r.workload = w;
      r.size = "-";
      r.candidate = std::string(w) + "/" + b.backend;
      r.backend = b.backend;
      r.framework = b.framework;
      r.language = "python";
      r.threads = options.threads;
      r.status = status;
      r.reason = reason;
      rows.push_back(std::move(r));
    }
  }
  return rows;
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "worthit-python-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("cannot create a temporary folder");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace

PythonSide resolve_python_side() {
  PythonSide side;
  side.unavailable_reason = python_unavailable_reason(side.python, side.package_dir);
  return side;
}

std::vector<PythonBackendInfo> list_python_backends(const std::vector<std::string>& plugins) {
  std::string python, package_dir;
  std::string why = python_unavailable_reason(python, package_dir);
  std::vector<PythonBackendInfo> out;
  if (why.empty()) {
    std::string cmd = base_command(python, package_dir) + " list";
    for (const auto& p : plugins) cmd += " --plugin " + shell_quote(p);
    std::string text;
    const int rc = run_lines(cmd, [&](const std::string& line) { text += line + "\n"; });
    try {
      if (rc != 0)
        throw std::runtime_error("'python -m worthit.workers list' exited with status " +
                                 std::to_string(rc));
      for (const auto& j : nlohmann::json::parse(text))
        out.push_back({j.at("workload").get<std::string>(), j.at("backend").get<std::string>(),
                       j.at("framework").get<bool>(),
                       j.at("unavailable_reason").get<std::string>()});
      return out;
    } catch (const std::exception& e) {
      why = std::string("the Python worker failed: ") + e.what();
    }
  }
  for (const char* w : kBuiltinWorkloads)
    for (const auto& b : kKnownBackends) out.push_back({w, b.backend, b.framework, why});
  return out;
}

std::vector<BenchResult> run_python_workers(const BenchOptions& options,
                                            const ProgressFn& progress) {
  g_library_versions.clear();
  std::string python, package_dir;
  if (auto why = python_unavailable_reason(python, package_dir); !why.empty())
    return failure_rows(options, ResultStatus::unavailable, why);

  TempDir dir;
  const auto request = dir.path() / "request.json";
  const auto output = dir.path() / "python-results.json";
  nlohmann::json req = {{"threads", options.threads},
                        {"repetitions", options.repetitions},
                        {"min_time_s", options.min_time_s},
                        {"seed", options.seed},
                        {"quick", options.quick},
                        {"workload_globs", options.workload_globs},
                        {"backend_globs", options.backend_globs},
                        {"sizes", options.sizes},
                        {"plugins", nlohmann::json::array()}};
  for (const auto& p : options.plugins)
    req["plugins"].push_back(std::filesystem::absolute(p).string());
  write_file_atomically(request, req.dump());

  const std::string cmd = base_command(python, package_dir) + " run --request " +
                          shell_quote(request.string()) + " --output " +
                          shell_quote(output.string());
  const int rc = run_lines(cmd, [&](const std::string& line) {
    if (progress) progress(line);
  });
  if (rc != 0 || !std::filesystem::exists(output))
    return failure_rows(options, ResultStatus::error,
                        "the Python workers' parent (python -m worthit.workers) " +
                            (rc < 0 ? "was killed by signal " + std::to_string(-rc)
                                    : "exited with status " + std::to_string(rc)) +
                            "; its messages are above in stderr");
  std::vector<BenchResult> rows;
  const nlohmann::json j = parse_json_file(output);
  for (const auto& r : j.at("results")) rows.push_back(result_from_json(r));
  if (j.contains("libraries"))
    for (const auto& [k, v] : j["libraries"].items()) g_library_versions[k] = v.get<std::string>();
  return rows;
}

std::map<std::string, std::string> python_library_versions() { return g_library_versions; }

}  // namespace worthit::cli
