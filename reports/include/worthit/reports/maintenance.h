// Maintenance metrics of a handwritten candidate, measured from its source
// files: what it costs to keep it (docs/reports.md, "Maintenance metrics").
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "worthit/reports/policy.h"

namespace worthit::reports {

// Metrics of one file. Languages: "c++", "cuda", "cython", "python", or
// "other" (counted as lines only).
struct FileMetrics {
  std::string path;  // as registered (repository-relative)
  std::string language;
  int code_lines = 0;  // non-blank lines that are not only comments
  int comment_lines = 0;
  int blank_lines = 0;
  int decision_points = 0;              // if, loops, case, catch/except, &&, ||, ?:, and/or
  std::vector<std::string> toolchains;  // extra toolchains this file needs
  std::vector<std::string> isa;         // instruction sets it is tied to (avx2, avx512f, neon, ...)
  bool cuda = false;                    // needs a CUDA device
};

struct MaintenanceMetrics {
  std::vector<FileMetrics> files;
  std::vector<std::string> missing;          // registered files that were not read
  std::vector<std::string> missing_reasons;  // why, one per `missing` entry
  int file_count = 0;
  int code_lines = 0;
  int comment_lines = 0;
  int cyclomatic = 0;                   // McCabe estimate: decision points + 1 per file
  std::vector<std::string> toolchains;  // union of files' and the record's toolchains
  std::string hardware = "portable";    // "portable", "isa-specific", "cuda-only"
  std::vector<std::string> isa;
  CostLevel cost = CostLevel::unknown;
  std::vector<std::string> cost_reasons;  // what set the cost level, in words
};

// A registered source file, read for its metrics. `text` is empty and
// `refused` says why when it was not read.
struct SourceFile {
  std::filesystem::path path;  // where it was found (canonical); empty when refused
  std::string text;
  std::string refused;  // "", "not found", "outside the source root", "not a regular file", ...
};

// The largest source file read for metrics; larger ones are refused.
inline constexpr size_t kMaxSourceBytes = 8u << 20;

// The one way worthit reads a candidate's registered source file (report,
// bench): `registered` (repository-relative as a results file lists it, or an
// absolute path) is resolved against `source_root`, symbolic links included,
// and read only when the result lies inside the root, is a regular file and
// holds at most kMaxSourceBytes. A results file is input: its `sources` must
// not make worthit read /etc/shadow, /dev/zero or block on a FIFO. Never throws.
SourceFile read_source_file(const std::filesystem::path& source_root,
                            const std::string& registered);

// Measures one file's text; `path` picks the language by extension.
FileMetrics measure_source_text(const std::string& path, std::string_view text);

// Measures a candidate's registered sources (resolved against `source_root`)
// plus the toolchains its record declares, and rates its cost under `policy`.
// No sources at all, or none found, give CostLevel::unknown.
MaintenanceMetrics measure_sources(const std::vector<std::string>& sources,
                                   const std::vector<std::string>& declared_toolchains,
                                   const std::filesystem::path& source_root, const Policy& policy);

// Rates an already measured candidate (used by measure_sources; public for tests).
void rate_cost(MaintenanceMetrics& m, const Policy& policy);

}  // namespace worthit::reports
