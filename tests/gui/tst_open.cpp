// Opening each file kind through the window, as File > Open and the command
// line do; malformed files give a message with the file and the byte offset
// and leave what was open untouched; the report reader agrees with the writer.
#include <QMimeData>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTextBrowser>
#include <QtTest>

#include "bottlenecks_model.h"
#include "candidates_model.h"
#include "compare_view.h"
#include "documents.h"
#include "fleet_view.h"
#include "gui_test_main.h"
#include "main_window.h"
#include "report_reader.h"
#include "report_view.h"
#include "stats_view.h"
#include "timeline_view.h"
#include "worthit/reports/fleet_writers.h"
#include "worthit/reports/policy.h"
#include "worthit/reports/report_writers.h"
#include "worthit/results/file_io.h"
#include "worthit/results/results_json.h"

using namespace worthit;
using namespace worthit::viewer;

class OpenTest : public QObject {
  Q_OBJECT
 private slots:
  void detects_each_kind() {
    QCOMPARE(detect_file_kind(fixture("trace_worthit.json").toStdString()), FileKind::trace);
    QCOMPARE(detect_file_kind(fixture("trace_kineto.json").toStdString()), FileKind::trace);
    QCOMPARE(detect_file_kind(fixture("results_base.json").toStdString()), FileKind::results);
    QCOMPARE(detect_file_kind(fixture("report.json").toStdString()), FileKind::report);
    QVERIFY_THROWS_EXCEPTION(worthit::FileError,
                             detect_file_kind(fixture("not_worthit.json").toStdString()));
  }

  void opens_a_worthit_trace() {
    MainWindow w(false);
    QString error;
    QVERIFY2(w.open_file(fixture("trace_worthit.json"), &error), qPrintable(error));
    QVERIFY(w.trace_document());
    QCOMPARE(w.timeline()->index()->tracks().size(), size_t(3));
    QVERIFY(w.bottlenecks()->rowCount() > 0);
  }

  void opens_a_torch_profiler_trace() {
    MainWindow w(false);
    QString error;
    QVERIFY2(w.open_file(fixture("trace_kineto.json"), &error), qPrintable(error));
    QCOMPARE(w.timeline()->index()->tracks().size(), size_t(2));
    QCOMPARE(w.timeline()->index()->tracks()[0].name,
             std::string("python3 / thread 11745 (python3)"));
    QCOMPARE(w.timeline()->index()->flows().size(), size_t(2));
  }

  void opens_results_as_a_decided_report() {
    MainWindow w(false);
    QString error;
    QVERIFY2(w.open_file(fixture("results_base.json"), &error), qPrintable(error));
    QCOMPARE(w.report()->card_count(), 1);
    QVERIFY(w.report()->has_roofline());  // the fixture has a calibration
    QCOMPARE(w.report()->candidates_model()->rowCount(), 4);
  }

  void opens_a_report_and_finds_its_results_for_the_roofline() {
    MainWindow w(false);
    QString error;
    QVERIFY2(w.open_file(fixture("report.json"), &error), qPrintable(error));
    QCOMPARE(w.report()->card_count(), 1);
    QVERIFY(w.report()->has_roofline());
  }

  void two_results_files_are_compared() {
    MainWindow w(false);
    QString error;
    QVERIFY2(w.open_file(fixture("results_base.json"), &error), qPrintable(error));
    QCOMPARE(w.compare()->model()->rowCount(), 0);
    QVERIFY2(w.open_file(fixture("results_new.json"), &error), qPrintable(error));
    QCOMPARE(w.compare()->model()->rowCount(), 8);
    QVERIFY(w.compare()->model()->comparison().regression);
  }

