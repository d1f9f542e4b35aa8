// The policy reader on arbitrary bytes; an accepted policy writes and reads
// back to itself.
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fuzz_support.h"
#include "worthit/reports/policy.h"

using namespace worthit;
using namespace worthit::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  reports::Policy policy;
  if (!accepted([&] { policy = reports::policy_from_json(parse_json_text(text, kInputName)); }))
    return 0;
  const nlohmann::json written = reports::to_json(policy);
  reports::Policy back;
  if (!accepted([&] { back = reports::policy_from_json(written); }))
    fail("the writer's output does not read back", written.dump().substr(0, 400));
  expect(reports::to_json(back) == written, "round trip changed the policy");
  for (const auto& g : policy.jit_backend_patterns) (void)reports::glob_match(g, "torch-compile");
  return 0;
}
