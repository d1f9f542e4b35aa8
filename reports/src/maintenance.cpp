#include "worthit/reports/maintenance.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <regex>
#include <set>
#include <sstream>

namespace worthit::reports {

namespace {

enum class Syntax { c_like, python_like, other };

std::string language_of(const std::string& path, Syntax& syntax) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  static const std::set<std::string> cpp{".c",  ".cc",  ".cpp", ".cxx", ".h",
                                         ".hh", ".hpp", ".hxx", ".inl", ".ipp"};
  if (ext == ".cu" || ext == ".cuh") {
    syntax = Syntax::c_like;
    return "cuda";
  }
  if (cpp.count(ext)) {
    syntax = Syntax::c_like;
    return "c++";
  }
  if (ext == ".pyx" || ext == ".pxd" || ext == ".pxi") {
    syntax = Syntax::python_like;
    return "cython";
  }
  if (ext == ".py") {
    syntax = Syntax::python_like;
    return "python";
  }
  syntax = Syntax::other;
  return "other";
}

bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Counts whole-word occurrences of `word` in code text (comments and string
// contents already removed).
int count_word(const std::string& code, std::string_view word) {
  int n = 0;
  for (size_t pos = code.find(word); pos != std::string::npos; pos = code.find(word, pos + 1)) {
    const bool left = pos == 0 || !ident_char(code[pos - 1]);
    const size_t end = pos + word.size();
    const bool right = end >= code.size() || !ident_char(code[end]);
    if (left && right) ++n;
  }
  return n;
}

int count_text(const std::string& code, std::string_view token) {
  int n = 0;
  for (size_t pos = code.find(token); pos != std::string::npos;
       pos = code.find(token, pos + token.size()))
    ++n;
  return n;
}

struct Line {
  std::string raw;
  std::string code;  // the line with comments removed and string contents blanked
  bool has_code = false;
  bool has_comment = false;
};

std::vector<Line> split_lines(std::string_view text) {
  std::vector<Line> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    Line l;
    l.raw = std::string(text.substr(start, end - start));
    if (!l.raw.empty() && l.raw.back() == '\r') l.raw.pop_back();
    lines.push_back(std::move(l));
    if (end == text.size()) break;
    start = end + 1;
  }
  if (!lines.empty() && lines.back().raw.empty() && !text.empty() && text.back() == '\n')
    lines.pop_back();
  return lines;
}

// C, C++ and CUDA: // and /* */ comments, "..." and '...' literals, raw strings.
void lex_c_like(std::vector<Line>& lines) {
  bool in_block = false;
  std::string raw_end;  // non-empty inside a raw string literal: its closing ")delim\""
  for (auto& l : lines) {
    const std::string& s = l.raw;
    for (size_t i = 0; i < s.size();) {
      if (!raw_end.empty()) {
        l.has_code = true;
        const size_t e = s.find(raw_end, i);
        if (e == std::string::npos) break;
        i = e + raw_end.size();
        raw_end.clear();
        l.code += "\"\"";
        continue;
      }
      if (in_block) {
        l.has_comment = true;
        const size_t e = s.find("*/", i);
        if (e == std::string::npos) break;
        i = e + 2;
        in_block = false;
        continue;
      }
      const char c = s[i];
      if (c == '/' && i + 1 < s.size() && s[i + 1] == '/') {
        l.has_comment = true;
        break;
      }
      if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
        in_block = true;
        l.has_comment = true;
        i += 2;
        continue;
      }
      if (c == 'R' && i + 1 < s.size() && s[i + 1] == '"' && (i == 0 || !ident_char(s[i - 1]))) {
        const size_t open = s.find('(', i + 2);
        if (open != std::string::npos) {
          raw_end = ")" + s.substr(i + 2, open - i - 2) + "\"";
          l.has_code = true;
          i = open + 1;
          continue;
        }
      }
      if (c == '"' || c == '\'') {
        l.has_code = true;
        size_t j = i + 1;
        while (j < s.size() && s[j] != c) j += (s[j] == '\\') ? 2 : 1;
        l.code += c;
        l.code += c;
        i = std::min(j + 1, s.size());
        continue;
      }
      if (!std::isspace(static_cast<unsigned char>(c))) l.has_code = true;
      l.code += c;
      ++i;
    }
    l.code += '\n';
  }
}

