#include "screenshot.h"

#include <QApplication>
#include <QPixmap>
#include <cstdio>

#include "main_window.h"

namespace worthit::viewer {

QImage render_window(MainWindow& window, QSize size) {
  window.resize(size);
  window.show();
  // Let layouts, charts and the tab switch settle before grabbing.
  for (int i = 0; i < 3; ++i) QApplication::processEvents();
  return window.grab().toImage();
}

int run_screenshot(const QStringList& files, const QString& out, const QString& view, QSize size,
                   const QString& search) {
  MainWindow window(/*remember_recent=*/false);
  for (const QString& f : files) {
    QString error;
    if (!window.open_file(f, &error)) {
      std::fprintf(stderr, "worthit-viewer: %s\n", qPrintable(error));
      return 2;
    }
  }
  if (!view.isEmpty()) {
    MainWindow::View v;
    if (!MainWindow::parse_view(view, &v)) {
      std::fprintf(stderr, "worthit-viewer: unknown view '%s' (timeline, stats, report, compare)\n",
                   qPrintable(view));
      return 1;
    }
    window.show_view(v);
  }
  if (!search.isEmpty()) {
    // Lay out at the final size first: the selection zooms to fit the width.
    window.resize(size);
    window.search_for(search);
  }
  const QImage image = render_window(window, size);
  if (image.isNull() || !image.save(out, "PNG")) {
    std::fprintf(stderr, "worthit-viewer: cannot write %s\n", qPrintable(out));
    return 1;
  }
  std::fprintf(stderr, "worthit-viewer: wrote %s (%dx%d)\n", qPrintable(out), image.width(),
               image.height());
  return 0;
}

}  // namespace worthit::viewer
