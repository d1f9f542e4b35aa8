// Timeline: time <-> x mapping, the index (tracks, depths, self time, flows),
// hit testing through the widget, range statistics, and the level-of-detail
// bound that keeps a frame O(pixels).
#include <QSignalSpy>
#include <QtTest>
#include <map>

#include "documents.h"
#include "gui_test_main.h"
#include "timeline_view.h"
#include "worthit/trace/analysis.h"

using namespace worthit;
using namespace worthit::viewer;

namespace {

constexpr int64_t us = 1000;

SliceRef find_slice(const TimelineIndex& index, const std::string& name) {
  for (int t = 0; t < int(index.tracks().size()); ++t)
    for (int32_t i = 0; i < int32_t(index.tracks()[size_t(t)].slices.size()); ++i)
      if (index.name(index.tracks()[size_t(t)].slices[size_t(i)].name) == name) return {t, i};
  return {};
}

// A flat thread of `n` slices of 1 us every 2 us.
trace::Trace flat_trace(int n) {
  trace::Trace t;
  t.events.reserve(size_t(n));
  for (int i = 0; i < n; ++i) {
    trace::Event e;
    e.name = i % 3 ? "op_a" : "op_b";
    e.phase = 'X';
    e.pid = 1;
    e.tid = 1;
    e.ts_ns = int64_t(i) * 2 * us;
    e.dur_ns = us;
    t.events.push_back(std::move(e));
  }
  return t;
}

}  // namespace

class TimelineTest : public QObject {
  Q_OBJECT
 private slots:
  void axis_maps_time_and_x_both_ways() {
    TimeAxis a{1000, 2.5};
    QCOMPARE(a.time_at(0), int64_t(1000));
    QCOMPARE(a.x_of(1000), 0.0);
    QCOMPARE(a.x_of(1250), 100.0);
    // Times are whole nanoseconds: the round trip is exact to half a nanosecond.
    for (double x : {0.0, 1.0, 333.0, 1999.0})
      QVERIFY(std::abs(a.x_of(a.time_at(x)) - x) <= 0.5 / a.ns_per_px + 1e-9);
    // Zooming keeps the time under the cursor where it is.
    const int64_t under = a.time_at(300);
    a.zoom_at(300, 4);
    QCOMPARE(a.ns_per_px, 2.5 / 4);
    QVERIFY(std::abs(a.time_at(300) - under) <= 1);
    a.zoom_at(300, 0.25);
    QCOMPARE(a.ns_per_px, 2.5);
    a.fit(5000, 15000, 1000);
    QCOMPARE(a.time_at(0), int64_t(5000));
    QCOMPARE(a.time_at(1000), int64_t(15000));
  }

  void index_builds_tracks_depths_and_self_time() {
    auto doc = open_trace(fixture("trace_worthit.json").toStdString());
    const TimelineIndex& index = *doc->index;
    QCOMPARE(index.tracks().size(), size_t(3));
    // CPU threads first, GPU streams last, named from the metadata.
    QCOMPARE(index.tracks()[0].name, std::string("sample / main"));
    QCOMPARE(index.tracks()[1].name, std::string("sample / loader"));
    QVERIFY(index.tracks()[2].kind == TrackKind::gpu);
    QCOMPARE(index.rows(0).size(), size_t(4));
    QCOMPARE(index.start_ns(), int64_t(0));
    QCOMPARE(index.end_ns(), 1000 * us);
    const Slice& forward = index.slice(find_slice(index, "forward"));
    QCOMPARE(int(forward.depth), 1);
    QCOMPARE(forward.self_ns, (590 - 280 - 270) * us);
    QCOMPARE(index.slice(find_slice(index, "step")).self_ns, (1000 - 590 - 370) * us);
    // 'B'/'E' pairs become slices; instants do not.
    const SliceRef io = find_slice(index, "io");
    QVERIFY(io.valid());
    QCOMPARE(index.slice(io).end_ns - index.slice(io).start_ns, 50 * us);
    QVERIFY(!find_slice(index, "mark").valid());
    QCOMPARE(index.slice_count(), size_t(11));
  }

