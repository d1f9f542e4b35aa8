// CPU time of parse_csv on the csv_parse workload's generated text
// (docs/data-pipeline.md, "Numbers"). Thread CPU time is what the shared
// development machine's load disturbs least; scripts/csv-cpu-time runs this
// and times pandas and numpy.loadtxt on the same bytes.
//
//   worthit_csv_cpu_time [--rows N] [--cols N] [--calls N] [--threads N] [--portable]
//                        [--write PATH | --read PATH]
//
// Prints one line: median and min CPU ms (thread CPU at one thread, process
// CPU otherwise), median wall ms, and the active field parser.
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "csv/csv_parser.h"
#include "csv/csv_workload.h"

namespace {

double now_ms(clockid_t clock) {
  timespec ts;
  clock_gettime(clock, &ts);
  return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) * 1e-6;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace

int main(int argc, char** argv) {
  namespace csv = worthit::kernels::csv;
  int64_t rows = 832000, cols = 16;
  int calls = 9;
  csv::ParseOptions options;
  const char* write_path = nullptr;
  const char* read_path = nullptr;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--rows" && has_value) {
      rows = std::atoll(argv[++i]);
    } else if (a == "--cols" && has_value) {
      cols = std::atoll(argv[++i]);
    } else if (a == "--calls" && has_value) {
      calls = std::max(1, std::atoi(argv[++i]));
    } else if (a == "--threads" && has_value) {
      options.threads = std::max(1, std::atoi(argv[++i]));
    } else if (a == "--portable") {
      options.simd = false;
    } else if (a == "--write" && has_value) {
      write_path = argv[++i];
    } else if (a == "--read" && has_value) {
      read_path = argv[++i];
    } else {
      std::fprintf(stderr,
                   "usage: %s [--rows N] [--cols N] [--calls N] [--threads N] [--portable] "
                   "[--write PATH | --read PATH]\n",
                   argv[0]);
      return 2;
    }
  }
  std::string text;
  if (read_path) {  // any numeric CSV with a header line
    FILE* f = std::fopen(read_path, "rb");
    if (!f) {
      std::fprintf(stderr, "cannot read %s\n", read_path);
      return 1;
    }
    char buf[1 << 16];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) text.append(buf, n);
    std::fclose(f);
    const csv::Shape shape = csv::scan_shape(text, options);
    rows = shape.rows;
    cols = shape.cols;
  } else {
    text = worthit::kernels::make_csv_text(rows, cols, 42);
  }
  if (write_path) {
    FILE* f = std::fopen(write_path, "wb");
    if (!f || std::fwrite(text.data(), 1, text.size(), f) != text.size() || std::fclose(f)) {
      std::fprintf(stderr, "cannot write %s\n", write_path);
      return 1;
    }
  }
  std::vector<float> out(size_t(rows * cols));
  const clockid_t cpu_clock =
      options.threads == 1 ? CLOCK_THREAD_CPUTIME_ID : CLOCK_PROCESS_CPUTIME_ID;
  std::vector<double> cpu, wall;
  for (int i = 0; i < calls + 1; ++i) {  // the first call warms the pages and the threads
    const double c0 = now_ms(cpu_clock), w0 = now_ms(CLOCK_MONOTONIC);
    const csv::ParseResult r = csv::parse_csv(text, out, rows, cols, options);
    const double c1 = now_ms(cpu_clock), w1 = now_ms(CLOCK_MONOTONIC);
    if (!r.ok) {
      std::fprintf(stderr, "parse_csv: %s\n", r.error.what().c_str());
      return 1;
    }
    if (i > 0) {
      cpu.push_back(c1 - c0);
      wall.push_back(w1 - w0);
    }
  }
  std::printf(
      "cpp bytes=%zu rows=%lld cols=%lld threads=%d parser=%s calls=%d cpu_ms_median=%.1f "
      "cpu_ms_min=%.1f wall_ms_median=%.1f ns_per_value=%.2f\n",
      text.size(), (long long)rows, (long long)cols, options.threads,
      csv::field_parser_name(options), calls, median(cpu),
      *std::min_element(cpu.begin(), cpu.end()), median(wall),
      median(cpu) * 1e6 / double(rows * cols));
  return 0;
}
