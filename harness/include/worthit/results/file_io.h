// File helpers every writer uses: whole-file reads, atomic writes, and errors
// that name the file and the byte offset.
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace worthit {

// An error in an input or output file. what() is one line: "FILE: message" or
// "FILE:byte N: message".
class FileError : public std::runtime_error {
 public:
  FileError(const std::filesystem::path& file, const std::string& message);
  FileError(const std::filesystem::path& file, uint64_t byte_offset, const std::string& message);
  const std::filesystem::path& file() const { return file_; }
  // -1 when the error has no position.
  int64_t byte_offset() const { return byte_offset_; }

 private:
  std::filesystem::path file_;
  int64_t byte_offset_ = -1;
};

// A well-formed JSON document that does not follow its schema; what() names
// the JSON path at fault. Readers turn it into a FileError with the file name.
class SchemaError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::string read_file(const std::filesystem::path& path);
// Writes `content` to a temporary file in the same folder, then renames it over
// `path`, so a reader never sees a half-written file.
void write_file_atomically(const std::filesystem::path& path, std::string_view content);
// Parses JSON text; a syntax error or a number no double can hold (1e999)
// becomes a FileError with the byte offset. `name` is the file the text came from.
nlohmann::json parse_json_file(const std::filesystem::path& path);
nlohmann::json parse_json_text(std::string_view text, const std::filesystem::path& name);

// Checks, before a verb starts its work, that `path` can be written as an
// output file: its folder exists and is writable, and it is not itself a
// folder. Throws FileError naming `path` and the reason.
void check_output_path(const std::filesystem::path& path);

// Throws FileError when an output names the same file as an input (however
// spelled: links, "./", "..") or as another output: writing it would replace
// what is being read. Empty paths are ignored.
void check_outputs_distinct(const std::vector<std::filesystem::path>& inputs,
                            const std::vector<std::filesystem::path>& outputs);

// Current time as ISO 8601 UTC, e.g. "2026-11-26T13:36:21Z".
std::string utc_timestamp();

}  // namespace worthit
