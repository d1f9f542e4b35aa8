// The timeline's index over a trace: the trace library's tracks and slices
// (worthit/trace/slices.h) stacked into rows by nesting depth, level-of-detail
// summaries, flows, hit testing and range statistics. Plain C++ (no Qt) so the
// viewer, its benchmark and its tests share one implementation of what is drawn.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "worthit/trace/format.h"
#include "worthit/trace/slices.h"
#include "worthit/trace/trace.h"

namespace worthit::viewer {

// Maps time to the x coordinate of the plot area and back.
struct TimeAxis {
  int64_t start_ns = 0;  // time at x = 0
  double ns_per_px = 1;

  double x_of(int64_t t) const { return double(t - start_ns) / ns_per_px; }
  int64_t time_at(double x) const;
  // Zooms by `factor` (> 1 zooms in) keeping the time under `x` where it is.
  void zoom_at(double x, double factor);
  // Shows [t0, t1] across `width` pixels.
  void fit(int64_t t0, int64_t t1, double width);
};

using trace::format_duration;
using trace::RangeRow;
using trace::Slice;
using trace::SliceRef;
using trace::Track;
using trace::TrackKind;

// Level-of-detail summary of one row at one bucket width: slices shorter than
// the width are summed into buckets; longer ones are listed, and since slices
// of a row never overlap there are at most span / width of them.
struct LodBucket {
  int64_t index = 0;       // (time - row origin) / width
  int64_t covered_ns = 0;  // time covered by short slices in this bucket
  uint32_t name = 0;       // name of the longest contributor
  int64_t longest_ns = 0;
};
struct LodLevel {
  int64_t width_ns = 1;
  std::vector<LodBucket> buckets;     // by index
  std::vector<uint32_t> long_slices;  // slice indices with duration >= width, by start
};

struct Row {
  std::vector<uint32_t> slices;  // slice indices of this depth, by start (never overlapping)
  int64_t origin_ns = 0;
  std::vector<LodLevel> levels;  // bucket widths grow by 4
};

// A CPU launch -> GPU work arrow ('s'/'f' events with the same id).
struct Flow {
  uint64_t id = 0;
  SliceRef from, to;
  int64_t from_ns = 0, to_ns = 0;
};

// What one row draws in one frame: a slice, or several merged into a pixel.
struct Span {
  double x0 = 0, x1 = 0;
  uint32_t name = 0;
  float coverage = 1;  // share of the span's time covered by slices
  int32_t slice = -1;  // the slice when the span is exactly one, else -1
};

class TimelineIndex {
 public:
  explicit TimelineIndex(const trace::Trace& trace);

  const trace::Trace& trace() const { return slices_.trace(); }
  // The trace library's slices (worthit/trace/slices.h): what is drawn is
  // exactly what profile and report analyse.
  const trace::SliceIndex& slices() const { return slices_; }
  const std::vector<Track>& tracks() const { return slices_.tracks(); }
  // Per track, one row per nesting depth.
  const std::vector<Row>& rows(int track) const { return rows_[size_t(track)]; }
  const Slice& slice(SliceRef r) const { return slices_.slice(r); }
  const std::string& name(uint32_t id) const { return slices_.name(id); }
  size_t name_count() const { return slices_.name_count(); }
  size_t slice_count() const { return slices_.slice_count(); }
  int64_t start_ns() const { return slices_.start_ns(); }
  int64_t end_ns() const { return slices_.end_ns(); }

  // The slice of `track` at `depth` that contains `t`, or the nearest one
  // within `tolerance_ns` (so thin slices stay clickable); invalid when none.
  SliceRef slice_at(int track, int depth, int64_t t, int64_t tolerance_ns = 0) const;
  // The deepest slice of `track` containing `t`.
  SliceRef deepest_at(int track, int64_t t) const;

  // The spans that draw `depth` of `track` between x = 0 and x = width_px.
  // O(width_px) whatever the number of slices (level-of-detail summaries).
  void row_spans(int track, int depth, const TimeAxis& axis, double width_px,
                 std::vector<Span>& out) const;

  // Names aggregated over [t0, t1), biggest total first (trace::aggregate_ranges).
  std::vector<RangeRow> aggregate(int64_t t0, int64_t t1) const;

  // Per name id: whether the name contains `needle` (case-insensitive).
  std::vector<char> names_matching(std::string_view needle) const;
  // Matching slices in time order across tracks.
  std::vector<SliceRef> find(std::string_view needle) const;
  // The slices named exactly `name` on tracks of `kind` (a Statistics row's), in time order.
  std::vector<SliceRef> slices_named(std::string_view name, trace::TrackKind kind) const;

  const std::vector<Flow>& flows() const { return flows_; }
  std::vector<const Flow*> flows_of(SliceRef r) const;

  int track_of(int64_t pid, int64_t tid) const { return slices_.track_of(pid, tid); }

 private:
  void build_rows(const Track& t, std::vector<Row>& rows);
  void build_flows();

  trace::SliceIndex slices_;
  std::vector<std::vector<Row>> rows_;  // per track
  std::vector<Flow> flows_;
  std::unordered_multimap<uint64_t, size_t> flow_by_slice_;
};

}  // namespace worthit::viewer
