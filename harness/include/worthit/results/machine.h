// The machine fingerprint and calibration storage.
#pragma once

#include <filesystem>
#include <optional>

#include "worthit/results/record.h"

namespace worthit {

// Reads /proc and /sys; fields it cannot read are "unknown", never guessed.
MachineFingerprint collect_machine_fingerprint();
int physical_core_count();

// Where worthit keeps what it learnt about this machine between runs:
// $XDG_CACHE_HOME/worthit, else ~/.cache/worthit. Python asks for it through
// _native (the torch worker's inductor-vec-isa.json lives there too).
std::filesystem::path cache_folder();
// Where `worthit calibrate` stores ceilings: $WORTHIT_CALIBRATION, else
// calibration.json in cache_folder().
std::filesystem::path default_calibration_path();
std::optional<Calibration> load_calibration(const std::filesystem::path& path);
// Where the GPU's ceilings are kept, beside the CPU's: calibration-cuda.json.
std::filesystem::path gpu_calibration_path(const std::filesystem::path& cpu_path);
void save_calibration(const std::filesystem::path& path, const Calibration& c);

}  // namespace worthit
