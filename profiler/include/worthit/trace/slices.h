// The one rule for turning a trace's events into slices, shared by
// `worthit profile`, `worthit report` and the viewer: 'X' events and matched
// 'B'/'E' pairs per (pid, tid), nested by start time, with self time and
// parent links, and one aggregation of them over a time range.
// docs/trace-schema.md, "Slices".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "worthit/trace/trace.h"

namespace worthit::trace {

enum class TrackKind { cpu, gpu };

struct Slice {
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  int64_t self_ns = 0;  // duration minus the slices nested directly inside
  uint32_t event = 0;   // index in Trace::events ('X' or the 'B' of a pair)
  uint32_t name = 0;    // interned name id (SliceIndex::name)
  int32_t parent = -1;  // slice index in the same track, -1 at the top
  uint16_t depth = 0;
};

// One CPU thread or GPU stream: a track is GPU when it holds GPU work
// (kernels, copies, memsets).
struct Track {
  int64_t pid = 0;
  int64_t tid = 0;
  std::string name;  // "process / thread", with "pid N" / "tid N" when unnamed
  TrackKind kind = TrackKind::cpu;
  std::vector<Slice> slices;  // by start, longer first on ties (parents before children)
};

struct SliceRef {
  int track = -1;
  int32_t slice = -1;
  bool valid() const { return track >= 0 && slice >= 0; }
  bool operator==(const SliceRef&) const = default;
};

// Pairing rules: an 'E' closes the innermost open 'B' of its thread (an 'E'
// with none open is skipped, a 'B' never closed is dropped: validate_trace
// reports both); an 'E' before its 'B' gives a zero-length slice; a negative
// duration counts as zero. A slice that outlives its parent (a malformed
// trace) still nests under it.
class SliceIndex {
 public:
  explicit SliceIndex(const Trace& trace);

  const Trace& trace() const { return *trace_; }
  // CPU tracks first, then GPU, each by (pid, tid); only tracks with slices.
  const std::vector<Track>& tracks() const { return tracks_; }
  const Slice& slice(SliceRef r) const { return tracks_[size_t(r.track)].slices[size_t(r.slice)]; }
  const Event& event(SliceRef r) const { return trace_->events[slice(r).event]; }
  const std::string& name(uint32_t id) const { return names_[id]; }
  size_t name_count() const { return names_.size(); }
  size_t slice_count() const { return slice_count_; }
  int64_t start_ns() const { return start_ns_; }  // first slice start (0 without slices)
  int64_t end_ns() const { return end_ns_; }      // last slice end
  int track_of(int64_t pid, int64_t tid) const;   // -1 when there is none

 private:
  const Trace* trace_;
  std::vector<Track> tracks_;
  std::vector<std::string> names_;
  size_t slice_count_ = 0;
  int64_t start_ns_ = 0;
  int64_t end_ns_ = 0;
};

// One name on one kind of track, aggregated over [t0, t1): slices are clipped
// to the range; a zero-length slice inside it still counts as a call.
struct RangeRow {
  std::string name;
  TrackKind kind = TrackKind::cpu;
  int64_t count = 0;
  int64_t total_ns = 0;
  int64_t self_ns = 0;
  int64_t min_ns = 0;
  int64_t max_ns = 0;
  double share = 0;  // total / range length
  SliceRef longest;  // the longest instance, to jump to
};
// Biggest total first (then by name).
std::vector<RangeRow> aggregate_ranges(const SliceIndex& index, int64_t t0, int64_t t1);

}  // namespace worthit::trace
