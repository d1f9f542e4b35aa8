#include "worthit/results/machine.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "worthit/results/file_io.h"
#include "worthit/results/json_fields.h"
#include "worthit/results/results_json.h"

#ifndef WORTHIT_GIT_COMMIT
#define WORTHIT_GIT_COMMIT "unknown"
#endif

namespace worthit {
namespace {

std::string first_line(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::string line;
  if (in && std::getline(in, line)) return line;
  return "";
}

std::string cpuinfo_field(const std::string& key) {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) {
      auto colon = line.find(':');
      if (colon != std::string::npos) {
        auto v = line.substr(colon + 1);
        v.erase(0, v.find_first_not_of(" \t"));
        return v;
      }
    }
  }
  return "";
}

std::string compiler_name() {
#if defined(__clang__)
  return "clang " __clang_version__;
#elif defined(__GNUC__)
  return "gcc " __VERSION__;
#else
  return "unknown";
#endif
}

}  // namespace

int physical_core_count() {
  // Distinct (package, core) pairs; falls back to logical CPUs.
  std::set<std::pair<std::string, std::string>> cores;
  const unsigned logical = std::max(1u, std::thread::hardware_concurrency());
  for (unsigned cpu = 0; cpu < logical; ++cpu) {
    const std::filesystem::path topo =
        "/sys/devices/system/cpu/cpu" + std::to_string(cpu) + "/topology";
    auto pkg = first_line(topo / "physical_package_id");
    auto core = first_line(topo / "core_id");
    if (pkg.empty() || core.empty()) return static_cast<int>(logical);
    cores.emplace(pkg, core);
  }
  return cores.empty() ? static_cast<int>(logical) : static_cast<int>(cores.size());
}

MachineFingerprint collect_machine_fingerprint() {
  MachineFingerprint m;
  m.cpu_model = cpuinfo_field("model name");
  if (m.cpu_model.empty()) m.cpu_model = "unknown";
  m.logical_cpus = static_cast<int>(std::thread::hardware_concurrency());
  m.physical_cores = physical_core_count();
  m.governor = first_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor");
  if (m.governor.empty()) m.governor = "unknown";
  if (auto no_turbo = first_line("/sys/devices/system/cpu/intel_pstate/no_turbo");
      !no_turbo.empty())
    m.turbo = no_turbo == "1" ? "off" : "on";
  else if (auto boost = first_line("/sys/devices/system/cpu/cpufreq/boost"); !boost.empty())
    m.turbo = boost == "1" ? "on" : "off";
  else
    m.turbo = "unknown";
  utsname u{};
  if (uname(&u) == 0) m.os = std::string(u.sysname) + " " + u.release + " " + u.machine;
  m.compiler = compiler_name();
  m.commit = WORTHIT_GIT_COMMIT;
  // A fleet names its hosts through the environment, so two workers on one
  // machine can stand for two hosts (docs/fleet.md).
  if (const char* host = std::getenv("WORTHIT_HOST"); host && *host) {
    m.host = host;
  } else {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) == 0) m.host = name;
  }
  if (const char* cls = std::getenv("WORTHIT_MACHINE_CLASS"); cls && *cls) m.machine_class = cls;
  return m;
}

std::filesystem::path cache_folder() {
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x)
    return std::filesystem::path(x) / "worthit";
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home && *home ? home : ".") / ".cache" / "worthit";
}

std::filesystem::path default_calibration_path() {
  if (const char* p = std::getenv("WORTHIT_CALIBRATION"); p && *p) return p;
  return cache_folder() / "calibration.json";
}

std::optional<Calibration> load_calibration(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) return std::nullopt;
  const auto j = parse_json_file(path);
  try {
    return calibration_from_json(json_fields::field(j, "calibration", ""));
  } catch (const SchemaError& e) {
    throw FileError(path, std::string("not a calibration file: ") + e.what());
  }
}

std::filesystem::path gpu_calibration_path(const std::filesystem::path& cpu_path) {
  return cpu_path.parent_path() /
         (cpu_path.stem().string() + "-cuda" + cpu_path.extension().string());
}

void save_calibration(const std::filesystem::path& path, const Calibration& c) {
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  nlohmann::json j = {{"schema", "worthit.calibration"},
                      {"schema_version", 1},
                      {"machine", to_json(collect_machine_fingerprint())},
                      {"calibration", to_json(c)}};
  write_file_atomically(path, j.dump(1) + "\n");
}

}  // namespace worthit
