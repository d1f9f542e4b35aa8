#include "timeline_index.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <unordered_map>

#include "worthit/trace/analysis.h"
#include "worthit/trace/time_math.h"

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

TimelineIndex::TimelineIndex(const trace::Trace& trace) : slices_(trace) {
  rows_.resize(slices_.tracks().size());
  for (size_t i = 0; i < rows_.size(); ++i) build_rows(slices_.tracks()[i], rows_[i]);
  build_flows();
}

void TimelineIndex::build_rows(const Track& t, std::vector<Row>& rows) {
  // Depths come from the trace library's nesting; a slice that outlives its
  // parent (a malformed trace) still stacks, so slices of one depth never overlap.
  for (int32_t i = 0; i < int32_t(t.slices.size()); ++i) {
    const Slice& s = t.slices[size_t(i)];
    if (rows.size() <= s.depth) rows.resize(s.depth + 1);
    rows[s.depth].slices.push_back(uint32_t(i));
  }
  for (Row& row : rows) {
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
        const int64_t dur = trace::sub_saturating(s.end_ns, s.start_ns);
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

void TimelineIndex::build_flows() {
  struct End {
    int64_t pid, tid, ts;
    bool set = false;
  };
  // Launch arrows only: torch.profiler also links forward to backward ops
  // ("fwdbwd"), which is not what the arrows show.
  std::unordered_map<uint64_t, std::pair<End, End>> ends;
  for (const trace::Event& e : trace().events) {
    if ((e.phase != 's' && e.phase != 'f') || e.category != trace::category::kFlow) continue;
    if (e.phase == 's')
      ends[e.id].first = {e.pid, e.tid, e.ts_ns, true};
    else
      ends[e.id].second = {e.pid, e.tid, e.ts_ns, true};
  }
  std::map<std::pair<int64_t, int64_t>, int> track_ids;
  const auto& tracks = slices_.tracks();
  for (size_t i = 0; i < tracks.size(); ++i) track_ids[{tracks[i].pid, tracks[i].tid}] = int(i);
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
  if (track < 0 || track >= int(rows_.size())) return {};
  const Track& tr = tracks()[size_t(track)];
  const std::vector<Row>& rows = rows_[size_t(track)];
  if (depth < 0 || depth >= int(rows.size())) return {};
  const auto& ids = rows[size_t(depth)].slices;
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
  if (track < 0 || track >= int(rows_.size())) return {};
  for (int d = int(rows_[size_t(track)].size()) - 1; d >= 0; --d) {
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
  const Track& tr = tracks()[size_t(track)];
  const std::vector<Row>& rows = rows_[size_t(track)];
  if (depth >= int(rows.size())) return;
  const Row& row = rows[size_t(depth)];
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
      add_piece(x0, trace::sub_saturating(s.end_ns, s.start_ns), s.name,
                trace::sub_saturating(s.end_ns, s.start_ns));
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
        add_piece(x0, trace::sub_saturating(s.end_ns, s.start_ns), s.name,
                  trace::sub_saturating(s.end_ns, s.start_ns));
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
  return trace::aggregate_ranges(slices_, t0, t1);
}

std::vector<char> TimelineIndex::names_matching(std::string_view needle) const {
  std::vector<char> mask(name_count(), 0);
  if (needle.empty()) return mask;
  auto lower = [](std::string_view s) {
    std::string out(s);
    for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  const std::string n = lower(needle);
  for (size_t i = 0; i < name_count(); ++i)
    mask[i] = lower(name(uint32_t(i))).find(n) != std::string::npos ? 1 : 0;
  return mask;
}

std::vector<SliceRef> TimelineIndex::find(std::string_view needle) const {
  const std::vector<char> mask = names_matching(needle);
  std::vector<SliceRef> out;
  const auto& all = tracks();
  for (int ti = 0; ti < int(all.size()); ++ti)
    for (int32_t i = 0; i < int32_t(all[size_t(ti)].slices.size()); ++i)
      if (mask[all[size_t(ti)].slices[size_t(i)].name]) out.push_back({ti, i});
  std::stable_sort(out.begin(), out.end(),
                   [&](SliceRef a, SliceRef b) { return slice(a).start_ns < slice(b).start_ns; });
  return out;
}

std::vector<SliceRef> TimelineIndex::slices_named(std::string_view name,
                                                  trace::TrackKind kind) const {
  std::vector<SliceRef> out;
  const auto& all = tracks();
  for (int ti = 0; ti < int(all.size()); ++ti) {
    if (all[size_t(ti)].kind != kind) continue;
    const auto& slices = all[size_t(ti)].slices;
    for (int32_t i = 0; i < int32_t(slices.size()); ++i)
      if (slices_.name(slices[size_t(i)].name) == name) out.push_back({ti, i});
  }
  std::stable_sort(out.begin(), out.end(),
                   [&](SliceRef a, SliceRef b) { return slice(a).start_ns < slice(b).start_ns; });
  return out;
}

}  // namespace worthit::viewer