  void report_reader_reads_what_the_writer_writes() {
    // Round trip through the reports' own writer, so the reader follows the
    // schema as it is written today.
    reports::DecisionInputs inputs;
    inputs.source_root = WORTHIT_SOURCE_DIR;
    const reports::Report decided =
        reports::decide(read_results(fixture("results_base.json").toStdString()), inputs,
                        reports::default_policy());
    const reports::Report read = report_from_json(reports::report_to_json(decided));
    QCOMPARE(read.decisions.size(), decided.decisions.size());
    for (size_t i = 0; i < read.decisions.size(); ++i) {
      const auto& r = read.decisions[i];
      const auto& d = decided.decisions[i];
      QCOMPARE(r.workload, d.workload);
      QCOMPARE(r.size, d.size);
      QCOMPARE(r.verdict, d.verdict);
      QCOMPARE(r.reasons, d.reasons);
      QCOMPARE(r.candidates.size(), d.candidates.size());
      QCOMPARE(r.candidates[0].candidate, d.candidates[0].candidate);
      QCOMPARE(r.candidates[0].median_ns, d.candidates[0].median_ns);
      QCOMPARE(r.candidates[0].ci_high_ns, d.candidates[0].ci_high_ns);
      QCOMPARE(r.custom_speedup.has_value(), d.custom_speedup.has_value());
      QCOMPARE(r.maintenance.has_value(), d.maintenance.has_value());
    }
    QCOMPARE(read.workloads.size(), decided.workloads.size());
    QCOMPARE(read.workloads[0].changes.size(), decided.workloads[0].changes.size());
    // And the stored fixture: two sizes, and the verdict changes between them.
    const reports::Report stored = read_report(fixture("report.json").toStdString());
    QCOMPARE(stored.decisions.size(), size_t(2));
    QCOMPARE(stored.workloads[0].changes.size(), size_t(1));
    QVERIFY(stored.decisions[0].verdict != stored.decisions[1].verdict);
  }

  void malformed_files_name_file_and_byte_offset() {
    MainWindow w(false);
    QString error;
    QVERIFY(w.open_file(fixture("trace_worthit.json"), &error));
    const TraceDocument* before = w.trace_document();

    QVERIFY(!w.open_file(fixture("bad_truncated_trace.json"), &error));
    QVERIFY2(error.contains(QLatin1String("bad_truncated_trace.json")), qPrintable(error));
    QVERIFY2(error.contains(QLatin1String("byte")), qPrintable(error));
    QCOMPARE(w.trace_document(), before);  // what was open stays open

    QVERIFY(!w.open_file(fixture("bad_syntax_results.json"), &error));
    QVERIFY2(error.contains(QLatin1String("bad_syntax_results.json:byte 68")), qPrintable(error));

    QVERIFY(!w.open_file(fixture("bad_schema_results.json"), &error));
    QVERIFY2(error.contains(QLatin1String("framework")), qPrintable(error));

    QVERIFY(!w.open_file(fixture("not_worthit.json"), &error));
    QVERIFY2(error.contains(QLatin1String("not a worthit")), qPrintable(error));

    QVERIFY(!w.open_file(fixture("no_such_file.json"), &error));
    QVERIFY2(error.contains(QLatin1String("no_such_file.json")), qPrintable(error));
  }

  void opened_files_go_into_recent_files() {
    QSettings().remove(QStringLiteral("recentFiles"));
    {
      MainWindow w(true);
      QString error;
      QVERIFY(w.open_file(fixture("trace_kineto.json"), &error));
      QVERIFY(w.open_file(fixture("report.json"), &error));
      QVERIFY(!w.open_file(fixture("not_worthit.json"), &error));
      const QStringList recent = w.recent_files();
      QCOMPARE(recent.size(), 2);
      QVERIFY(recent[0].endsWith(QLatin1String("report.json")));
    }
    MainWindow again(false);
    QCOMPARE(again.recent_files().size(), 2);  // kept in QSettings
  }

