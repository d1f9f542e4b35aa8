// cpp-fast-float csv_parse: the handwritten parser of csv_parser.cpp, threads
// over chunks of whole lines, fast_float for the numbers.
#include <stdexcept>
#include <string_view>

#include "csv/csv_parser.h"
#include "csv/csv_workload.h"

namespace worthit::kernels {

Candidate csv_fast_float_candidate() {
  Candidate c;
  c.workload = "csv_parse";
  c.backend = "cpp-fast-float";
  c.description =
      "one pass per chunk of lines (OpenMP), fast_float conversion, errors with line and column";
  c.sources = {"kernels/csv/csv_fast_float.cpp", "kernels/csv/csv_parser.cpp",
               "kernels/csv/csv_parser.h"};
  c.toolchains = {"openmp", "fast_float"};
  c.unavailable = [] { return std::optional<std::string>(); };
  c.skip = [](const Size&) { return std::optional<std::string>(); };
  c.prepare = [](const Buffers& in, Buffers& out, const RunContext& ctx) {
    const std::string_view text(reinterpret_cast<const char*>(in[0].as<uint8_t>()),
                                size_t(in[0].numel()));
    Buffer& values = out[0];
    const int64_t rows = values.shape()[0];
    const int64_t cols = values.shape()[1];
    csv::ParseOptions options;
    options.threads = ctx.threads > 0 ? ctx.threads : 1;
    PreparedRun run;
    run.run = [text, &values, rows, cols, options] {
      const auto r = csv::parse_csv(text, values.span<float>(), rows, cols, options);
      if (!r.ok) throw std::runtime_error("csv_parse: " + r.error.what());
    };
    return run;
  };
  return c;
}

}  // namespace worthit::kernels
