#include "main_window.h"

#include <QAction>
#include <QApplication>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTextBrowser>
#include <QVBoxLayout>
#include <nlohmann/json.hpp>

#include "bottlenecks_model.h"
#include "compare_view.h"
#include "fleet_view.h"
#include "report_view.h"
#include "stats_view.h"
#include "timeline_view.h"
#include "worthit/reports/compare.h"
#include "worthit/reports/hot_ops_section.h"
#include "worthit/reports/policy.h"
#include "worthit/results/file_io.h"
#include "worthit/results/machine.h"
#include "worthit/trace/steps.h"

namespace worthit::viewer {

namespace {
constexpr int kMaxRecent = 10;
const char* const kRecentKey = "recentFiles";
}  // namespace

MainWindow::MainWindow(bool remember_recent, QWidget* parent)
    : QMainWindow(parent),
      remember_recent_(remember_recent),
      tabs_(new QTabWidget(this)),
      timeline_(new TimelineView()),
      search_(new QLineEdit()),
      search_count_(new QLabel()),
      details_(new QTextBrowser()),
      bottleneck_table_(new QTableView()),
      bottlenecks_(new BottlenecksModel(this)),
      stats_(new StatsView()),
      report_(new ReportView()),
      compare_(new CompareView()),
      fleet_(new FleetView()) {
  setWindowTitle(QStringLiteral("worthit viewer"));
  setAcceptDrops(true);

  // Timeline tab: search bar, timeline, and below it details and bottlenecks.
  auto* timeline_tab = new QWidget();
  auto* bar = new QHBoxLayout();
  search_->setPlaceholderText(QStringLiteral("Search slices by name (Enter: next match)"));
  search_->setClearButtonEnabled(true);
  auto* prev = new QPushButton(QStringLiteral("◀"));
  auto* next = new QPushButton(QStringLiteral("▶"));
  prev->setMaximumWidth(32);
  next->setMaximumWidth(32);
  bar->addWidget(search_, 1);
  bar->addWidget(prev);
  bar->addWidget(next);
  bar->addWidget(search_count_);
  bar->addWidget(
      new QLabel(QStringLiteral("  wheel/W/S: zoom · drag/A/D: pan · Shift+drag: range · 0: fit")));
  connect(search_, &QLineEdit::textChanged, this, [this](const QString& text) {
    timeline_->set_search(text);
    search_count_->setText(
        text.isEmpty() ? QString() : QStringLiteral("%1 matches").arg(timeline_->search_hits()));
  });
  connect(search_, &QLineEdit::returnPressed, this, [this] { timeline_->next_search_hit(1); });
  connect(next, &QPushButton::clicked, this, [this] { timeline_->next_search_hit(1); });
  connect(prev, &QPushButton::clicked, this, [this] { timeline_->next_search_hit(-1); });

  bottleneck_table_->setModel(bottlenecks_);
  bottleneck_table_->verticalHeader()->hide();
  bottleneck_table_->horizontalHeader()->setSectionResizeMode(BottlenecksModel::kFinding,
                                                              QHeaderView::Stretch);
  bottleneck_table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  bottleneck_table_->setWordWrap(false);
  bottleneck_table_->verticalHeader()->setDefaultSectionSize(22);
  connect(bottleneck_table_, &QTableView::clicked, this, [this](const QModelIndex& i) {
    const Finding& f = bottlenecks_->finding(i.row());
    // A hot op's row highlights all its calls and selects the longest.
    search_->clear();
    timeline_->set_highlight(f.slices);
    if (f.slice.valid()) timeline_->select(f.slice);
    if (f.end_ns > f.start_ns) {
      timeline_->zoom_to(f.start_ns, f.end_ns);
      if (!f.slice.valid()) {
        timeline_->set_selected_range(std::make_pair(f.start_ns, f.end_ns));
        stats_->set_range(f.start_ns, f.end_ns);
      }
    }
    details_->setHtml(QStringLiteral("<p><b>%1</b></p><p>%2</p>")
                          .arg(QString::fromStdString(f.title).toHtmlEscaped(),
                               QString::fromStdString(f.detail).toHtmlEscaped()));
  });
  auto* lower = new QTabWidget();
  lower->addTab(bottleneck_table_, QStringLiteral("Bottlenecks"));
  lower->addTab(details_, QStringLiteral("Details"));
  auto* split = new QSplitter(Qt::Vertical);
  split->addWidget(timeline_);
  split->addWidget(lower);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 1);
  split->setSizes({600, 200});
  auto* tl = new QVBoxLayout(timeline_tab);
  tl->setContentsMargins(4, 4, 4, 4);
  tl->addLayout(bar);
  tl->addWidget(split, 1);