  void flows_link_launches_to_kernels() {
    auto doc = open_trace(fixture("trace_worthit.json").toStdString());
    const TimelineIndex& index = *doc->index;
    QCOMPARE(index.flows().size(), size_t(2));
    const Flow& f = index.flows()[0];
    QCOMPARE(index.name(index.slice(f.from).name), std::string("cudaLaunchKernel"));
    QCOMPARE(index.name(index.slice(f.to).name), std::string("sgemm_kernel"));
    QCOMPARE(index.flows_of(f.to).size(), size_t(1));
    // torch.profiler's forward/backward links are not launch arrows.
    auto kineto = open_trace(fixture("trace_kineto.json").toStdString());
    QCOMPARE(kineto->index->flows().size(), size_t(2));
    QVERIFY(kineto->index->tracks().back().kind == TrackKind::gpu);
  }

  void slice_at_finds_slices_and_nearest_within_tolerance() {
    auto doc = open_trace(fixture("trace_worthit.json").toStdString());
    const TimelineIndex& index = *doc->index;
    const SliceRef matmul = find_slice(index, "matmul");
    QCOMPARE(index.slice_at(0, 2, 25 * us), matmul);
    QCOMPARE(index.slice_at(0, 2, 20 * us), matmul);
    QVERIFY(!index.slice_at(0, 2, 303 * us).valid());  // in the gap before gelu
    QCOMPARE(index.slice_at(0, 2, 303 * us, 5 * us), matmul);
    QVERIFY(!index.slice_at(0, 9, 25 * us).valid());
    QVERIFY(!index.slice_at(7, 0, 25 * us).valid());
    QCOMPARE(index.deepest_at(0, 35 * us), find_slice(index, "cudaLaunchKernel"));
  }

  void view_hit_testing_and_click_selection() {
    auto doc = open_trace(fixture("trace_worthit.json").toStdString());
    TimelineView view;
    view.resize(TimelineView::kLabelWidth + 1000, 400);
    view.set_index(doc->index.get());
    view.set_axis(TimeAxis{0, double(us)});  // 1 us per pixel
    QCOMPARE(view.time_at_widget_x(TimelineView::kLabelWidth + 100), 100 * us);
    QCOMPARE(view.widget_x_of(250 * us), double(TimelineView::kLabelWidth + 250));
    const int main_top = view.track_top(0);
    const QPoint on_matmul(TimelineView::kLabelWidth + 100,
                           main_top + 2 * TimelineView::kRowHeight + 5);
    QCOMPARE(view.hit_test(on_matmul), find_slice(*doc->index, "matmul"));
    QCOMPARE(view.hit_test(on_matmul + QPoint(0, -TimelineView::kRowHeight)),
             find_slice(*doc->index, "forward"));
    QVERIFY(!view.hit_test(QPoint(10, on_matmul.y())).valid());  // the label column
    QVERIFY(!view.hit_test(QPoint(on_matmul.x(), 5)).valid());   // the ruler
    const QPoint on_kernel(TimelineView::kLabelWidth + 150, view.track_top(2) + 5);
    QCOMPARE(view.hit_test(on_kernel), find_slice(*doc->index, "sgemm_kernel"));

    QSignalSpy spy(&view, &TimelineView::slice_selected);
    QTest::mouseClick(&view, Qt::LeftButton, {}, on_matmul);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(view.selection(), find_slice(*doc->index, "matmul"));
  }

  // A hot op's row selects all its calls: the others are drawn dimmed.
  void highlight_dims_everything_but_the_given_slices() {
    auto doc = open_trace(fixture("trace_worthit.json").toStdString());
    TimelineView view;
    view.resize(TimelineView::kLabelWidth + 1000, 400);
    view.set_index(doc->index.get());
    view.set_axis(TimeAxis{0, double(us)});
    const QPoint on_matmul(TimelineView::kLabelWidth + 100,
                           view.track_top(0) + 2 * TimelineView::kRowHeight + 5);
    const QPoint on_forward = on_matmul + QPoint(0, -TimelineView::kRowHeight);
    const QImage before = view.grab().toImage();
    view.set_highlight({find_slice(*doc->index, "matmul")});
    QCOMPARE(view.highlighted(), size_t(1));
    const QImage after = view.grab().toImage();
    QCOMPARE(after.pixel(on_matmul), before.pixel(on_matmul));     // kept
    QVERIFY(after.pixel(on_forward) != before.pixel(on_forward));  // dimmed
    view.set_search(QStringLiteral("step"));
    QCOMPARE(view.highlighted(), size_t(0));
  }

