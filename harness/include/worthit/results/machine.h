// The machine fingerprint and calibration storage.
#pragma once

#include <filesystem>
#include <optional>

#include "worthit/results/record.h"

namespace worthit {

// Reads /proc and /sys; fields it cannot read are "unknown", never guessed.
MachineFingerprint collect_machine_fingerprint();
int physical_core_count();

// Where `worthit calibrate` stores ceilings: $WORTHIT_CALIBRATION, else
// $XDG_CACHE_HOME/worthit/calibration.json, else ~/.cache/worthit/calibration.json.
std::filesystem::path default_calibration_path();
std::optional<Calibration> load_calibration(const std::filesystem::path& path);
// Where the GPU's ceilings are kept, beside the CPU's: calibration-cuda.json.
std::filesystem::path gpu_calibration_path(const std::filesystem::path& cpu_path);
void save_calibration(const std::filesystem::path& path, const Calibration& c);

}  // namespace worthit
