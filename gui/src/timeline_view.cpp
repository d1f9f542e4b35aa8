#include "timeline_view.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>

namespace worthit::viewer {

namespace {

QColor name_color(uint32_t name, bool dim) {
  // Golden-angle hues keep neighbouring ids apart.
  const int hue = int((name * 137u) % 360u);
  return dim ? QColor::fromHsv(hue, 25, 215) : QColor::fromHsv(hue, 120, 225);
}

}  // namespace

TimelineView::TimelineView(QWidget* parent) : QWidget(parent) {
  setFocusPolicy(Qt::StrongFocus);
  setMouseTracking(false);
  setMinimumSize(400, 200);
  setAttribute(Qt::WA_OpaquePaintEvent);
}

void TimelineView::set_index(const TimelineIndex* index) {
  index_ = index;
  selection_ = {};
  range_.reset();
  search_mask_.clear();
  highlight_.clear();
  highlight_names_.clear();
  search_results_.clear();
  search_hits_ = 0;
  scroll_y_ = 0;
  fitted_ = false;
  layout_tracks();
  zoom_to_fit();
}

void TimelineView::layout_tracks() {
  track_top_.clear();
  int y = 0;
  if (index_) {
    for (int i = 0; i < int(index_->tracks().size()); ++i) {
      track_top_.push_back(y + kTrackGap);
      y += kTrackGap + kRowHeight * int(std::max<size_t>(index_->rows(i).size(), 1));
    }
  }
  content_height_ = y + kTrackGap;
}

int TimelineView::track_top(int track) const {
  return kRulerHeight + track_top_[size_t(track)] - scroll_y_;
}

void TimelineView::set_axis(const TimeAxis& a) {
  fitted_ = false;
  axis_ = a;
  update();
}

void TimelineView::zoom_to_fit() {
  if (!index_) return;
  const int64_t span = std::max<int64_t>(index_->end_ns() - index_->start_ns(), 1);
  // A small margin so the first and last slices are not under the edges.
  const int64_t margin = span / 50;
  axis_.fit(index_->start_ns() - margin, index_->end_ns() + margin, plot_width());
  fitted_ = true;
  update();
}

void TimelineView::zoom_to(int64_t t0, int64_t t1) {
  fitted_ = false;
  const int64_t span = std::max<int64_t>(t1 - t0, 100);
  axis_.fit(t0 - span / 10, t0 + span + span / 10, plot_width());
  update();
}

void TimelineView::resizeEvent(QResizeEvent*) {
  // Until the user zooms or pans, the whole trace keeps fitting the width.
  if (fitted_) zoom_to_fit();
}

SliceRef TimelineView::hit_test(QPoint p) const {
  if (!index_ || p.x() < kLabelWidth || p.y() < kRulerHeight) return {};
  const int y = p.y() - kRulerHeight + scroll_y_;
  // The last track whose first row starts above y.
  auto it = std::upper_bound(track_top_.begin(), track_top_.end(), y);
  if (it == track_top_.begin()) return {};
  const int track = int(it - track_top_.begin()) - 1;
  const int depth = (y - track_top_[size_t(track)]) / kRowHeight;
  if (depth >= int(index_->rows(track).size())) return {};
  const int64_t t = time_at_widget_x(p.x());
  // Three pixels of slack keep sub-pixel slices clickable.
  return index_->slice_at(track, depth, t, int64_t(std::ceil(3 * axis_.ns_per_px)));
}

void TimelineView::select(SliceRef r, bool reveal) {
  selection_ = r;
  if (r.valid() && reveal && index_) {
    const Slice& s = index_->slice(r);
    const double x0 = axis_.x_of(s.start_ns), x1 = axis_.x_of(s.end_ns);
    if (x1 < 0 || x0 > plot_width() || x1 - x0 < 2) zoom_to(s.start_ns, s.end_ns);
    const int top = track_top_[size_t(r.track)] + s.depth * kRowHeight;
    const int visible = height() - kRulerHeight;
    if (top < scroll_y_ || top + kRowHeight > scroll_y_ + visible)
      scroll_by(top - scroll_y_ - visible / 3);
  }
  update();
  emit slice_selected(r);
}

void TimelineView::set_selected_range(std::optional<std::pair<int64_t, int64_t>> range) {
  range_ = range;
  update();
}

void TimelineView::set_search(const QString& text) {
  if (!index_) return;
  const std::string needle = text.toStdString();
  search_mask_ = needle.empty() ? std::vector<char>{} : index_->names_matching(needle);
  highlight_.clear();
  highlight_names_.clear();
  search_results_ = needle.empty() ? std::vector<SliceRef>{} : index_->find(needle);
  search_hits_ = int(search_results_.size());
  search_pos_ = -1;
  update();
}

void TimelineView::set_highlight(const std::vector<SliceRef>& slices) {
  highlight_.clear();
  highlight_names_.clear();
  if (index_ && !slices.empty()) {
    highlight_names_.assign(index_->name_count(), 0);
    for (SliceRef r : slices) {
      if (!r.valid()) continue;
      highlight_.insert((uint64_t(uint32_t(r.track)) << 32) | uint32_t(r.slice));
      highlight_names_[index_->slice(r).name] = 1;
    }
  }
  update();
}

void TimelineView::next_search_hit(int step) {
  if (search_results_.empty()) return;
  const int n = int(search_results_.size());
  search_pos_ = ((search_pos_ + step) % n + n) % n;
  select(search_results_[size_t(search_pos_)]);
}

void TimelineView::scroll_by(int dy) {
  const int max_scroll = std::max(0, content_height_ - (height() - kRulerHeight));
  scroll_y_ = std::clamp(scroll_y_ + dy, 0, max_scroll);
  update();
}

void TimelineView::paintEvent(QPaintEvent*) {
  QPainter p(this);
  paint_frame(p, size());
}

void TimelineView::paint_frame(QPainter& p, QSize size) const {
  p.fillRect(QRect(QPoint(0, 0), size), QColor(0xfb, 0xfb, 0xfb));
  if (!index_) {
    p.setPen(Qt::darkGray);
    p.drawText(QRect(QPoint(0, 0), size), Qt::AlignCenter,
               QStringLiteral("Open a trace (File > Open, or drop a file here)"));
    return;
  }
  const double plot_w = std::max(1, size.width() - kLabelWidth);
  const QFontMetrics fm(p.font());
  const bool searching = !search_mask_.empty();
  p.save();
  p.setClipRect(QRect(0, kRulerHeight, size.width(), size.height() - kRulerHeight));
  for (int ti = 0; ti < int(index_->tracks().size()); ++ti) {
    const Track& track = index_->tracks()[size_t(ti)];
    const int top = kRulerHeight + track_top_[size_t(ti)] - scroll_y_;
    const int rows = int(std::max<size_t>(index_->rows(ti).size(), 1));
    if (top > size.height() || top + rows * kRowHeight < kRulerHeight) continue;
    const QColor band = track.kind == TrackKind::gpu ? QColor(0xee, 0xf3, 0xfa) : QColor(Qt::white);
    p.fillRect(QRect(kLabelWidth, top, size.width() - kLabelWidth, rows * kRowHeight), band);
    p.setPen(QColor(0xdd, 0xdd, 0xdd));
    p.drawLine(0, top - kTrackGap / 2, size.width(), top - kTrackGap / 2);
    for (int d = 0; d < int(index_->rows(ti).size()); ++d) {
      const int y = top + d * kRowHeight;
      if (y > size.height() || y + kRowHeight < kRulerHeight) continue;
      spans_.clear();
      index_->row_spans(ti, d, axis_, plot_w, spans_);
      for (const Span& s : spans_) {
        const double x0 = std::max(s.x0, -1.0), x1 = std::min(s.x1, plot_w + 1);
        if (x1 < 0 || x0 > plot_w) continue;
        bool dim = searching && !search_mask_[s.name];
        if (!highlight_.empty())
          dim = s.slice >= 0 ? !highlight_.count((uint64_t(uint32_t(ti)) << 32) | uint32_t(s.slice))
                             : !highlight_names_[s.name];
        QColor c = name_color(s.name, dim);
        if (s.slice < 0) c.setAlphaF(0.35f + 0.65f * s.coverage);
        const QRectF r(kLabelWidth + x0, y + 1, std::max(x1 - x0, 1.0), kRowHeight - 2);
        p.fillRect(r, c);
        if (s.slice >= 0 && r.width() > 28) {
          p.setPen(dim ? QColor(0x99, 0x99, 0x99) : QColor(0x20, 0x20, 0x20));
          const QString label = fm.elidedText(QString::fromStdString(index_->name(s.name)),
                                              Qt::ElideRight, int(r.width()) - 4);
          p.drawText(r.adjusted(2, 0, -2, 0), Qt::AlignVCenter | Qt::AlignLeft, label);
        }
      }
    }
    // Track label.
    p.fillRect(QRect(0, top - kTrackGap / 2 + 1, kLabelWidth, rows * kRowHeight + kTrackGap - 1),
               track.kind == TrackKind::gpu ? QColor(0xe4, 0xec, 0xf7) : QColor(0xf0, 0xf0, 0xf0));
    p.setPen(QColor(0x30, 0x30, 0x30));
    const QString label = (track.kind == TrackKind::gpu ? QStringLiteral("GPU  ") : QString()) +
                          QString::fromStdString(track.name);
    p.drawText(QRect(6, top, kLabelWidth - 10, kRowHeight), Qt::AlignVCenter | Qt::AlignLeft,
               fm.elidedText(label, Qt::ElideMiddle, kLabelWidth - 10));
  }
  // Selection outline.
  if (selection_.valid()) {
    const Slice& s = index_->slice(selection_);
    const int y =
        kRulerHeight + track_top_[size_t(selection_.track)] - scroll_y_ + s.depth * kRowHeight;
    const double x0 = kLabelWidth + axis_.x_of(s.start_ns);
    const double x1 = kLabelWidth + axis_.x_of(s.end_ns);
    p.setPen(QPen(Qt::black, 2));
    p.setBrush(Qt::NoBrush);
    p.drawRect(QRectF(x0, y + 1, std::max(x1 - x0, 2.0), kRowHeight - 2));
  }
  draw_flows(p, size);
  p.restore();
  // Selected time range.
  if (range_) {
    const double x0 = kLabelWidth + axis_.x_of(range_->first);
    const double x1 = kLabelWidth + axis_.x_of(range_->second);
    p.fillRect(QRectF(x0, kRulerHeight, x1 - x0, size.height() - kRulerHeight),
               QColor(0x30, 0x70, 0xd0, 40));
    p.setPen(QColor(0x30, 0x70, 0xd0));
    p.drawLine(QPointF(x0, kRulerHeight), QPointF(x0, size.height()));
    p.drawLine(QPointF(x1, kRulerHeight), QPointF(x1, size.height()));
  }
  draw_ruler(p, size);
}

void TimelineView::draw_ruler(QPainter& p, QSize size) const {
  p.fillRect(QRect(0, 0, size.width(), kRulerHeight), QColor(0xf4, 0xf4, 0xf4));
  p.setPen(QColor(0xbb, 0xbb, 0xbb));
  p.drawLine(0, kRulerHeight - 1, size.width(), kRulerHeight - 1);
  const double plot_w = std::max(1, size.width() - kLabelWidth);
  // A tick every 1, 2 or 5 x 10^k ns, about every 100 pixels.
  const double target = axis_.ns_per_px * 100;
  double step = std::pow(10.0, std::floor(std::log10(std::max(target, 1.0))));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (step * m >= target) {
      step *= m;
      break;
    }
  const int64_t origin = index_->start_ns();
  const double first = std::ceil(double(axis_.time_at(0) - origin) / step) * step;
  p.setPen(QColor(0x50, 0x50, 0x50));
  for (double rel = first;; rel += step) {
    const double x = axis_.x_of(origin + int64_t(rel));
    if (x > plot_w) break;
    p.drawLine(QPointF(kLabelWidth + x, kRulerHeight - 7),
               QPointF(kLabelWidth + x, kRulerHeight - 1));
    p.drawText(QPointF(kLabelWidth + x + 3, kRulerHeight - 9),
               QString::fromStdString(format_duration(int64_t(rel))));
  }
  p.drawText(QRect(6, 0, kLabelWidth - 10, kRulerHeight), Qt::AlignVCenter | Qt::AlignLeft,
             QStringLiteral("%1 / px").arg(
                 QString::fromStdString(format_duration(int64_t(std::max(1.0, axis_.ns_per_px))))));
}

QPointF TimelineView::anchor(SliceRef r, int64_t t) const {
  const Slice& s = index_->slice(r);
  const int y = kRulerHeight + track_top_[size_t(r.track)] - scroll_y_ + s.depth * kRowHeight;
  return {kLabelWidth + axis_.x_of(t), y + kRowHeight / 2.0};
}

void TimelineView::draw_flows(QPainter& p, QSize size) const {
  const auto& flows = index_->flows();
  if (flows.empty()) return;
  std::vector<const Flow*> shown;
  if (selection_.valid()) shown = index_->flows_of(selection_);
  // All arrows in view when there are few enough to read.
  const int64_t ta = axis_.time_at(0), tb = axis_.time_at(size.width() - kLabelWidth);
  auto lo = std::lower_bound(flows.begin(), flows.end(), ta,
                             [](const Flow& f, int64_t t) { return f.from_ns < t; });
  auto hi = std::upper_bound(flows.begin(), flows.end(), tb,
                             [](int64_t t, const Flow& f) { return t < f.from_ns; });
  if (hi - lo <= 200)
    for (auto it = lo; it != hi; ++it) shown.push_back(&*it);
  p.setRenderHint(QPainter::Antialiasing, true);
  for (const Flow* f : shown) {
    const QPointF a = anchor(f->from, f->from_ns), b = anchor(f->to, f->to_ns);
    const bool selected = f->from == selection_ || f->to == selection_;
    const QColor c = selected ? QColor(0xd0, 0x30, 0x30) : QColor(0x40, 0x40, 0x40, 150);
    QPainterPath path(a);
    path.cubicTo(a + QPointF(0, (b.y() - a.y()) / 2), b - QPointF(0, (b.y() - a.y()) / 2), b);
    p.setPen(QPen(c, selected ? 2 : 1));
    p.setBrush(Qt::NoBrush);
    p.drawPath(path);
    const double dir = b.y() >= a.y() ? -1 : 1;
    QPolygonF head;
    head << b << b + QPointF(-4, dir * 7) << b + QPointF(4, dir * 7);
    p.setBrush(c);
    p.drawPolygon(head);
  }
  p.setRenderHint(QPainter::Antialiasing, false);
}

void TimelineView::wheelEvent(QWheelEvent* e) {
  const double delta = e->angleDelta().y();
  if (e->modifiers() & Qt::ShiftModifier) {
    scroll_by(int(-delta / 2));
  } else {
    axis_.zoom_at(e->position().x() - kLabelWidth, std::pow(1.0015, delta));
    fitted_ = false;
    update();
  }
  e->accept();
}

void TimelineView::mousePressEvent(QMouseEvent* e) {
  press_pos_ = e->pos();
  press_axis_ = axis_;
  press_scroll_ = scroll_y_;
  dragging_ = false;
  range_drag_ = e->button() == Qt::RightButton ||
                (e->button() == Qt::LeftButton && (e->modifiers() & Qt::ShiftModifier));
  setFocus();
}

void TimelineView::mouseMoveEvent(QMouseEvent* e) {
  const QPoint d = e->pos() - press_pos_;
  if (!dragging_ && d.manhattanLength() < 4) return;
  dragging_ = true;
  if (range_drag_) {
    int64_t a = time_at_widget_x(press_pos_.x()), b = time_at_widget_x(e->pos().x());
    if (a > b) std::swap(a, b);
    range_ = std::make_pair(a, b);
  } else {
    axis_ = press_axis_;
    axis_.start_ns = press_axis_.time_at(-d.x());
    fitted_ = false;
    scroll_y_ = press_scroll_;
    scroll_by(-d.y());
  }
  update();
}

void TimelineView::mouseReleaseEvent(QMouseEvent* e) {
  if (dragging_ && range_drag_ && range_) {
    emit range_selected(range_->first, range_->second);
  } else if (!dragging_ && e->button() == Qt::LeftButton) {
    select(hit_test(e->pos()), false);
  } else if (!dragging_ && e->button() == Qt::RightButton && range_) {
    range_.reset();
    update();
    emit range_cleared();
  }
  dragging_ = false;
}

void TimelineView::mouseDoubleClickEvent(QMouseEvent* e) {
  const SliceRef r = hit_test(e->pos());
  if (r.valid()) zoom_to(index_->slice(r).start_ns, index_->slice(r).end_ns);
}

void TimelineView::keyPressEvent(QKeyEvent* e) {
  const double mid = plot_width() / 2;
  switch (e->key()) {
    case Qt::Key_W:
    case Qt::Key_Plus:
    case Qt::Key_Equal:
      axis_.zoom_at(mid, 1.5);
      break;
    case Qt::Key_S:
    case Qt::Key_Minus:
      axis_.zoom_at(mid, 1 / 1.5);
      break;
    case Qt::Key_A:
    case Qt::Key_Left:
      axis_.start_ns = axis_.time_at(-plot_width() / 8);
      break;
    case Qt::Key_D:
    case Qt::Key_Right:
      axis_.start_ns = axis_.time_at(plot_width() / 8);
      break;
    case Qt::Key_Up:
      scroll_by(-kRowHeight * 3);
      return;
    case Qt::Key_Down:
      scroll_by(kRowHeight * 3);
      return;
    case Qt::Key_Home:
    case Qt::Key_0:
      zoom_to_fit();
      return;
    case Qt::Key_Escape:
      range_.reset();
      emit range_cleared();
      break;
    default:
      QWidget::keyPressEvent(e);
      return;
  }
  update();
}

}  // namespace worthit::viewer
