// The hot_ops section: a trace's hot PyTorch ops with their headroom bound
// and fusion hints (worthit/trace/hot_ops.h), analysed under the policy's
// step patterns and bars, and written for report.json, report.md and
// `worthit profile`'s summary. Independent of the verdicts on benchmark
// results: a report with only --trace has this section alone.
// docs/hot-ops.md; schema in docs/report-schema.md.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "worthit/reports/policy.h"
#include "worthit/results/record.h"
#include "worthit/trace/hot_ops.h"
#include "worthit/trace/hot_ops_text.h"
#include "worthit/trace/trace.h"

namespace worthit::reports {

// The policy's bars for headroom: min_end_to_end_gain and required_speedup.low.
trace::HeadroomBar headroom_bar(const Policy& policy);
std::vector<trace::Ceiling> ceilings_of(const std::optional<Calibration>& cpu,
                                        const std::optional<Calibration>& gpu);
// The ceilings `worthit calibrate` saved at `cpu_path` (and the GPU's beside
// it); empty when there are none. Throws FileError for an unreadable file.
std::vector<trace::Ceiling> calibrated_ceilings(const std::filesystem::path& cpu_path);

// Steps by the policy's step_patterns when it lists any, else the trace library's.
trace::Steps policy_steps(const trace::SliceIndex& index, const Policy& policy);
trace::HotOpsReport analyze_hot_ops(const trace::Trace& trace, const Policy& policy,
                                    const std::vector<trace::Ceiling>& ceilings, size_t top = 15);

nlohmann::json hot_ops_to_json(const trace::HotOpsReport& report,
                               const std::vector<trace::Ceiling>& ceilings,
                               const trace::HeadroomBar& bar);
std::string hot_ops_to_markdown(const trace::HotOpsReport& report,
                                const std::vector<trace::Ceiling>& ceilings,
                                const trace::HeadroomBar& bar);
// The console table of `worthit profile`'s summary.
std::string hot_ops_to_text(const trace::HotOpsReport& report,
                            const std::vector<trace::Ceiling>& ceilings,
                            const trace::HeadroomBar& bar);

}  // namespace worthit::reports
