#include "worthit/results/file_io.h"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace worthit {

FileError::FileError(const std::filesystem::path& file, const std::string& message)
    : std::runtime_error(file.string() + ": " + message), file_(file) {}

FileError::FileError(const std::filesystem::path& file, uint64_t byte_offset,
                     const std::string& message)
    : std::runtime_error(file.string() + ":byte " + std::to_string(byte_offset) + ": " + message),
      file_(file),
      byte_offset_(static_cast<int64_t>(byte_offset)) {}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw FileError(path, "cannot open for reading");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw FileError(path, "read failed");
  return std::move(ss).str();
}

void write_file_atomically(const std::filesystem::path& path, std::string_view content) {
  const auto dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  const auto tmp = dir / ("." + path.filename().string() + ".tmp." + std::to_string(::getpid()));
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw FileError(path, "cannot open for writing");
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.flush();
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(tmp, ignored);
      throw FileError(path, "write failed (disk full?)");
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::error_code ignored;  // keep the rename's reason, not the cleanup's
    std::filesystem::remove(tmp, ignored);
    throw FileError(path, "cannot replace: " + ec.message());
  }
}

namespace {

// The byte offset of the first number in JSON text that no double can hold
// (1e999), or npos. nlohmann reports such a number without its position.
size_t first_overflowing_number(std::string_view text) {
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
      continue;
    }
    if (c != '-' && (c < '0' || c > '9')) continue;
    size_t end = i;
    while (end < text.size() && std::strchr("+-.eE0123456789", text[end]) && text[end] != '\0')
      ++end;
    const std::string token(text.substr(i, end - i));
    if (!std::isfinite(std::strtod(token.c_str(), nullptr))) return i;
    i = end - 1;
  }
  return std::string_view::npos;
}

}  // namespace

nlohmann::json parse_json_text(std::string_view text, const std::filesystem::path& name) {
  if (text.find_first_not_of(" \t\r\n") == std::string::npos)
    throw FileError(name, 0, "empty file, expected JSON");
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // nlohmann's message repeats the position; keep only its explanation.
    std::string what = e.what();
    if (auto p = what.find("syntax error"); p != std::string::npos) what = what.substr(p);
    throw FileError(name, e.byte > 0 ? e.byte - 1 : 0, what);
  } catch (const nlohmann::json::out_of_range&) {
    const size_t at = first_overflowing_number(text);
    if (at != std::string_view::npos)
      throw FileError(name, at, "number out of range (beyond what a double can hold)");
    throw FileError(name, "a number is out of range");
  } catch (const nlohmann::json::exception& e) {
    throw FileError(name, std::string("invalid JSON: ") + e.what());
  }
}

nlohmann::json parse_json_file(const std::filesystem::path& path) {
  return parse_json_text(read_file(path), path);
}

void check_output_path(const std::filesystem::path& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (path.empty()) throw FileError(path, "empty output file name");
  if (fs::is_directory(path, ec))
    throw FileError(path, "is a folder; give a file name for the output");
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  if (!fs::exists(dir, ec))
    throw FileError(path, "cannot write: folder " + dir.string() + " does not exist");
  if (!fs::is_directory(dir, ec))
    throw FileError(path, "cannot write: " + dir.string() + " is not a folder");
  // The temporary file of an atomic write is created in the folder.
  if (::access(dir.c_str(), W_OK | X_OK) != 0)
    throw FileError(path, "cannot write: folder " + dir.string() + ": " + std::strerror(errno));
}

namespace {

bool same_file(const std::filesystem::path& a, const std::filesystem::path& b) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(a, ec) && fs::exists(b, ec)) return fs::equivalent(a, b, ec);
  const fs::path ca = fs::weakly_canonical(fs::absolute(a, ec), ec);
  const fs::path cb = fs::weakly_canonical(fs::absolute(b, ec), ec);
  return ca == cb;
}

}  // namespace

void check_outputs_distinct(const std::vector<std::filesystem::path>& inputs,
                            const std::vector<std::filesystem::path>& outputs) {
  for (size_t i = 0; i < outputs.size(); ++i) {
    if (outputs[i].empty()) continue;
    for (const auto& in : inputs)
      if (!in.empty() && same_file(in, outputs[i]))
        throw FileError(outputs[i], "is also an input (" + in.string() +
                                        "); writing it would replace what is being read");
    for (size_t k = 0; k < i; ++k)
      if (!outputs[k].empty() && same_file(outputs[k], outputs[i]))
        throw FileError(outputs[i], "is given for two outputs (also as " + outputs[k].string() +
                                        "); one would overwrite the other");
  }
}

std::string utc_timestamp() {
  const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace worthit
