#include "timeline_index.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <unordered_map>

#include "worthit/trace/analysis.h"

namespace worthit::viewer {

int64_t TimeAxis::time_at(double x) const {
  return start_ns + int64_t(std::llround(x * ns_per_px));
}

void TimeAxis::zoom_at(double x, double factor) {
  const double t = double(start_ns) + x * ns_per_px;
  // Below a hundredth of a nanosecond per pixel nothing more can be seen.
  ns_per_px = std::max(ns_per_px / factor, 0.01);
  start_ns = int64_t(std::llround(t - x * ns_per_px));
}

void TimeAxis::fit(int64_t t0, int64_t t1, double width) {
  start_ns = t0;
  ns_per_px = std::max(double(std::max<int64_t>(t1 - t0, 1)) / std::max(width, 1.0), 0.01);
}

namespace {

struct Pending {
  int64_t start, end;
  uint32_t event, name;
};

// Keys of the track map: CPU tracks first, then GPU, each by pid and tid.
struct TrackKey {
  bool gpu;
  int64_t pid, tid;
  auto operator<=>(const TrackKey&) const = default;
};

}  // namespace

TimelineIndex::TimelineIndex(const trace::Trace& trace) : trace_(&trace) {
  build_tracks();
  for (Track& t : tracks_) build_rows(t);
  build_flows();
}

void TimelineIndex::build_tracks() {
  const auto& events = trace_->events;
  // Keys view the events' own names, which outlive the map.
  std::unordered_map<std::string_view, uint32_t> name_ids;
  auto intern = [&](const std::string& n) {
    auto [it, added] = name_ids.try_emplace(n, uint32_t(names_.size()));
    if (added) names_.push_back(n);
    return it->second;
  };
  // Per (pid, tid): slices and the stack of open 'B' events.
  struct Building {
    bool gpu = false;
    std::vector<Pending> slices;
    std::vector<uint32_t> open;
  };
  std::map<std::pair<int64_t, int64_t>, Building> by_thread;
  start_ns_ = std::numeric_limits<int64_t>::max();
  end_ns_ = std::numeric_limits<int64_t>::min();
  for (uint32_t i = 0; i < events.size(); ++i) {
    const trace::Event& e = events[i];
    if (e.phase != 'X' && e.phase != 'B' && e.phase != 'E') continue;
    Building& b = by_thread[{e.pid, e.tid}];
    if (e.phase == 'X') {
      b.gpu = b.gpu || trace::is_gpu_work(e);
      b.slices.push_back({e.ts_ns, e.ts_ns + std::max<int64_t>(e.dur_ns, 0), i, intern(e.name)});
    } else if (e.phase == 'B') {
      b.open.push_back(i);
    } else if (!b.open.empty()) {
      const trace::Event& begin = events[b.open.back()];
      b.slices.push_back(
          {begin.ts_ns, std::max(begin.ts_ns, e.ts_ns), b.open.back(), intern(begin.name)});
      b.open.pop_back();
    }
  }
  std::map<TrackKey, Building*> ordered;
  for (auto& [key, b] : by_thread)
    if (!b.slices.empty()) ordered[{b.gpu, key.first, key.second}] = &b;
  for (auto& [key, b] : ordered) {
    Track t;
    t.pid = key.pid;
    t.tid = key.tid;
    t.kind = key.gpu ? TrackKind::gpu : TrackKind::cpu;
    auto pn = trace_->process_names.find(key.pid);
    auto tn = trace_->thread_names.find({key.pid, key.tid});
    std::string process =
        pn != trace_->process_names.end() ? pn->second : "pid " + std::to_string(key.pid);
    std::string thread =
        tn != trace_->thread_names.end() ? tn->second : "tid " + std::to_string(key.tid);
    t.name = process + " / " + thread;
    std::sort(b->slices.begin(), b->slices.end(), [](const Pending& x, const Pending& y) {
      return x.start != y.start ? x.start < y.start : x.end > y.end;
    });
    t.slices.reserve(b->slices.size());
    for (const Pending& p : b->slices) {
      Slice s;
      s.start_ns = p.start;
      s.end_ns = p.end;
      s.self_ns = p.end - p.start;
      s.event = p.event;
      s.name = p.name;
      t.slices.push_back(s);
      start_ns_ = std::min(start_ns_, p.start);
      end_ns_ = std::max(end_ns_, p.end);
    }
    slice_count_ += t.slices.size();
    b->slices.clear();
    b->slices.shrink_to_fit();
    tracks_.push_back(std::move(t));
  }
  if (tracks_.empty()) start_ns_ = end_ns_ = 0;
}

void TimelineIndex::build_rows(Track& t) {
  // Depth by a stack of open slices; a slice that outlives its parent (a
  // malformed trace) still stacks, so slices of one depth never overlap.
  std::vector<int32_t> open;
  for (int32_t i = 0; i < int32_t(t.slices.size()); ++i) {
    Slice& s = t.slices[i];
    while (!open.empty() && t.slices[open.back()].end_ns <= s.start_ns) open.pop_back();
    s.depth = uint16_t(std::min<size_t>(open.size(), 65535));
    if (!open.empty()) {
      s.parent = open.back();
      Slice& parent = t.slices[s.parent];
      parent.self_ns -= std::min(s.end_ns, parent.end_ns) - s.start_ns;
    }
    open.push_back(i);
    if (t.rows.size() <= s.depth) t.rows.resize(s.depth + 1);
    t.rows[s.depth].slices.push_back(uint32_t(i));
  }
  for (Row& row : t.rows) {
    if (row.slices.empty()) continue;
    const int64_t origin = t.slices[row.slices.front()].start_ns;
    const int64_t end = t.slices[row.slices.back()].end_ns;
    const int64_t span = std::max<int64_t>(end - origin, 1);
    row.origin_ns = origin;
    // Levels start at the mean spacing of slices: finer than that, drawing
    // the slices themselves is already O(pixels).
    int64_t width = 1;
    while (width * int64_t(row.slices.size()) < span) width *= 4;
    for (;; width *= 4) {
      LodLevel level;
      level.width_ns = width;
      for (uint32_t si : row.slices) {
        const Slice& s = t.slices[si];
        const int64_t dur = s.end_ns - s.start_ns;
        if (dur >= width) {
          level.long_slices.push_back(si);
          continue;
        }
        // Shorter than a bucket: lies in at most two buckets.
        int64_t b0 = (s.start_ns - origin) / width;
        int64_t b1 = (std::max(s.end_ns - 1, s.start_ns) - origin) / width;
        for (int64_t b = b0; b <= b1; ++b) {
          const int64_t lo = std::max(s.start_ns, origin + b * width);
          const int64_t hi = std::min(s.end_ns, origin + (b + 1) * width);
          if (level.buckets.empty() || level.buckets.back().index != b)
            level.buckets.push_back({b, 0, s.name, -1});
          LodBucket& bucket = level.buckets.back();
          bucket.covered_ns += std::max<int64_t>(hi - lo, 0);
          if (dur > bucket.longest_ns) {
            bucket.longest_ns = dur;
            bucket.name = s.name;
          }
        }
      }
      level.buckets.shrink_to_fit();
      level.long_slices.shrink_to_fit();
      row.levels.push_back(std::move(level));
      if (width >= span) break;
    }
  }
}

int TimelineIndex::track_of(int64_t pid, int64_t tid) const {
  for (size_t i = 0; i < tracks_.size(); ++i)
    if (tracks_[i].pid == pid && tracks_[i].tid == tid) return int(i);
  return -1;
}

void TimelineIndex::build_flows() {
  struct End {
    int64_t pid, tid, ts;
    bool set = false;
  };
  // Launch arrows only: torch.profiler also links forward to backward ops
  // ("fwdbwd"), which is not what the arrows show.
  std::unordered_map<uint64_t, std::pair<End, End>> ends;
  for (const trace::Event& e : trace_->events) {
    if ((e.phase != 's' && e.phase != 'f') || e.category != trace::category::kFlow) continue;
    if (e.phase == 's')
      ends[e.id].first = {e.pid, e.tid, e.ts_ns, true};
    else
      ends[e.id].second = {e.pid, e.tid, e.ts_ns, true};
  }
  std::map<std::pair<int64_t, int64_t>, int> track_ids;
  for (size_t i = 0; i < tracks_.size(); ++i) track_ids[{tracks_[i].pid, tracks_[i].tid}] = int(i);
  for (const auto& [id, pair] : ends) {
    const auto& [s, f] = pair;
    if (!s.set || !f.set) continue;
    auto ts = track_ids.find({s.pid, s.tid});
    auto tf = track_ids.find({f.pid, f.tid});
    if (ts == track_ids.end() || tf == track_ids.end()) continue;
    Flow flow;
    flow.id = id;
    flow.from = deepest_at(ts->second, s.ts);
    flow.to = deepest_at(tf->second, f.ts);
    flow.from_ns = s.ts;
    flow.to_ns = f.ts;
    if (!flow.from.valid() || !flow.to.valid()) continue;
    flows_.push_back(flow);
  }
  std::sort(flows_.begin(), flows_.end(),
            [](const Flow& a, const Flow& b) { return a.from_ns < b.from_ns; });
  auto key = [](SliceRef r) { return (uint64_t(uint32_t(r.track)) << 32) | uint32_t(r.slice); };
  for (size_t i = 0; i < flows_.size(); ++i) {
    flow_by_slice_.emplace(key(flows_[i].from), i);
    flow_by_slice_.emplace(key(flows_[i].to), i);
  }
}

std::vector<const Flow*> TimelineIndex::flows_of(SliceRef r) const {
  std::vector<const Flow*> out;
  const uint64_t key = (uint64_t(uint32_t(r.track)) << 32) | uint32_t(r.slice);
  auto [lo, hi] = flow_by_slice_.equal_range(key);
  for (auto it = lo; it != hi; ++it) out.push_back(&flows_[it->second]);
  return out;
}

SliceRef TimelineIndex::slice_at(int track, int depth, int64_t t, int64_t tolerance_ns) const {
  if (track < 0 || track >= int(tracks_.size())) return {};
  const Track& tr = tracks_[track];
  if (depth < 0 || depth >= int(tr.rows.size())) return {};
  const auto& ids = tr.rows[depth].slices;
  // First slice that ends after t (ends are sorted: slices of a row never overlap).
  auto it = std::upper_bound(ids.begin(), ids.end(), t,
                             [&](int64_t v, uint32_t i) { return v < tr.slices[i].end_ns; });
  int64_t best_distance = tolerance_ns + 1;
  int32_t best = -1;
  if (it != ids.end()) {
    const Slice& s = tr.slices[*it];
    const int64_t d = std::max<int64_t>(s.start_ns - t, 0);
    if (d < best_distance) best_distance = d, best = int32_t(*it);
  }
  if (it != ids.begin()) {
    const Slice& s = tr.slices[*(it - 1)];
    const int64_t d = t - s.end_ns;  // >= 0: it ended at or before t
    if (d < best_distance) best_distance = d, best = int32_t(*(it - 1));
  }
  if (best < 0) return {};
  return {track, best};
}

SliceRef TimelineIndex::deepest_at(int track, int64_t t) const {
  if (track < 0 || track >= int(tracks_.size())) return {};
  for (int d = int(tracks_[track].rows.size()) - 1; d >= 0; --d) {
    SliceRef r = slice_at(track, d, t);
    // A zero-length slice at t contains t.
    if (r.valid() && slice(r).start_ns <= t &&
        (t < slice(r).end_ns || slice(r).start_ns == slice(r).end_ns))
      return r;
  }
  return {};
}

void TimelineIndex::row_spans(int track, int depth, const TimeAxis& axis, double width_px,
                              std::vector<Span>& out) const {
  const Track& tr = tracks_[track];
  if (depth >= int(tr.rows.size())) return;
  const Row& row = tr.rows[depth];
  const int64_t ta = axis.time_at(0);
  const int64_t tb = axis.time_at(width_px);
  const double ns_per_px = axis.ns_per_px;
  // The coarsest level whose buckets are at most a pixel wide.
  const LodLevel* level = nullptr;
  for (const LodLevel& l : row.levels)
    if (double(l.width_ns) <= ns_per_px) level = &l;

  auto emit_slice = [&](uint32_t si) {
    const Slice& s = tr.slices[si];
    out.push_back({axis.x_of(s.start_ns), axis.x_of(s.end_ns), s.name, 1.f, int32_t(si)});
  };
  // Pixel-wide spans from merged pieces, accumulated column by column.
  double column = std::numeric_limits<double>::lowest();
  int64_t covered = 0;
  uint32_t column_name = 0;
  int64_t column_longest = -1;
  auto flush_column = [&] {
    if (covered <= 0) return;
    const float coverage = float(std::min(1.0, double(covered) / ns_per_px));
    if (!out.empty() && out.back().slice < 0 && out.back().name == column_name &&
        out.back().x1 == column && std::abs(out.back().coverage - coverage) < 0.2f) {
      out.back().x1 = column + 1;  // extend the previous run
    } else {
      out.push_back({column, column + 1, column_name, coverage, -1});
    }
    covered = 0;
    column_longest = -1;
  };
  auto add_piece = [&](double x, int64_t ns, uint32_t name, int64_t longest) {
    const double c = std::floor(x);
    if (c != column) {
      flush_column();
      column = c;
    }
    covered += ns;
    if (longest > column_longest) column_longest = longest, column_name = name;
  };

  if (!level) {
    // Zoomed in: draw the slices; runs thinner than a pixel merge, and the
    // search skips ahead to the next pixel so a frame stays O(pixels).
    const auto& ids = row.slices;
    auto it = std::upper_bound(ids.begin(), ids.end(), ta,
                               [&](int64_t v, uint32_t i) { return v < tr.slices[i].end_ns; });
    while (it != ids.end()) {
      const Slice& s = tr.slices[*it];
      if (s.start_ns > tb) break;
      const double x0 = axis.x_of(s.start_ns), x1 = axis.x_of(s.end_ns);
      if (x1 - x0 >= 1.0) {
        flush_column();
        column = std::numeric_limits<double>::lowest();
        emit_slice(*it);
        ++it;
        continue;
      }
      add_piece(x0, s.end_ns - s.start_ns, s.name, s.end_ns - s.start_ns);
      ++it;
      if (it != ids.end() && axis.x_of(tr.slices[*it].start_ns) < std::floor(x0) + 1) {
        // Skip the rest of this pixel: count its time without visiting each.
        const int64_t pixel_end = axis.time_at(std::floor(x0) + 1);
        auto next = std::upper_bound(it, ids.end(), pixel_end, [&](int64_t v, uint32_t i) {
          return v < tr.slices[i].start_ns;
        });
        if (next - it > 8) {
          covered += pixel_end - tr.slices[*it].start_ns;  // an estimate: dense pixel
          it = next;
        }
      }
    }
    flush_column();
    return;
  }

  // Zoomed out: long slices from the list, short ones from the buckets.
  const int64_t w = level->width_ns;
  auto lit = std::upper_bound(level->long_slices.begin(), level->long_slices.end(), ta,
                              [&](int64_t v, uint32_t i) { return v < tr.slices[i].end_ns; });
  const int64_t first_bucket = (ta - row.origin_ns) / w - 1;
  auto bit = std::lower_bound(level->buckets.begin(), level->buckets.end(), first_bucket,
                              [](const LodBucket& b, int64_t v) { return b.index < v; });
  // Merge both streams in time order so columns fill left to right.
  while (true) {
    const bool has_long = lit != level->long_slices.end() && tr.slices[*lit].start_ns <= tb;
    const bool has_bucket = bit != level->buckets.end() && row.origin_ns + bit->index * w <= tb;
    if (!has_long && !has_bucket) break;
    const int64_t long_start = has_long ? tr.slices[*lit].start_ns : 0;
    const int64_t bucket_start = has_bucket ? row.origin_ns + bit->index * w : 0;
    if (has_long && (!has_bucket || long_start <= bucket_start)) {
      const Slice& s = tr.slices[*lit];
      const double x0 = axis.x_of(s.start_ns), x1 = axis.x_of(s.end_ns);
      if (x1 - x0 >= 1.0) {
        flush_column();
        column = std::numeric_limits<double>::lowest();
        emit_slice(*lit);
      } else {
        add_piece(x0, s.end_ns - s.start_ns, s.name, s.end_ns - s.start_ns);
      }
      ++lit;
    } else {
      add_piece(axis.x_of(bucket_start), bit->covered_ns, bit->name, bit->longest_ns);
      ++bit;
    }
  }
  flush_column();
}

std::vector<RangeRow> TimelineIndex::aggregate(int64_t t0, int64_t t1) const {
  std::unordered_map<uint64_t, size_t> row_of;  // name * 2 + gpu
  std::vector<RangeRow> rows;
  std::vector<int64_t> clipped;
  for (int ti = 0; ti < int(tracks_.size()); ++ti) {
    const Track& t = tracks_[ti];
    const bool gpu = t.kind == TrackKind::gpu;
    clipped.assign(t.slices.size(), 0);
    for (size_t i = 0; i < t.slices.size(); ++i) {
      const Slice& s = t.slices[i];
      if (s.start_ns >= t1) break;
      const int64_t lo = std::max(s.start_ns, t0), hi = std::min(s.end_ns, t1);
      // Zero-length slices inside the range still count as calls.
      const bool inside = s.start_ns == s.end_ns ? s.start_ns >= t0 : s.end_ns > t0;
      if (!inside) continue;
      clipped[i] = hi - lo;
      const uint64_t key = uint64_t(s.name) * 2 + (gpu ? 1 : 0);
      auto [it, added] = row_of.try_emplace(key, rows.size());
      if (added) {
        RangeRow r;
        r.name = names_[s.name];
        r.kind = t.kind;
        r.min_ns = std::numeric_limits<int64_t>::max();
        rows.push_back(std::move(r));
      }
      RangeRow& r = rows[it->second];
      ++r.count;
      r.total_ns += hi - lo;
      r.self_ns += hi - lo;
      r.min_ns = std::min(r.min_ns, hi - lo);
      if (hi - lo > r.max_ns || !r.longest.valid()) {
        r.max_ns = std::max(r.max_ns, hi - lo);
        r.longest = {ti, int32_t(i)};
      }
      if (s.parent >= 0 && clipped[s.parent] > 0) {
        const Slice& p = t.slices[s.parent];
        const uint64_t pkey = uint64_t(p.name) * 2 + (gpu ? 1 : 0);
        rows[row_of[pkey]].self_ns -= std::min(hi, std::min(p.end_ns, t1)) - lo;
      }
    }
  }
  const double length = double(std::max<int64_t>(t1 - t0, 1));
  for (RangeRow& r : rows) r.share = double(r.total_ns) / length;
  std::sort(rows.begin(), rows.end(), [](const RangeRow& a, const RangeRow& b) {
    return a.total_ns != b.total_ns ? a.total_ns > b.total_ns : a.name < b.name;
  });
  return rows;
}

std::vector<char> TimelineIndex::names_matching(std::string_view needle) const {
  std::vector<char> mask(names_.size(), 0);
  if (needle.empty()) return mask;
  auto lower = [](std::string_view s) {
    std::string out(s);
    for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  const std::string n = lower(needle);
  for (size_t i = 0; i < names_.size(); ++i)
    mask[i] = lower(names_[i]).find(n) != std::string::npos ? 1 : 0;
  return mask;
}

std::vector<SliceRef> TimelineIndex::find(std::string_view needle) const {
  const std::vector<char> mask = names_matching(needle);
  std::vector<SliceRef> out;
  for (int ti = 0; ti < int(tracks_.size()); ++ti)
    for (int32_t i = 0; i < int32_t(tracks_[ti].slices.size()); ++i)
      if (mask[tracks_[ti].slices[i].name]) out.push_back({ti, i});
  std::stable_sort(out.begin(), out.end(),
                   [&](SliceRef a, SliceRef b) { return slice(a).start_ns < slice(b).start_ns; });
  return out;
}

std::string format_duration(int64_t ns) {
  char buf[64];
  const double v = double(ns);
  const double a = std::abs(v);
  if (a < 1e3)
    std::snprintf(buf, sizeof buf, "%lld ns", static_cast<long long>(ns));
  else if (a < 1e6)
    std::snprintf(buf, sizeof buf, "%.3g us", v / 1e3);
  else if (a < 1e9)
    std::snprintf(buf, sizeof buf, "%.3g ms", v / 1e6);
  else
    std::snprintf(buf, sizeof buf, "%.4g s", v / 1e9);
  return buf;
}

}  // namespace worthit::viewer
