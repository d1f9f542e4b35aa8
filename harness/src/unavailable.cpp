#include "worthit/results/unavailable.h"

#include <algorithm>

namespace worthit {

std::vector<UnavailableGroup> summarize_unavailable(const std::vector<BenchResult>& results) {
  std::vector<UnavailableGroup> groups;
  for (const auto& r : results) {
    if (r.status != ResultStatus::unavailable) continue;
    auto it = std::find_if(groups.begin(), groups.end(),
                           [&](const UnavailableGroup& g) { return g.reason == r.reason; });
    if (it == groups.end()) {
      groups.push_back({r.reason, {}, true, 0});
      it = groups.end() - 1;
    }
    ++it->rows;
    it->all_cuda = it->all_cuda && r.device == "cuda";
    if (std::find(it->backends.begin(), it->backends.end(), r.backend) == it->backends.end())
      it->backends.push_back(r.backend);
  }
  return groups;
}

std::string describe(const UnavailableGroup& g) {
  std::string what;
  if (g.all_cuda) {
    what = "CUDA candidates";
  } else {
    const size_t shown = std::min<size_t>(g.backends.size(), 4);
    for (size_t i = 0; i < shown; ++i) what += (i ? ", " : "") + g.backends[i];
    if (g.backends.size() > shown)
      what += " and " + std::to_string(g.backends.size() - shown) + " more";
  }
  return what + " unavailable: " + g.reason + " (" + std::to_string(g.rows) +
         (g.rows == 1 ? " row)" : " rows)");
}

}  // namespace worthit
