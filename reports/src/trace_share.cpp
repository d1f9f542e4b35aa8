#include "worthit/reports/trace_share.h"

#include <functional>
#include <map>
#include <utility>

#include "worthit/results/file_io.h"

#ifdef WORTHIT_REPORTS_HAVE_TRACE
#include "worthit/trace/slices.h"
#include "worthit/trace/steps.h"
#include "worthit/trace/time_math.h"
#include "worthit/trace/trace.h"
#endif

namespace worthit::reports {

std::filesystem::path default_source_root() {
#ifdef WORTHIT_SOURCE_DIR
  std::error_code ec;
  if (std::filesystem::is_directory(WORTHIT_SOURCE_DIR, ec)) return WORTHIT_SOURCE_DIR;
#endif
  return std::filesystem::current_path();
}

#ifdef WORTHIT_REPORTS_HAVE_TRACE

bool trace_reader_available() { return true; }

std::map<std::string, OpShare> op_shares_from_trace(const std::filesystem::path& trace_path,
                                                    const std::vector<std::string>& workloads,
                                                    const Policy& policy) {
  const trace::Trace t = trace::read_trace(trace_path);
  const trace::SliceIndex index(t);
  std::function<bool(std::string_view)> is_step;
  if (!policy.step_patterns.empty())
    is_step = [&](std::string_view name) {
      for (const auto& g : policy.step_patterns)
        if (glob_match(g, name)) return true;
      return false;
    };
  const trace::Steps steps = trace::find_steps(index, is_step);
  std::vector<Slice> slices;
  for (const auto& track : index.tracks())
    for (const auto& s : track.slices)
      slices.push_back(
          {index.name(s.name), s.start_ns, trace::sub_saturating(s.end_ns, s.start_ns), false});
  for (const auto& st : steps.spans)
    slices.push_back({"(step)", st.start_ns, trace::sub_saturating(st.end_ns, st.start_ns), true});
  if (slices.empty()) throw FileError(trace_path, "the trace has no complete slices");
  std::map<std::string, OpShare> shares;
  for (const auto& w : workloads)
    if (auto s = op_share(slices, w, policy)) {
      if (s->steps > 0) s->step_source = "steps: " + steps.source;
      shares[w] = *s;
    }
  return shares;
}

#else

bool trace_reader_available() { return false; }

std::map<std::string, OpShare> op_shares_from_trace(const std::filesystem::path& trace_path,
                                                    const std::vector<std::string>&,
                                                    const Policy&) {
  throw FileError(trace_path,
                  "this worthit was built without the trace reader (worthit::trace); give the "
                  "op's share with --share instead");
}

#endif

}  // namespace worthit::reports