// Python and Cython: # comments, quoted strings; a triple-quoted string that
// starts a statement is a docstring and counts as comment lines.
void lex_python_like(std::vector<Line>& lines) {
  std::string open_triple;  // inside a triple-quoted string: its delimiter
  bool docstring = false;
  for (auto& l : lines) {
    const std::string& s = l.raw;
    size_t i = 0;
    while (i < s.size()) {
      if (!open_triple.empty()) {
        if (docstring)
          l.has_comment = true;
        else
          l.has_code = true;
        const size_t e = s.find(open_triple, i);
        if (e == std::string::npos) {
          i = s.size();
          break;
        }
        i = e + 3;
        open_triple.clear();
        if (!docstring) l.code += "\"\"";
        docstring = false;
        continue;
      }
      const char c = s[i];
      if (c == '#') {
        l.has_comment = true;
        break;
      }
      if (c == '"' || c == '\'') {
        if (s.compare(i, 3, std::string(3, c)) == 0) {
          const bool statement_start = s.find_first_not_of(" \t") == i ||
                                       (s.find_first_not_of(" \t") + 1 == i &&
                                        std::strchr("rRbBuUfF", s[s.find_first_not_of(" \t")]));
          open_triple = std::string(3, c);
          docstring = statement_start;
          if (!docstring)
            l.has_code = true;
          else
            l.has_comment = true;
          i += 3;
          continue;
        }
        l.has_code = true;
        size_t j = i + 1;
        while (j < s.size() && s[j] != c) j += (s[j] == '\\') ? 2 : 1;
        l.code += "\"\"";
        i = std::min(j + 1, s.size());
        continue;
      }
      if (!std::isspace(static_cast<unsigned char>(c))) l.has_code = true;
      l.code += c;
      ++i;
    }
    l.code += '\n';
  }
}

void add_unique(std::vector<std::string>& v, const std::string& s) {
  if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

void scan_dependencies(FileMetrics& m, const std::vector<Line>& lines) {
  static const std::regex target_attr(R"(target\s*\(\s*\"([^\"]+)\")");
  for (const auto& l : lines) {
    if (!l.has_code) continue;
    const std::string& r = l.raw;
    auto has = [&](std::string_view needle) { return r.find(needle) != std::string::npos; };
    if (has("#include")) {
      if (has("Python.h")) add_unique(m.toolchains, "python-headers");
      if (has("pybind11/")) {
        add_unique(m.toolchains, "pybind11");
        add_unique(m.toolchains, "python-headers");
      }
      if (has("omp.h")) add_unique(m.toolchains, "openmp");
      if (has("torch/")) add_unique(m.toolchains, "libtorch");
      if (has("cuda_runtime") || has("cuda.h") || has("cublas") || has("cudnn")) {
        add_unique(m.toolchains, "cuda-toolkit");
        m.cuda = true;
      }
      if (has("immintrin.h") || has("x86intrin.h") || has("emmintrin.h") || has("xmmintrin.h"))
        add_unique(m.isa, "x86-simd");
      if (has("arm_neon.h")) add_unique(m.isa, "neon");
      if (has("arm_sve.h")) add_unique(m.isa, "sve");
      if (has("hwy/")) add_unique(m.toolchains, "highway");
    }
    if (has("#pragma omp") || has("cython.parallel") || has("prange("))
      add_unique(m.toolchains, "openmp");
    if (has("cdef extern from \"Python.h\"") || has("from cpython"))
      add_unique(m.toolchains, "python-headers");
    if (has("__global__") || has("<<<") || has("__device__")) m.cuda = true;
    if (has("_mm512_") || has("__m512")) add_unique(m.isa, "avx512");
    if (has("_mm256_") || has("__m256")) add_unique(m.isa, "avx2");
    if (has("_mm_") || has("__m128")) add_unique(m.isa, "sse");
    if (has("vld1q_") || has("float32x4_t")) add_unique(m.isa, "neon");
    if (has("__attribute__") || has("[[gnu::target")) {
      for (std::sregex_iterator it(r.begin(), r.end(), target_attr), end; it != end; ++it) {
        std::string isas = (*it)[1];
        std::stringstream ss(isas);
        for (std::string one; std::getline(ss, one, ',');)
          if (!one.empty() && one != "default") add_unique(m.isa, one);
      }
    }
  }
  if (m.language == "cuda") {
    add_unique(m.toolchains, "nvcc");
    m.cuda = true;
  }
  if (m.language == "cython") add_unique(m.toolchains, "cython");
}

}  // namespace

