#include "src/random_inputs.h"

#include <stdexcept>
#include <string>

namespace worthit::kernels {

void fill_uniform(Buffer& buffer, uint64_t seed, uint64_t stream, double lo, double hi) {
  // Mix the stream into the seed through one generator step so that nearby
  // seeds and streams do not give overlapping sequences.
  SplitMix64 mix(seed ^ (stream * 0xD1B54A32D192ED03ull));
  SplitMix64 gen(mix.next());
  for (float& v : buffer.span<float>()) v = uniform_float(gen.next(), lo, hi);
}

void check_range(const std::string& workload, const std::string& key, int64_t value, int64_t lo,
                 int64_t hi) {
  if (value < lo || value > hi)
    throw std::invalid_argument("workload '" + workload + "': " + key + "=" +
                                std::to_string(value) + " is outside [" + std::to_string(lo) +
                                ", " + std::to_string(hi) + "]");
}

}  // namespace worthit::kernels
