// worthit-viewer: a Qt6 viewer for traces, results and decision reports.
#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>
#include <cstring>

#include "main_window.h"
#include "screenshot.h"

int main(int argc, char** argv) {
  bool screenshot = false;
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], "--screenshot") == 0) screenshot = true;
  // Screenshots need no display; an explicit platform still wins.
  if (screenshot && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
    qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("worthit"));
  QApplication::setApplicationName(QStringLiteral("worthit-viewer"));

  QCommandLineParser parser;
  parser.setApplicationDescription(QStringLiteral(
      "Views worthit traces (and torch.profiler traces), results.json and report.json."));
  parser.addHelpOption();
  QCommandLineOption shot(QStringLiteral("screenshot"),
                          QStringLiteral("Render offscreen to a PNG file and exit."),
                          QStringLiteral("out.png"));
  QCommandLineOption view(QStringLiteral("view"),
                          QStringLiteral("View to show: timeline, stats, report or compare."),
                          QStringLiteral("view"));
  QCommandLineOption size(QStringLiteral("size"),
                          QStringLiteral("Screenshot size, WIDTHxHEIGHT (default 1280x800)."),
                          QStringLiteral("WxH"), QStringLiteral("1280x800"));
  QCommandLineOption search(QStringLiteral("search"),
                            QStringLiteral("Highlight slices whose name contains TEXT and select "
                                           "the first."),
                            QStringLiteral("TEXT"));
  parser.addOption(shot);
  parser.addOption(search);
  parser.addOption(view);
  parser.addOption(size);
  parser.addPositionalArgument(QStringLiteral("files"),
                               QStringLiteral("trace.json, results.json or report.json files."),
                               QStringLiteral("[FILES...]"));
  parser.process(app);
  const QStringList files = parser.positionalArguments();

  if (parser.isSet(shot)) {
    const QStringList wh = parser.value(size).split(QLatin1Char('x'));
    const QSize s = wh.size() == 2 ? QSize(wh[0].toInt(), wh[1].toInt()) : QSize();
    if (!s.isValid() || s.isEmpty()) {
      std::fprintf(stderr, "worthit-viewer: bad --size '%s'\n", qPrintable(parser.value(size)));
      return 1;
    }
    return worthit::viewer::run_screenshot(files, parser.value(shot), parser.value(view), s,
                                           parser.value(search));
  }

  worthit::viewer::MainWindow window;
  window.show();
  // Open after the event loop starts so error dialogs have a window to sit on.
  QTimer::singleShot(0, &window, [&] {
    window.open_files_interactively(files);
    worthit::viewer::MainWindow::View v;
    if (parser.isSet(view) && worthit::viewer::MainWindow::parse_view(parser.value(view), &v))
      window.show_view(v);
    if (parser.isSet(search)) window.search_for(parser.value(search));
  });
  return app.exec();
}