FileMetrics measure_source_text(const std::string& path, std::string_view text) {
  FileMetrics m;
  m.path = path;
  Syntax syntax;
  m.language = language_of(path, syntax);
  auto lines = split_lines(text);
  if (syntax == Syntax::c_like)
    lex_c_like(lines);
  else if (syntax == Syntax::python_like)
    lex_python_like(lines);
  else
    for (auto& l : lines) {
      l.has_code = l.raw.find_first_not_of(" \t\f\v") != std::string::npos;
      l.code = l.raw + "\n";
    }
  std::string code;
  for (const auto& l : lines) {
    if (l.has_code)
      ++m.code_lines;
    else if (l.has_comment)
      ++m.comment_lines;
    else
      ++m.blank_lines;
    // Preprocessor conditionals select configurations; they are not run-time branches.
    const auto first = l.code.find_first_not_of(" \t");
    if (syntax == Syntax::c_like && first != std::string::npos && l.code[first] == '#') continue;
    code += l.code;
  }
  if (syntax == Syntax::c_like) {
    for (auto w : {"if", "for", "while", "case", "catch"}) m.decision_points += count_word(code, w);
    m.decision_points += count_text(code, "&&") + count_text(code, "||") + count_text(code, "?");
  } else if (syntax == Syntax::python_like) {
    for (auto w : {"if", "elif", "for", "while", "except", "and", "or", "case"})
      m.decision_points += count_word(code, w);
  }
  scan_dependencies(m, lines);
  return m;
}

void rate_cost(MaintenanceMetrics& m, const Policy& policy) {
  m.cost_reasons.clear();
  if (m.file_count == 0) {
    m.cost = CostLevel::unknown;
    m.cost_reasons.push_back(m.missing.empty() ? "no source files registered"
                                               : "no registered source file was found");
    return;
  }
  CostLevel level = CostLevel::low;
  auto raise = [&](CostLevel to, const std::string& why) {
    if (static_cast<int>(to) > static_cast<int>(level)) level = to;
    m.cost_reasons.push_back(why);
  };
  auto check = [&](const CostThresholds& t, CostLevel to) {
    const char* name = to_string(to);
    if (t.code_lines > 0 && m.code_lines >= t.code_lines)
      raise(to, std::to_string(m.code_lines) + " code lines (" + name + " from " +
                    std::to_string(t.code_lines) + ")");
    else if (t.cyclomatic > 0 && m.cyclomatic >= t.cyclomatic)
      raise(to, "cyclomatic complexity " + std::to_string(m.cyclomatic) + " (" + name + " from " +
                    std::to_string(t.cyclomatic) + ")");
    else if (t.files > 0 && m.file_count >= t.files)
      raise(to, std::to_string(m.file_count) + " files (" + name + " from " +
                    std::to_string(t.files) + ")");
  };
  check(policy.high, CostLevel::high);
  if (level != CostLevel::high) check(policy.medium, CostLevel::medium);
  auto listed = [](const std::vector<std::string>& list, const std::string& s) {
    return std::find(list.begin(), list.end(), s) != list.end();
  };
  for (const auto& t : m.toolchains) {
    if (listed(policy.high_cost_toolchains, t))
      raise(CostLevel::high, "needs " + t);
    else if (listed(policy.medium_cost_toolchains, t))
      raise(CostLevel::medium, "needs " + t);
  }
  if (listed(policy.high_cost_hardware, m.hardware))
    raise(CostLevel::high, m.hardware + " code");
  else if (listed(policy.medium_cost_hardware, m.hardware))
    raise(CostLevel::medium, m.hardware + " code");
  if (m.cost_reasons.empty())
    m.cost_reasons.push_back(std::to_string(m.code_lines) + " code lines in " +
                             std::to_string(m.file_count) + " file(s), no extra toolchain");
  m.cost = level;
}

