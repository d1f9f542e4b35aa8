// Static partition of [0, n) among OpenMP threads, in multiples of `grain`
// (a cache line of floats, say) so that no two threads share a cache line.
#pragma once

#include <algorithm>
#include <cstdint>

namespace worthit::kernels {

struct Range {
  int64_t begin = 0;
  int64_t end = 0;
};

inline Range thread_range(int64_t n, int64_t grain, int thread, int threads) {
  const int64_t units = (n + grain - 1) / grain;
  const int64_t per = units / threads;
  const int64_t extra = units % threads;
  const int64_t first = thread * per + std::min<int64_t>(thread, extra);
  const int64_t count = per + (thread < extra ? 1 : 0);
  return {std::min(n, first * grain), std::min(n, (first + count) * grain)};
}

}  // namespace worthit::kernels