  void dropping_a_file_opens_it() {
    MainWindow w(false);
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(fixture("trace_kineto.json"))});
    QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&w, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&w, &drop);
    QVERIFY(w.trace_document());
    QCOMPARE(w.timeline()->index()->tracks().size(), size_t(2));
  }

  void choosing_a_statistics_row_shows_it_on_the_timeline() {
    MainWindow w(false);
    QString error;
    QVERIFY(w.open_file(fixture("trace_worthit.json"), &error));
    QTableView* table = w.stats()->table();
    const QModelIndex first = table->model()->index(0, 0);  // "step", the biggest total
    table->setCurrentIndex(first);
    QVERIFY(w.timeline()->selection().valid());
    const TimelineIndex& index = *w.timeline()->index();
    QCOMPARE(index.name(index.slice(w.timeline()->selection()).name), std::string("step"));
    // Its slices are highlighted by exact name, not through a substring search.
    QCOMPARE(w.timeline()->search_hits(), 0);
    QCOMPARE(w.timeline()->highlighted(), index.slices_named("step", TrackKind::cpu).size());
    QVERIFY(w.timeline()->highlighted() > 0);
  }

  void selecting_a_slice_shows_its_details() {
    MainWindow w(false);
    QString error;
    QVERIFY(w.open_file(fixture("trace_worthit.json"), &error));
    const TimelineIndex& index = *w.timeline()->index();
    // The first launch on the main thread.
    SliceRef launch;
    for (int32_t i = 0; i < int32_t(index.tracks()[0].slices.size()); ++i)
      if (index.name(index.tracks()[0].slices[size_t(i)].name) == "matmul") launch = {0, i};
    w.timeline()->select(launch);
    const QString html = w.details()->toPlainText();
    QVERIFY2(html.contains(QLatin1String("Self time")), qPrintable(html));
    QVERIFY2(html.contains(QLatin1String("\"m\": 64")), qPrintable(html));
  }

  void opens_a_fleet_folder_and_a_fleet_report() {
    QCOMPARE(detect_file_kind(fixture("fleet").toStdString()), FileKind::fleet);
    MainWindow w(false);
    QString error;
    QVERIFY2(w.open_file(fixture("fleet"), &error), qPrintable(error));
    QCOMPARE(w.fleet()->model()->columnCount(), FleetModel::kFirstClass + 2);
    QVERIFY(w.fleet()->summary_text().contains(QLatin1String("2 hosts in 2 machine classes")));
    QVERIFY2(w.fleet()->summary_text().contains(QLatin1String("delta: no results")),
             qPrintable(w.fleet()->summary_text()));
    const reports::FleetReport decided = w.fleet()->model()->fleet();

    // The report `worthit report DIR` writes opens to the same matrix.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("fleet-report.json"));
    write_file_atomically(path.toStdString(), reports::fleet_report_to_json(decided).dump(1));
    QCOMPARE(detect_file_kind(path.toStdString()), FileKind::fleet);
    MainWindow w2(false);
    QVERIFY2(w2.open_file(path, &error), qPrintable(error));
    const reports::FleetReport& read = w2.fleet()->model()->fleet();
    QCOMPARE(read.matrix.columns, decided.matrix.columns);
    QCOMPARE(read.matrix.rows.size(), decided.matrix.rows.size());
    for (size_t r = 0; r < read.matrix.rows.size(); ++r)
      for (size_t c = 0; c < read.matrix.columns.size(); ++c)
        QCOMPARE(reports::matrix_cell_text(read.matrix.rows[r].cells[c]),
                 reports::matrix_cell_text(decided.matrix.rows[r].cells[c]));
    QCOMPARE(w2.fleet()->changes_text(), w.fleet()->changes_text());

    // A folder that is no fleet run: an error naming it, nothing replaced.
    QTemporaryDir empty;
    QVERIFY(!w2.open_file(empty.path(), &error));
    QVERIFY2(error.contains(empty.path()) && error.contains(QLatin1String("results.json")),
             qPrintable(error));
    QCOMPARE(w2.fleet()->model()->rowCount(), int(decided.matrix.rows.size()));
  }
};

WORTHIT_GUI_TEST_MAIN(OpenTest)
#include "tst_open.moc"