SourceFile read_source_file(const std::filesystem::path& source_root,
                            const std::string& registered) {
  namespace fs = std::filesystem;
  SourceFile out;
  std::error_code ec;
  const fs::path root = fs::canonical(source_root, ec);
  if (ec) {
    out.refused = "the source root " + source_root.string() + " cannot be opened";
    return out;
  }
  if (registered.empty() || registered.find('\0') != std::string::npos) {
    out.refused = "not a file name";
    return out;
  }
  const fs::path wanted =
      fs::path(registered).is_absolute() ? fs::path(registered) : root / registered;
  // Links are resolved first, so a link may point within the root but not out of it.
  const fs::path real = fs::weakly_canonical(wanted, ec);
  const auto [stop, rest] = std::mismatch(root.begin(), root.end(), real.begin(), real.end());
  if (ec || stop != root.end()) {
    out.refused = "outside the source root";
    return out;
  }
  if (!fs::exists(real, ec)) {
    out.refused = "not found";
    return out;
  }
  // O_NONBLOCK: opening a FIFO must not wait for a writer; the checks on the
  // open descriptor cannot be raced by swapping the file after a path check.
  const int fd = ::open(real.c_str(), O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    out.refused = std::string("cannot open: ") + std::strerror(errno);
    return out;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    out.refused = "not a regular file";
    return out;
  }
  if (static_cast<uint64_t>(st.st_size) > kMaxSourceBytes) {
    ::close(fd);
    out.refused = "larger than " + std::to_string(kMaxSourceBytes >> 20) + " MiB";
    return out;
  }
  std::string text(static_cast<size_t>(st.st_size), '\0');
  size_t got = 0;
  while (got < text.size()) {
    const ssize_t n = ::read(fd, text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // the file shrank while read: keep what was there
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  text.resize(got);
  out.path = real;
  out.text = std::move(text);
  return out;
}

MaintenanceMetrics measure_sources(const std::vector<std::string>& sources,
                                   const std::vector<std::string>& declared_toolchains,
                                   const std::filesystem::path& source_root, const Policy& policy) {
  MaintenanceMetrics m;
  for (const auto& src : sources) {
    SourceFile f = read_source_file(source_root, src);
    if (!f.refused.empty()) {
      m.missing.push_back(src);
      m.missing_reasons.push_back(f.refused);
      continue;
    }
    m.files.push_back(measure_source_text(src, f.text));
  }
  for (const auto& f : m.files) {
    ++m.file_count;
    m.code_lines += f.code_lines;
    m.comment_lines += f.comment_lines;
    m.cyclomatic += f.decision_points + 1;
    for (const auto& t : f.toolchains) add_unique(m.toolchains, t);
    for (const auto& i : f.isa) add_unique(m.isa, i);
    if (f.cuda) m.hardware = "cuda-only";
  }
  for (const auto& t : declared_toolchains) add_unique(m.toolchains, t);
  if (std::find(m.toolchains.begin(), m.toolchains.end(), "nvcc") != m.toolchains.end())
    m.hardware = "cuda-only";
  if (m.hardware != "cuda-only" && !m.isa.empty()) m.hardware = "isa-specific";
  rate_cost(m, policy);
  return m;
}

}  // namespace worthit::reports