  void keys_zoom_about_the_centre_and_pan() {
    auto doc = open_trace(fixture("trace_worthit.json").toStdString());
    TimelineView view;
    view.resize(TimelineView::kLabelWidth + 1000, 400);
    view.set_index(doc->index.get());
    view.set_axis(TimeAxis{0, double(us)});
    const int64_t centre = view.axis().time_at(500);
    QTest::keyClick(&view, Qt::Key_W);
    QCOMPARE(view.axis().ns_per_px, us / 1.5);
    QVERIFY(std::abs(view.axis().time_at(500) - centre) <= 1);
    QTest::keyClick(&view, Qt::Key_S);
    QCOMPARE(view.axis().ns_per_px, double(us));
    QTest::keyClick(&view, Qt::Key_D);
    QCOMPARE(view.axis().start_ns, 125 * us);
    QTest::keyClick(&view, Qt::Key_0);
    QVERIFY(view.axis().start_ns < 0);  // fitted with a margin
  }

  void wheel_zooms_at_the_cursor() {
    auto doc = open_trace(fixture("trace_worthit.json").toStdString());
    TimelineView view;
    view.resize(TimelineView::kLabelWidth + 1000, 400);
    view.set_index(doc->index.get());
    view.set_axis(TimeAxis{0, double(us)});
    const QPointF at(TimelineView::kLabelWidth + 200, 100);
    const int64_t under = view.time_at_widget_x(int(at.x()));
    QWheelEvent wheel(at, view.mapToGlobal(at), QPoint(), QPoint(0, 120), Qt::NoButton,
                      Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(&view, &wheel);
    QVERIFY(view.axis().ns_per_px < us);
    QVERIFY(std::abs(view.time_at_widget_x(int(at.x())) - under) <= int64_t(us));
  }

  void drag_pans_and_shift_drag_selects_a_range() {
    auto doc = open_trace(fixture("trace_worthit.json").toStdString());
    TimelineView view;
    view.resize(TimelineView::kLabelWidth + 1000, 400);
    view.set_index(doc->index.get());
    view.set_axis(TimeAxis{0, double(us)});
    const QPoint a(TimelineView::kLabelWidth + 400, 200), b(TimelineView::kLabelWidth + 300, 200);
    QMouseEvent press(QEvent::MouseButtonPress, a, view.mapToGlobal(a), Qt::LeftButton,
                      Qt::LeftButton, Qt::NoModifier);
    QMouseEvent move(QEvent::MouseMove, b, view.mapToGlobal(b), Qt::NoButton, Qt::LeftButton,
                     Qt::NoModifier);
    QMouseEvent release(QEvent::MouseButtonRelease, b, view.mapToGlobal(b), Qt::LeftButton,
                        Qt::NoButton, Qt::NoModifier);
    QApplication::sendEvent(&view, &press);
    QApplication::sendEvent(&view, &move);
    QApplication::sendEvent(&view, &release);
    QCOMPARE(view.axis().start_ns, 100 * us);  // dragged 100 px left: 100 us later

    QSignalSpy spy(&view, &TimelineView::range_selected);
    QMouseEvent rpress(QEvent::MouseButtonPress, b, view.mapToGlobal(b), Qt::LeftButton,
                       Qt::LeftButton, Qt::ShiftModifier);
    QMouseEvent rmove(QEvent::MouseMove, a, view.mapToGlobal(a), Qt::NoButton, Qt::LeftButton,
                      Qt::ShiftModifier);
    QMouseEvent rrelease(QEvent::MouseButtonRelease, a, view.mapToGlobal(a), Qt::LeftButton,
                         Qt::NoButton, Qt::ShiftModifier);
    QApplication::sendEvent(&view, &rpress);
    QApplication::sendEvent(&view, &rmove);
    QApplication::sendEvent(&view, &rrelease);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy[0][0].toLongLong(), qint64(400 * us));
    QCOMPARE(spy[0][1].toLongLong(), qint64(500 * us));
  }