  connect(timeline_, &TimelineView::slice_selected, this, [this, lower](SliceRef r) {
    show_details(r);
    if (r.valid()) lower->setCurrentWidget(details_);
  });
  connect(timeline_, &TimelineView::range_selected, this, [this](qint64 t0, qint64 t1) {
    stats_->set_range(t0, t1);
    statusBar()->showMessage(QStringLiteral("Range %1: statistics in the Statistics tab")
                                 .arg(QString::fromStdString(format_duration(t1 - t0))));
  });
  connect(timeline_, &TimelineView::range_cleared, stats_, &StatsView::clear_range);
  connect(stats_, &StatsView::row_activated, this, [this](const RangeRow& row) {
    // Statistics and timeline are linked: the row's slices (that exact name,
    // on its kind of track) are highlighted and its longest instance selected.
    search_->clear();
    timeline_->set_highlight(trace_ ? trace_->index->slices_named(row.name, row.kind)
                                    : std::vector<SliceRef>{});
    if (row.longest.valid()) timeline_->select(row.longest);
  });

  tabs_->addTab(timeline_tab, QStringLiteral("Timeline"));
  tabs_->addTab(stats_, QStringLiteral("Statistics"));
  tabs_->addTab(report_, QStringLiteral("Report"));
  tabs_->addTab(compare_, QStringLiteral("Compare"));
  tabs_->addTab(fleet_, QStringLiteral("Fleet"));
  setCentralWidget(tabs_);
  build_menus();
  resize(1280, 800);
}

MainWindow::~MainWindow() {
  // Views point into the documents: detach them before the documents go.
  timeline_->set_index(nullptr);
  stats_->set_index(nullptr);
  report_->set_report(nullptr);
}

void MainWindow::build_menus() {
  QMenu* file = menuBar()->addMenu(QStringLiteral("&File"));
  QAction* open = file->addAction(QStringLiteral("&Open..."));
  open->setShortcut(QKeySequence::Open);
  connect(open, &QAction::triggered, this, [this] {
    const QStringList paths = QFileDialog::getOpenFileNames(
        this, QStringLiteral("Open trace, results, report or fleet report"), QString(),
        QStringLiteral("JSON files (*.json);;All files (*)"));
    open_files_interactively(paths);
  });
  recent_menu_ = file->addMenu(QStringLiteral("Open &Recent"));
  rebuild_recent_menu();
  file->addSeparator();
  QAction* quit = file->addAction(QStringLiteral("&Quit"));
  quit->setShortcut(QKeySequence::Quit);
  connect(quit, &QAction::triggered, this, &QWidget::close);
  QMenu* view = menuBar()->addMenu(QStringLiteral("&View"));
  const char* const names[] = {"&Timeline", "&Statistics", "&Report", "&Compare", "&Fleet"};
  for (int i = 0; i < 5; ++i) {
    QAction* a = view->addAction(QString::fromLatin1(names[i]));
    a->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)));
    connect(a, &QAction::triggered, this, [this, i] { tabs_->setCurrentIndex(i); });
  }
  QAction* find = view->addAction(QStringLiteral("&Find in timeline"));
  find->setShortcut(QKeySequence::Find);
  connect(find, &QAction::triggered, this, [this] {
    tabs_->setCurrentIndex(0);
    search_->setFocus();
    search_->selectAll();
  });
}

QStringList MainWindow::recent_files() const {
  return QSettings().value(QLatin1String(kRecentKey)).toStringList();
}

void MainWindow::add_recent(const QString& path) {
  if (!remember_recent_) return;
  QStringList list = recent_files();
  const QString abs = QFileInfo(path).absoluteFilePath();
  list.removeAll(abs);
  list.prepend(abs);
  while (list.size() > kMaxRecent) list.removeLast();
  QSettings().setValue(QLatin1String(kRecentKey), list);
  rebuild_recent_menu();
}

