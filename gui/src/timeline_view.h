// The timeline: one track per process/thread and GPU stream, nested slices
// stacked by depth, a time ruler, zoom (wheel, keys) and pan (drag),
// selection, flow arrows, search highlighting and time-range selection.
// What to draw comes from TimelineIndex::row_spans, so a frame is O(pixels).
#pragma once

#include <QWidget>
#include <optional>
#include <unordered_set>
#include <utility>
#include <vector>

#include "timeline_index.h"

namespace worthit::viewer {

class TimelineView : public QWidget {
  Q_OBJECT
 public:
  static constexpr int kLabelWidth = 220;
  static constexpr int kRulerHeight = 26;
  static constexpr int kRowHeight = 18;
  static constexpr int kTrackGap = 8;

  explicit TimelineView(QWidget* parent = nullptr);
  void set_index(const TimelineIndex* index);  // nullptr: empty
  const TimelineIndex* index() const { return index_; }

  // The mapping of the plot area (x = 0 is the left edge of the plot, which
  // starts kLabelWidth pixels into the widget).
  const TimeAxis& axis() const { return axis_; }
  void set_axis(const TimeAxis& a);
  double plot_width() const { return std::max(1, width() - kLabelWidth); }
  int64_t time_at_widget_x(int x) const { return axis_.time_at(x - kLabelWidth); }
  double widget_x_of(int64_t t) const { return kLabelWidth + axis_.x_of(t); }

  void zoom_to_fit();
  void zoom_to(int64_t t0, int64_t t1);
  // The slice under a widget position, or an invalid ref.
  SliceRef hit_test(QPoint p) const;
  // Top of a track's first row, in widget coordinates.
  int track_top(int track) const;

  SliceRef selection() const { return selection_; }
  void select(SliceRef r, bool reveal = true);
  std::optional<std::pair<int64_t, int64_t>> selected_range() const { return range_; }
  void set_selected_range(std::optional<std::pair<int64_t, int64_t>> range);
  void set_search(const QString& text);
  // Dims everything but these slices (a hot op's calls); empty: none. A
  // search clears it.
  void set_highlight(const std::vector<SliceRef>& slices);
  size_t highlighted() const { return highlight_.size(); }
  int search_hits() const { return search_hits_; }
  void next_search_hit(int step);

  // Draws one frame of size `size` (used by paintEvent and the benchmark).
  void paint_frame(QPainter& p, QSize size) const;

 signals:
  void slice_selected(worthit::viewer::SliceRef r);
  void range_selected(qint64 t0, qint64 t1);
  void range_cleared();

 protected:
  void paintEvent(QPaintEvent*) override;
  void wheelEvent(QWheelEvent* e) override;
  void mousePressEvent(QMouseEvent* e) override;
  void mouseMoveEvent(QMouseEvent* e) override;
  void mouseReleaseEvent(QMouseEvent* e) override;
  void mouseDoubleClickEvent(QMouseEvent* e) override;
  void keyPressEvent(QKeyEvent* e) override;
  void resizeEvent(QResizeEvent* e) override;

 private:
  void layout_tracks();
  void scroll_by(int dy);
  void draw_ruler(QPainter& p, QSize size) const;
  void draw_flows(QPainter& p, QSize size) const;
  QPointF anchor(SliceRef r, int64_t t) const;

  const TimelineIndex* index_ = nullptr;
  TimeAxis axis_;
  std::vector<int> track_top_;  // content y of each track's first row
  int content_height_ = 0;
  int scroll_y_ = 0;
  SliceRef selection_;
  std::optional<std::pair<int64_t, int64_t>> range_;
  std::vector<char> search_mask_;
  std::unordered_set<uint64_t> highlight_;  // (track << 32) | slice
  std::vector<char> highlight_names_;       // names of highlighted slices, for merged pixels
  std::vector<SliceRef> search_results_;
  int search_hits_ = 0;
  int search_pos_ = -1;
  bool fitted_ = false;
  // Mouse gesture state.
  QPoint press_pos_;
  bool dragging_ = false;
  bool range_drag_ = false;
  TimeAxis press_axis_;
  int press_scroll_ = 0;
  mutable std::vector<Span> spans_;  // reused between frames
};

}  // namespace worthit::viewer