  void whole_range_statistics_match_the_trace_model() {
    auto doc = open_trace(fixture("trace_kineto.json").toStdString());
    const TimelineIndex& index = *doc->index;
    std::map<std::string, RangeRow> mine;
    for (const RangeRow& r : index.aggregate(index.start_ns(), index.end_ns()))
      if (r.kind == TrackKind::cpu) mine[r.name] = r;
    const auto theirs = trace::range_stats(doc->trace);
    QCOMPARE(mine.size(), theirs.size());
    for (const trace::RangeStat& s : theirs) {
      QVERIFY2(mine.count(s.name), s.name.c_str());
      const RangeRow& r = mine[s.name];
      QCOMPARE(r.count, s.count);
      QCOMPARE(r.total_ns, s.total_ns);
      QCOMPARE(r.self_ns, s.self_ns);
      QCOMPARE(r.min_ns, s.min_ns);
      QCOMPARE(r.max_ns, s.max_ns);
    }
  }

  void range_statistics_clip_to_the_range() {
    auto doc = open_trace(fixture("trace_worthit.json").toStdString());
    std::map<std::string, RangeRow> rows;
    for (const RangeRow& r : doc->index->aggregate(100 * us, 200 * us)) rows[r.name] = r;
    QCOMPARE(rows["forward"].total_ns, 100 * us);
    QCOMPARE(rows["forward"].self_ns, int64_t(0));  // matmul covers it all
    QCOMPARE(rows["matmul"].self_ns, 100 * us);
    QCOMPARE(rows["sgemm_kernel"].total_ns, 100 * us);
    QCOMPARE(rows["sgemm_kernel"].kind, TrackKind::gpu);
    QCOMPARE(rows["step"].share, 1.0);
    QVERIFY(!rows.count("backward"));
  }

  void search_matches_names_case_insensitively() {
    auto doc = open_trace(fixture("trace_worthit.json").toStdString());
    const auto hits = doc->index->find("KERNEL");
    QCOMPARE(hits.size(), size_t(4));  // 2 launches, 2 kernels
    TimelineView view;
    view.set_index(doc->index.get());
    view.set_search(QStringLiteral("gemm"));
    QCOMPARE(view.search_hits(), 1);
    view.next_search_hit(1);
    QCOMPARE(view.selection(), find_slice(*doc->index, "sgemm_kernel"));
  }

  void a_statistics_row_names_exactly_its_slices() {
    auto doc = open_trace(fixture("trace_worthit.json").toStdString());
    const auto kernels = doc->index->slices_named("sgemm_kernel", TrackKind::gpu);
    QCOMPARE(kernels.size(), size_t(1));
    QCOMPARE(kernels[0], find_slice(*doc->index, "sgemm_kernel"));
    QVERIFY(doc->index->slices_named("sgemm_kernel", TrackKind::cpu).empty());  // other kind
    QVERIFY(doc->index->slices_named("gemm", TrackKind::gpu).empty());  // not a substring search
    TimelineView view;
    view.set_index(doc->index.get());
    view.set_highlight(doc->index->slices_named("matmul", TrackKind::cpu));
    QCOMPARE(view.highlighted(), doc->index->find("matmul").size());
  }

  void full_zoom_out_draws_o_pixels_spans() {
    const trace::Trace t = flat_trace(200000);
    const TimelineIndex index(t);
    QVERIFY(index.rows(0)[0].levels.size() > 3);
    std::vector<Span> spans;
    TimeAxis axis;
    axis.fit(index.start_ns(), index.end_ns(), 1000);
    index.row_spans(0, 0, axis, 1000, spans);
    QVERIFY2(spans.size() <= 2000, qPrintable(QString::number(spans.size())));
    QVERIFY(!spans.empty());
    // Half the time is covered; the summaries must say so.
    double covered = 0;
    for (const Span& s : spans) covered += (s.x1 - s.x0) * s.coverage;
    QVERIFY2(covered > 400 && covered < 600, qPrintable(QString::number(covered)));
    // Zoomed in to 100 ns per pixel: every visible slice is its own span.
    axis = TimeAxis{1000 * us, 100};
    spans.clear();
    index.row_spans(0, 0, axis, 999, spans);
    QCOMPARE(spans.size(), size_t(50));  // 99.9 us shown, one slice every 2 us
    for (const Span& s : spans) QVERIFY(s.slice >= 0);
  }
};

WORTHIT_GUI_TEST_MAIN(TimelineTest)
#include "tst_timeline.moc"
