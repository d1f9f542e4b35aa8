#include "worthit/reports/trace_share.h"

#include <map>
#include <utility>

#include "worthit/results/file_io.h"

#ifdef WORTHIT_REPORTS_HAVE_TRACE
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
  std::vector<Slice> slices;
  std::map<std::pair<int64_t, int64_t>, std::vector<const trace::Event*>> open;
  for (const auto& e : t.events) {
    if (e.phase == 'X') {
      slices.push_back({e.name, e.ts_ns, e.dur_ns});
    } else if (e.phase == 'B') {
      open[{e.pid, e.tid}].push_back(&e);
    } else if (e.phase == 'E') {
      auto& stack = open[{e.pid, e.tid}];
      if (stack.empty()) continue;
      const auto* b = stack.back();
      stack.pop_back();
      slices.push_back({b->name, b->ts_ns, trace::sub_saturating(e.ts_ns, b->ts_ns)});
    }
  }
  if (slices.empty()) throw FileError(trace_path, "the trace has no complete slices");
  std::map<std::string, OpShare> shares;
  for (const auto& w : workloads)
    if (auto s = op_share(slices, w, policy)) shares[w] = *s;
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
