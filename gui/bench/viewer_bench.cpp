// Measures what a user waits for with a large trace: the time to open it in
// the viewer (read, index, statistics, bottlenecks: MainWindow::open_file),
// with its breakdown, and the time to draw a timeline frame at full zoom-out.
//
//   worthit-viewer-bench TRACE.json [FRAMES=20] [WIDTHxHEIGHT=1600x1000]
#include <QApplication>
#include <QImage>
#include <QPainter>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <vector>

#include "main_window.h"
#include "timeline_view.h"
#include "worthit/trace/bottlenecks.h"

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// CPU time of this process: on a machine shared with compilers the wall time
// includes waiting for a core, which CPU time does not.
double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty()      ? 0
         : v.size() % 2 ? v[v.size() / 2]
                        : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s TRACE.json [FRAMES=20] [WIDTHxHEIGHT=1600x1000]\n", argv[0]);
    return 1;
  }
  const int frames = argc > 2 ? std::atoi(argv[2]) : 20;
  int w = 1600, h = 1000;
  if (argc > 3) std::sscanf(argv[3], "%dx%d", &w, &h);
  using clock = std::chrono::steady_clock;
  namespace v = worthit::viewer;

  // The breakdown, step by step as open_file does it.
  auto t = clock::now();
  double c = cpu_seconds();
  worthit::trace::Trace trace = worthit::trace::read_trace(argv[1]);
  const double read_s = seconds_since(t), read_cpu = cpu_seconds() - c;
  t = clock::now(), c = cpu_seconds();
  v::TimelineIndex index(trace);
  const double index_s = seconds_since(t), index_cpu = cpu_seconds() - c;
  t = clock::now(), c = cpu_seconds();
  auto stats = index.aggregate(index.start_ns(), index.end_ns());
  const double stats_s = seconds_since(t), stats_cpu = cpu_seconds() - c;
  t = clock::now(), c = cpu_seconds();
  auto findings = worthit::trace::find_bottlenecks(index.slices());
  const double bottlenecks_s = seconds_since(t), bottlenecks_cpu = cpu_seconds() - c;
  std::printf("events: %zu  slices: %zu  tracks: %zu  flows: %zu  names: %zu\n",
              trace.events.size(), index.slice_count(), index.tracks().size(), index.flows().size(),
              stats.size());
  std::printf(
      "breakdown (wall / cpu): read_trace %.3f / %.3f s, index %.3f / %.3f s, "
      "statistics %.3f / %.3f s, bottlenecks %.3f / %.3f s (%zu findings)\n",
      read_s, read_cpu, index_s, index_cpu, stats_s, stats_cpu, bottlenecks_s, bottlenecks_cpu,
      findings.size());

  // The whole open, as the user sees it.
  {
    v::MainWindow window(/*remember_recent=*/false);
    window.resize(w, h);
    t = clock::now(), c = cpu_seconds();
    QString error;
    if (!window.open_file(QString::fromLocal8Bit(argv[1]), &error)) {
      std::fprintf(stderr, "%s\n", qPrintable(error));
      return 2;
    }
    const double wall = seconds_since(t);
    std::printf("open (MainWindow::open_file): wall %.3f s, cpu %.3f s\n", wall, cpu_seconds() - c);
  }

  // Frames of the timeline alone at the benchmark size.
  v::TimelineView view;
  view.resize(w, h);
  view.set_index(&index);
  view.zoom_to_fit();
  QImage image(w, h, QImage::Format_ARGB32_Premultiplied);
  auto frame_times = [&](const char* what) {
    std::vector<double> ms, cpu_ms;
    for (int i = 0; i < frames; ++i) {
      QPainter p(&image);
      const auto f0 = clock::now();
      const double c0 = cpu_seconds();
      view.paint_frame(p, image.size());
      ms.push_back(seconds_since(f0) * 1e3);
      cpu_ms.push_back((cpu_seconds() - c0) * 1e3);
    }
    std::printf("frame %-18s wall median %.2f ms (max %.2f), cpu median %.2f ms, %d frames %dx%d\n",
                what, median(ms), *std::max_element(ms.begin(), ms.end()), median(cpu_ms), frames,
                w, h);
  };
  frame_times("full zoom-out:");
  worthit::viewer::TimeAxis a = view.axis();
  a.zoom_at(view.plot_width() / 2, 50);
  view.set_axis(a);
  frame_times("zoomed in 50x:");
  a.zoom_at(view.plot_width() / 2, 100);
  view.set_axis(a);
  frame_times("zoomed in 5000x:");
  return 0;
}
