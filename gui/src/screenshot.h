// Screenshot mode: `worthit-viewer --screenshot out.png [--view V] FILES...`
// opens the files in a window that is never shown on a screen and saves it.
#pragma once

#include <QImage>
#include <QSize>
#include <QString>
#include <QStringList>

namespace worthit::viewer {

class MainWindow;

// Lays the window out at `size` and renders it.
QImage render_window(MainWindow& window, QSize size);

// Returns the exit code: 0 written, 1 cannot write or bad view, 2 a file
// could not be opened (the message, with file and byte offset, on stderr).
// `search`, when not empty, is highlighted and its first match selected.
int run_screenshot(const QStringList& files, const QString& out, const QString& view, QSize size,
                   const QString& search = {});

}  // namespace worthit::viewer
