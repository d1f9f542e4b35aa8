// Screenshot mode, run as the real binary: a non-empty PNG that changes when
// the data changes, every view, and exit code 2 with the file and byte offset
// on stderr for a bad file.
#include <QImage>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

#include "gui_test_main.h"
#include "main_window.h"
#include "screenshot.h"
#include "timeline_view.h"

namespace {

struct Run {
  int code = -1;
  QString err;
  QString out;
};

// unset_platform: no QT_QPA_PLATFORM; no_display: no DISPLAY or
// WAYLAND_DISPLAY either, as on a CI machine or over plain ssh.
Run viewer(const QStringList& args, bool unset_platform = false, bool no_display = false) {
  QProcess p;
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  if (unset_platform || no_display) env.remove(QStringLiteral("QT_QPA_PLATFORM"));
  if (no_display) {
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
  }
  p.setProcessEnvironment(env);
  p.start(QStringLiteral(WORTHIT_VIEWER_BIN), args);
  if (!p.waitForFinished(120000)) return {};
  return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
          QString::fromLocal8Bit(p.readAllStandardError()),
          QString::fromLocal8Bit(p.readAllStandardOutput())};
}

int distinct_colours(const QImage& image) {
  QSet<QRgb> colours;
  for (int y = 0; y < image.height(); y += 3)
    for (int x = 0; x < image.width(); x += 3) colours.insert(image.pixel(x, y));
  return int(colours.size());
}

}  // namespace

class ScreenshotTest : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() { QVERIFY(dir_.isValid()); }

  void timeline_screenshot_changes_with_the_data() {
    const QString a = dir_.filePath(QStringLiteral("a.png"));
    const QString b = dir_.filePath(QStringLiteral("b.png"));
    // Screenshot mode picks the offscreen platform itself when none is set.
    Run r = viewer(
        {QStringLiteral("--screenshot"), a, QStringLiteral("--view"), QStringLiteral("timeline"),
         QStringLiteral("--size"), QStringLiteral("900x560"), fixture("trace_worthit.json")},
        /*unset_platform=*/true);
    QVERIFY2(r.code == 0, qPrintable(r.err));
    r = viewer({QStringLiteral("--screenshot"), b, QStringLiteral("--size"),
                QStringLiteral("900x560"), fixture("trace_kineto.json")});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const QImage ia(a), ib(b);
    QCOMPARE(ia.size(), QSize(900, 560));
    QVERIFY(distinct_colours(ia) > 20);
    QCOMPARE(ib.size(), ia.size());
    QVERIFY(ia != ib);
  }

  void help_and_version_need_no_display() {
    const Run help = viewer({QStringLiteral("--help")}, true, true);
    QVERIFY2(help.code == 0, qPrintable(help.err));
    QVERIFY2(help.out.contains(QLatin1String("--screenshot")), qPrintable(help.out));
    const Run version = viewer({QStringLiteral("--version")}, true, true);
    QVERIFY2(version.code == 0, qPrintable(version.err));
    QVERIFY2(version.out.startsWith(QLatin1String("worthit-viewer ")), qPrintable(version.out));
    // A window without a display: one line saying what to do, exit 2, no abort.
    const Run window = viewer({fixture("trace_worthit.json")}, true, true);
    QCOMPARE(window.code, 2);
    QVERIFY2(window.err.contains(QLatin1String("no display")), qPrintable(window.err));
    // --screenshot=FILE (one argument) picks the offscreen platform too.
    const QString out = dir_.filePath(QStringLiteral("eq.png"));
    const Run shot =
        viewer({QStringLiteral("--screenshot=") + out, fixture("trace_worthit.json")}, true, true);
    QVERIFY2(shot.code == 0, qPrintable(shot.err));
    QVERIFY(!QImage(out).isNull());
  }

  void every_view_renders() {
    QImage previous;
    const QStringList files = {fixture("results_base.json"), fixture("results_new.json")};
    for (const char* view : {"stats", "report", "compare", "fleet"}) {
      const QString out = dir_.filePath(QString::fromLatin1(view) + QStringLiteral(".png"));
      QStringList args = {QStringLiteral("--screenshot"), out,
                          QStringLiteral("--view"),       QString::fromLatin1(view),
                          QStringLiteral("--size"),       QStringLiteral("900x560")};
      const QByteArray v(view);
      args << (v == "stats"   ? QStringList{fixture("trace_worthit.json")}
               : v == "fleet" ? QStringList{fixture("fleet")}
                              : files);
      const Run r = viewer(args);
      QVERIFY2(r.code == 0, qPrintable(r.err));
      const QImage image(out);
      QVERIFY(!image.isNull());
      QVERIFY2(distinct_colours(image) > 20, view);
      QVERIFY(image != previous);
      previous = image;
    }
  }

  void bad_file_exits_2_with_file_and_offset() {
    const Run r = viewer({QStringLiteral("--screenshot"), dir_.filePath(QStringLiteral("x.png")),
                          fixture("bad_syntax_results.json")});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains(QLatin1String("bad_syntax_results.json:byte 68")), qPrintable(r.err));
    QVERIFY(!QFile::exists(dir_.filePath(QStringLiteral("x.png"))));
    const Run v = viewer({QStringLiteral("--screenshot"), dir_.filePath(QStringLiteral("y.png")),
                          QStringLiteral("--view"), QStringLiteral("flamegraph"),
                          fixture("trace_worthit.json")});
    QCOMPARE(v.code, 1);
  }

  void in_process_render_changes_with_selection() {
    worthit::viewer::MainWindow w(false);
    QString error;
    QVERIFY(w.open_file(fixture("trace_worthit.json"), &error));
    const QImage before = worthit::viewer::render_window(w, QSize(800, 500));
    QVERIFY(!before.isNull());
    w.timeline()->set_search(QStringLiteral("gemm"));  // dims every other slice
    const QImage after = worthit::viewer::render_window(w, QSize(800, 500));
    QVERIFY(before != after);
  }

 private:
  QTemporaryDir dir_;
};

WORTHIT_GUI_TEST_MAIN(ScreenshotTest)
#include "tst_screenshot.moc"
