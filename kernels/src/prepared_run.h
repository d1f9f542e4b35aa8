// Builds the PreparedRun a CPU candidate's prepare() returns (named fields, so
// that members added to PreparedRun later keep their defaults).
#pragma once

#include <functional>
#include <utility>

#include "worthit/harness/candidate.h"

namespace worthit::kernels {

inline PreparedRun prepared(std::function<void()> run, std::function<void()> publish = {}) {
  PreparedRun p;
  p.run = std::move(run);
  p.publish = std::move(publish);
  return p;
}

}  // namespace worthit::kernels
