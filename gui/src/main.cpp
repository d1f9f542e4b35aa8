// worthit-viewer: a Qt6 viewer for traces, results and decision reports.
#include <QApplication>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTimer>
#include <cstring>
#include <initializer_list>

#include "main_window.h"
#include "screenshot.h"

namespace {

// The command line, for both the display-free and the GUI application.
struct ViewerOptions {
  QCommandLineOption shot{QStringLiteral("screenshot"),
                          QStringLiteral("Render offscreen to a PNG file and exit (needs no "
                                         "display)."),
                          QStringLiteral("out.png")};
  QCommandLineOption view{
      QStringLiteral("view"),
      QStringLiteral("View to show: timeline, stats, report, compare or fleet."),
      QStringLiteral("view")};
  QCommandLineOption size{QStringLiteral("size"),
                          QStringLiteral("Screenshot size, WIDTHxHEIGHT (default 1280x800)."),
                          QStringLiteral("WxH"), QStringLiteral("1280x800")};
  QCommandLineOption search{QStringLiteral("search"),
                            QStringLiteral("Highlight slices whose name contains TEXT and select "
                                           "the first."),
                            QStringLiteral("TEXT")};

  void add_to(QCommandLineParser& parser) const {
    parser.setApplicationDescription(QStringLiteral(
        "Views worthit traces (and torch.profiler traces), results.json and report.json."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOption(shot);
    parser.addOption(search);
    parser.addOption(view);
    parser.addOption(size);
    parser.addPositionalArgument(QStringLiteral("files"),
                                 QStringLiteral("trace.json, results.json or report.json files, a "
                                                "fleet report, or a fleet run's folder."),
                                 QStringLiteral("[FILES...]"));
  }
};

bool has_arg(int argc, char** argv, std::initializer_list<const char*> names) {
  for (int i = 1; i < argc; ++i)
    for (const char* name : names)
      if (std::strcmp(argv[i], name) == 0 || (std::strncmp(argv[i], name, std::strlen(name)) == 0 &&
                                              argv[i][std::strlen(name)] == '='))
        return true;
  return false;
}

void set_identity() {
  QCoreApplication::setOrganizationName(QStringLiteral("worthit"));
  QCoreApplication::setApplicationName(QStringLiteral("worthit-viewer"));
  QCoreApplication::setApplicationVersion(QStringLiteral(WORTHIT_VERSION));
}

}  // namespace

int main(int argc, char** argv) {
  // --help and --version print and exit without a window: no display needed.
  if (has_arg(argc, argv, {"-h", "--help", "--help-all", "-v", "--version"})) {
    QCoreApplication app(argc, argv);
    set_identity();
    QCommandLineParser parser;
    ViewerOptions options;
    options.add_to(parser);
    parser.process(app);  // prints and exits
    return 0;
  }
  // Screenshots need no display: they render offscreen unless a platform is
  // chosen explicitly. A window needs one; say so instead of aborting in xcb.
  const bool screenshot = has_arg(argc, argv, {"--screenshot"});
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) {
    if (screenshot) {
      qputenv("QT_QPA_PLATFORM", "offscreen");
    } else if (qEnvironmentVariableIsEmpty("DISPLAY") &&
               qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY")) {
      std::fprintf(stderr,
                   "worthit-viewer: no display (DISPLAY and WAYLAND_DISPLAY are unset); use "
                   "--screenshot out.png to render offscreen, or set QT_QPA_PLATFORM\n");
      return 2;
    }
  }
  QApplication app(argc, argv);
  set_identity();

  QCommandLineParser parser;
  ViewerOptions options;
  options.add_to(parser);
  const QCommandLineOption& shot = options.shot;
  const QCommandLineOption& view = options.view;
  const QCommandLineOption& size = options.size;
  const QCommandLineOption& search = options.search;
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