void MainWindow::rebuild_recent_menu() {
  if (!recent_menu_) return;
  recent_menu_->clear();
  const QStringList list = recent_files();
  for (const QString& path : list) {
    QAction* a = recent_menu_->addAction(path);
    connect(a, &QAction::triggered, this, [this, path] { open_files_interactively({path}); });
  }
  recent_menu_->setEnabled(!list.isEmpty());
}

bool MainWindow::open_file(const QString& path, QString* error) {
  const std::filesystem::path p = path.toStdString();
  try {
    switch (detect_file_kind(p)) {
      case FileKind::trace: {
        auto doc = open_trace(p);
        timeline_->set_index(nullptr);
        stats_->set_index(nullptr);
        trace_ = std::move(doc);
        show_trace();
        tabs_->setCurrentIndex(0);
        break;
      }
      case FileKind::results: {
        results_.push_back(open_results(p));
        auto doc = std::make_unique<ReportDocument>(decide_report(results_.back()));
        report_->set_report(nullptr);
        report_doc_ = std::move(doc);
        report_->set_report(report_doc_.get());
        update_compare();
        tabs_->setCurrentWidget(results_.size() >= 2 ? static_cast<QWidget*>(compare_) : report_);
        break;
      }
      case FileKind::report: {
        auto doc = std::make_unique<ReportDocument>(open_report(p));
        report_->set_report(nullptr);
        report_doc_ = std::move(doc);
        report_->set_report(report_doc_.get());
        tabs_->setCurrentWidget(report_);
        break;
      }
      case FileKind::fleet: {
        FleetDocument doc = open_fleet(p);
        fleet_->set_fleet(
            std::move(doc.fleet),
            QString::fromStdString(p.string()) +
                (doc.decided_here ? QStringLiteral(" (decided here, default policy)") : QString()));
        tabs_->setCurrentWidget(fleet_);
        break;
      }
    }
  } catch (const std::exception& e) {
    // FileError's message names the file and, for syntax errors, the byte offset.
    if (error) *error = QString::fromStdString(e.what());
    return false;
  }
  add_recent(path);
  setWindowTitle(QStringLiteral("%1 — worthit viewer").arg(QFileInfo(path).fileName()));
  return true;
}

void MainWindow::open_files_interactively(const QStringList& paths) {
  for (const QString& path : paths) {
    QString error;
    if (!open_file(path, &error))
      QMessageBox::critical(this, QStringLiteral("Cannot open %1").arg(QFileInfo(path).fileName()),
                            error);
  }
}

void MainWindow::show_trace() {
  timeline_->set_index(trace_->index.get());
  stats_->set_index(trace_->index.get());
  // Hot ops' headroom needs this machine's ceilings (`worthit calibrate`).
  trace::BottleneckOptions options;
  try {
    options.ceilings = reports::calibrated_ceilings(default_calibration_path());
  } catch (const std::exception& e) {
    statusBar()->showMessage(QStringLiteral("Ignoring the calibration: %1").arg(e.what()));
  }
  options.bar = reports::headroom_bar(reports::default_policy());
  const trace::SliceIndex& slices = trace_->index->slices();
  bottlenecks_->set_findings(trace::find_bottlenecks(slices, options));
  trace::HotOpsOptions hot;
  hot.top = size_t(1) << 20;
  hot.ceilings = options.ceilings;
  hot.bar = options.bar;
  stats_->set_headroom(
      trace::headroom_by_name(trace::hot_ops(slices, trace::find_steps(slices), hot)));
  bottleneck_table_->resizeColumnToContents(BottlenecksModel::kAtStake);
  search_->clear();
  const auto& m = trace_->trace.metadata;
  details_->setHtml(
      QStringLiteral("<p><b>%1</b>: %2 events, %3 slices on %4 tracks, %5 flows, "
                     "%6.</p><p>Click a slice for its details.</p>")
          .arg(QString::fromStdString(trace_->path.filename().string()).toHtmlEscaped())
          .arg(trace_->trace.events.size())
          .arg(trace_->index->slice_count())
          .arg(trace_->index->tracks().size())
          .arg(trace_->index->flows().size())
          .arg(QString::fromStdString(
              format_duration(trace_->index->end_ns() - trace_->index->start_ns()))) +
      (m.contains("source")
           ? QStringLiteral("<p>Source: %1</p>").arg(QString::fromStdString(m["source"].dump()))
           : QString()));
}

