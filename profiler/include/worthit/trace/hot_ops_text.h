// Hot ops in words: one sentence per headroom verdict and per fusion hint,
// citing the numbers. The profile summary, report.md, report.json's reasons
// and the viewer's Bottlenecks panel all say it this way.
#pragma once

#include <string>

#include "worthit/trace/hot_ops.h"

namespace worthit::trace {

std::string headroom_sentence(const HotOp& op, const HeadroomBar& bar);
std::string fusion_sentence(const FusionHint& hint);

}  // namespace worthit::trace
