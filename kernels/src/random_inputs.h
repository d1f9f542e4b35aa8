// Seeded input generation that gives bit-identical buffers on every machine:
// splitmix64 for the bits and an exact bits-to-float conversion, never the
// implementation-defined std::*_distribution.
#pragma once

#include <cstdint>

#include "worthit/harness/buffer.h"

namespace worthit::kernels {

// splitmix64 (Steele, Lea, Flood 2014): tiny, full-period, well mixed; good
// enough for test data, and trivially reproducible.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

 private:
  uint64_t state_;
};

// A float in [lo, hi) from the top 24 bits of `bits`. The product of a 24-bit
// integer and 2^-24 is exact, and the one remaining rounding happens in IEEE
// double and then to float: the same result on every conforming machine.
inline float uniform_float(uint64_t bits, double lo, double hi) {
  const double u = static_cast<double>(bits >> 40) * 0x1.0p-24;
  return static_cast<float>(lo + (hi - lo) * u);
}

// Fills a float buffer with uniform values in [lo, hi). Each buffer of a
// workload uses its own `stream` so that buffers of one seed are independent.
void fill_uniform(Buffer& buffer, uint64_t seed, uint64_t stream, double lo, double hi);

// Throws std::invalid_argument naming the workload and the key when `value` is
// outside [lo, hi].
void check_range(const std::string& workload, const std::string& key, int64_t value, int64_t lo,
                 int64_t hi);

}  // namespace worthit::kernels