void MainWindow::show_details(SliceRef r) {
  if (!trace_ || !r.valid()) return;
  const TimelineIndex& index = *trace_->index;
  const Slice& s = index.slice(r);
  const trace::Event& e = trace_->trace.events[s.event];
  const Track& t = index.tracks()[size_t(r.track)];
  auto d = [](int64_t ns) { return QString::fromStdString(format_duration(ns)).toHtmlEscaped(); };
  QString html =
      QStringLiteral("<h3>%1</h3><table>").arg(QString::fromStdString(e.name).toHtmlEscaped());
  auto row = [&html](const QString& k, const QString& v) {
    html += QStringLiteral("<tr><td><b>%1</b>&nbsp;&nbsp;</td><td>%2</td></tr>").arg(k, v);
  };
  row(QStringLiteral("Category"), QString::fromStdString(e.category).toHtmlEscaped());
  row(QStringLiteral("Track"), QString::fromStdString(t.name).toHtmlEscaped());
  row(QStringLiteral("Start"),
      d(s.start_ns - index.start_ns()) + QStringLiteral(" after the trace start"));
  row(QStringLiteral("Duration"), d(s.end_ns - s.start_ns));
  row(QStringLiteral("Self time"), d(s.self_ns));
  row(QStringLiteral("Depth"), QString::number(s.depth));
  html += QStringLiteral("</table>");
  for (const Flow* f : index.flows_of(r)) {
    const bool out = f->from == r;
    const SliceRef other = out ? f->to : f->from;
    html +=
        QStringLiteral("<p>%1 <b>%2</b> (%3 on %4), %5 %6</p>")
            .arg(out ? QStringLiteral("Launches") : QStringLiteral("Launched by"),
                 QString::fromStdString(index.name(index.slice(other).name)).toHtmlEscaped(),
                 d(index.slice(other).end_ns - index.slice(other).start_ns),
                 QString::fromStdString(index.tracks()[size_t(other.track)].name).toHtmlEscaped(),
                 out ? QStringLiteral("starting") : QStringLiteral("launched"),
                 d(f->to_ns - f->from_ns) + QStringLiteral(" later"));
  }
  if (!e.args.is_null() && !e.args.empty())
    html += QStringLiteral("<p><b>Arguments</b></p><pre>%1</pre>")
                .arg(QString::fromStdString(e.args.dump(2)).toHtmlEscaped());
  details_->setHtml(html);
}

void MainWindow::update_compare() {
  if (results_.size() < 2) {
    compare_->clear(QStringLiteral("Open a second results file to compare it with %1.")
                        .arg(QString::fromStdString(results_.back().path.string())));
    return;
  }
  const ResultsDocument& base = results_[results_.size() - 2];
  const ResultsDocument& next = results_.back();
  try {
    // The same classification `worthit compare` uses in CI.
    compare_->set_comparison(reports::compare(reports::read_benchmark_set(base.path),
                                              reports::read_benchmark_set(next.path)));
  } catch (const std::exception& e) {
    compare_->clear(QStringLiteral("Cannot compare: %1").arg(QString::fromStdString(e.what())));
  }
}

bool MainWindow::parse_view(const QString& name, View* v) {
  if (name == QLatin1String("timeline"))
    *v = View::timeline;
  else if (name == QLatin1String("stats"))
    *v = View::stats;
  else if (name == QLatin1String("report"))
    *v = View::report;
  else if (name == QLatin1String("compare"))
    *v = View::compare;
  else if (name == QLatin1String("fleet"))
    *v = View::fleet;
  else
    return false;
  return true;
}

void MainWindow::show_view(View v) { tabs_->setCurrentIndex(int(v)); }

void MainWindow::search_for(const QString& text) {
  search_->setText(text);
  timeline_->next_search_hit(1);
}

void MainWindow::dragEnterEvent(QDragEnterEvent* e) {
  if (e->mimeData()->hasUrls()) e->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* e) {
  QStringList paths;
  for (const QUrl& url : e->mimeData()->urls())
    if (url.isLocalFile()) paths << url.toLocalFile();
  e->acceptProposedAction();
  open_files_interactively(paths);
}

}  // namespace worthit::viewer
