// The results reader on arbitrary bytes, then the decision engine, the
// report writers and the results writer over what it accepted; a written
// results file must read back to the same file.
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fuzz_support.h"
#include "worthit/reports/decision.h"
#include "worthit/reports/report_writers.h"
#include "worthit/results/results_json.h"

using namespace worthit;
using namespace worthit::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  ResultsFile file;
  if (!accepted([&] { file = results_from_json(parse_json_text(text, kInputName)); })) return 0;

  // The decision engine and its writers over anything the reader accepts.
  // Sources resolve under the fixtures folder (and nowhere else).
  reports::Policy policy = reports::default_policy();
  policy.bootstrap_resamples = 100;  // the least a policy file allows: keeps each run fast
  reports::DecisionInputs inputs;
  inputs.source_root = WORTHIT_FUZZ_SOURCE_ROOT;
  inputs.share = 0.5;
  const reports::Report report = reports::decide(file, inputs, policy);
  for (const auto& d : report.decisions)
    if (d.maintenance)
      for (const auto& f : d.maintenance->files)
        expect(!f.path.empty(), "a source read without its name");
  (void)reports::report_to_json(report).dump();
  (void)reports::report_to_markdown(report);

  // Round trip: the writer's output reads back, and writes the same again.
  const nlohmann::json written = to_json(file);
  ResultsFile back;
  if (!accepted([&] { back = results_from_json(written); }))
    fail("the writer's output does not read back", written.dump().substr(0, 400));
  expect(to_json(back) == written, "round trip changed the file");
  return 0;
}
