// `worthit compare` inputs (worthit results and Google Benchmark JSON) on
// arbitrary bytes: the reader, pooling, the comparison (raw and drift
// corrected) and its three writers.
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fuzz_support.h"
#include "worthit/reports/compare.h"
#include "worthit/reports/compare_writers.h"
#include "worthit/results/json_fields.h"

using namespace worthit;
using namespace worthit::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  reports::BenchmarkSet set;
  if (!accepted([&] {
        set = reports::benchmark_set_from_json(parse_json_text(text, kInputName), kInputName);
      }))
    return 0;
  for (const auto& b : set.benchmarks)
    for (double x : b.samples_ns)
      expect(x > 0 && x <= json_fields::kMaxSampleNs, "a sample out of range", b.name);

  std::vector<std::string> warnings;
  reports::BenchmarkSet pooled;
  if (!accepted([&] { pooled = reports::pool_runs({set, set}, warnings); })) return 0;

  for (bool normalize : {false, true}) {
    reports::CompareOptions o;
    o.resamples = 200;
    o.normalize = normalize && set.format == "worthit";
    reports::Comparison c;
    // No benchmark in common (an empty file) is a documented FileError.
    if (!accepted([&] { c = reports::compare(set, pooled, o); })) continue;
    for (const auto& b : c.benchmarks)
      expect(b.p_value >= 0 && b.p_value <= 1, "p-value outside 0..1", b.name);
    (void)reports::comparison_to_json(c).dump();
    (void)reports::comparison_to_markdown(c);
    (void)reports::comparison_to_text(c);
  }
  return 0;
}
