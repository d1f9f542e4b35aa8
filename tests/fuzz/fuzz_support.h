// What every fuzz target checks besides the sanitizers: bad input may only
// end in the documented error of the file formats (worthit::FileError, which
// names the file and the byte offset or JSON path, or SchemaError from the
// JSON-level readers). Any other exception is an "escape": the CLI would
// print a raw library message with exit 1 instead of one clear line with
// exit 2. An escape aborts, so libFuzzer saves the input.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

#include "worthit/results/file_io.h"

namespace worthit::fuzz {

// The file name every target's errors must carry.
inline constexpr const char* kInputName = "fuzz-input.json";

[[noreturn]] inline void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "worthit fuzz: %s: %s\n", what, detail.c_str());
  std::abort();
}

inline void expect(bool ok, const char* what, const std::string& detail = "") {
  if (!ok) fail(what, detail);
}

// Runs `read`; true when it returned, false when it rejected the input the
// documented way. A FileError must name the input.
template <class F>
bool accepted(F&& read) {
  try {
    read();
    return true;
  } catch (const FileError& e) {
    expect(std::string_view(e.what()).starts_with(kInputName), "error without the file name",
           e.what());
    return false;
  } catch (const SchemaError&) {
    return false;
  } catch (const std::exception& e) {
    fail("escape (not a FileError)", e.what());
  }
}

}  // namespace worthit::fuzz
