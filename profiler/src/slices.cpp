#include "worthit/trace/slices.h"

#include <algorithm>
#include <limits>
#include <map>
#include <string_view>
#include <unordered_map>

#include "worthit/trace/analysis.h"
#include "worthit/trace/time_math.h"

namespace worthit::trace {

namespace {

// Keys of the track map: CPU tracks first, then GPU, each by pid and tid.
struct TrackKey {
  bool gpu;
  int64_t pid, tid;
  auto operator<=>(const TrackKey&) const = default;
};

// Depth, parent and self time by a stack of open slices.
void nest(std::vector<Slice>& slices) {
  std::vector<int32_t> open;
  for (int32_t i = 0; i < int32_t(slices.size()); ++i) {
    Slice& s = slices[size_t(i)];
    while (!open.empty() && slices[size_t(open.back())].end_ns <= s.start_ns) open.pop_back();
    s.depth = uint16_t(std::min<size_t>(open.size(), 65535));
    if (!open.empty()) {
      s.parent = open.back();
      Slice& parent = slices[size_t(s.parent)];
      parent.self_ns = sub_saturating(
          parent.self_ns, sub_saturating(std::min(s.end_ns, parent.end_ns), s.start_ns));
    }
    open.push_back(i);
  }
}

}  // namespace

SliceIndex::SliceIndex(const Trace& trace) : trace_(&trace) {
  const auto& events = trace.events;
  // Keys view the events' own names, which outlive the map.
  std::unordered_map<std::string_view, uint32_t> name_ids;
  auto intern = [&](const std::string& n) {
    auto [it, added] = name_ids.try_emplace(n, uint32_t(names_.size()));
    if (added) names_.push_back(n);
    return it->second;
  };
  struct Building {
    bool gpu = false;
    std::vector<Slice> slices;
    std::vector<uint32_t> open;  // 'B' events not yet closed
  };
  std::map<std::pair<int64_t, int64_t>, Building> by_thread;
  for (uint32_t i = 0; i < uint32_t(events.size()); ++i) {
    const Event& e = events[i];
    if (e.phase != 'X' && e.phase != 'B' && e.phase != 'E') continue;
    Building& b = by_thread[{e.pid, e.tid}];
    Slice s;
    if (e.phase == 'X') {
      b.gpu = b.gpu || is_gpu_work(e);
      s.start_ns = e.ts_ns;
      s.end_ns = trace::end_ns(e.ts_ns, std::max<int64_t>(e.dur_ns, 0));
      s.event = i;
      s.name = intern(e.name);
    } else if (e.phase == 'B') {
      b.open.push_back(i);
      continue;
    } else {
      if (b.open.empty()) continue;
      const Event& begin = events[b.open.back()];
      s.start_ns = begin.ts_ns;
      s.end_ns = std::max(begin.ts_ns, e.ts_ns);
      s.event = b.open.back();
      s.name = intern(begin.name);
      b.open.pop_back();
    }
    s.self_ns = sub_saturating(s.end_ns, s.start_ns);
    b.slices.push_back(s);
  }
  std::map<TrackKey, Building*> ordered;
  for (auto& [key, b] : by_thread)
    if (!b.slices.empty()) ordered[{b.gpu, key.first, key.second}] = &b;
  start_ns_ = std::numeric_limits<int64_t>::max();
  end_ns_ = std::numeric_limits<int64_t>::min();
  tracks_.reserve(ordered.size());
  for (auto& [key, b] : ordered) {
    Track t;
    t.pid = key.pid;
    t.tid = key.tid;
    t.kind = key.gpu ? TrackKind::gpu : TrackKind::cpu;
    auto pn = trace.process_names.find(key.pid);
    auto tn = trace.thread_names.find({key.pid, key.tid});
    t.name = (pn != trace.process_names.end() ? pn->second : "pid " + std::to_string(key.pid)) +
             " / " +
             (tn != trace.thread_names.end() ? tn->second : "tid " + std::to_string(key.tid));
    t.slices = std::move(b->slices);
    std::stable_sort(t.slices.begin(), t.slices.end(), [](const Slice& x, const Slice& y) {
      return x.start_ns != y.start_ns ? x.start_ns < y.start_ns : x.end_ns > y.end_ns;
    });
    nest(t.slices);
    for (const Slice& s : t.slices) {
      start_ns_ = std::min(start_ns_, s.start_ns);
      end_ns_ = std::max(end_ns_, s.end_ns);
    }
    slice_count_ += t.slices.size();
    tracks_.push_back(std::move(t));
  }
  if (tracks_.empty()) start_ns_ = end_ns_ = 0;
}

int SliceIndex::track_of(int64_t pid, int64_t tid) const {
  for (size_t i = 0; i < tracks_.size(); ++i)
    if (tracks_[i].pid == pid && tracks_[i].tid == tid) return int(i);
  return -1;
}

std::vector<RangeRow> aggregate_ranges(const SliceIndex& index, int64_t t0, int64_t t1) {
  std::unordered_map<uint64_t, size_t> row_of;  // name * 2 + gpu
  std::vector<RangeRow> rows;
  std::vector<int64_t> clipped;
  const auto& tracks = index.tracks();
  for (int ti = 0; ti < int(tracks.size()); ++ti) {
    const Track& t = tracks[size_t(ti)];
    const bool gpu = t.kind == TrackKind::gpu;
    clipped.assign(t.slices.size(), 0);
    for (size_t i = 0; i < t.slices.size(); ++i) {
      const Slice& s = t.slices[i];
      if (s.start_ns >= t1) break;
      const int64_t lo = std::max(s.start_ns, t0), hi = std::min(s.end_ns, t1);
      const bool inside = s.start_ns == s.end_ns ? s.start_ns >= t0 : s.end_ns > t0;
      if (!inside) continue;
      clipped[i] = hi - lo;
      const uint64_t key = uint64_t(s.name) * 2 + (gpu ? 1 : 0);
      auto [it, added] = row_of.try_emplace(key, rows.size());
      if (added) {
        RangeRow r;
        r.name = index.name(s.name);
        r.kind = t.kind;
        r.min_ns = std::numeric_limits<int64_t>::max();
        rows.push_back(std::move(r));
      }
      RangeRow& r = rows[it->second];
      ++r.count;
      r.total_ns = add_saturating(r.total_ns, hi - lo);
      r.self_ns = add_saturating(r.self_ns, hi - lo);
      r.min_ns = std::min(r.min_ns, hi - lo);
      if (hi - lo > r.max_ns || !r.longest.valid()) {
        r.max_ns = std::max(r.max_ns, hi - lo);
        r.longest = {ti, int32_t(i)};
      }
      if (s.parent >= 0 && clipped[size_t(s.parent)] > 0) {
        const Slice& p = t.slices[size_t(s.parent)];
        const uint64_t pkey = uint64_t(p.name) * 2 + (gpu ? 1 : 0);
        int64_t& parent_self = rows[row_of[pkey]].self_ns;
        parent_self =
            sub_saturating(parent_self, sub_saturating(std::min(hi, std::min(p.end_ns, t1)), lo));
      }
    }
  }
  const double length = double(std::max<int64_t>(sub_saturating(t1, t0), 1));
  for (RangeRow& r : rows) r.share = double(r.total_ns) / length;
  std::sort(rows.begin(), rows.end(), [](const RangeRow& a, const RangeRow& b) {
    return a.total_ns != b.total_ns ? a.total_ns > b.total_ns : a.name < b.name;
  });
  return rows;
}

}  // namespace worthit::trace
