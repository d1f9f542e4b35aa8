// The viewer's window: Timeline (with details and bottlenecks), Statistics,
// Report, Compare and Fleet tabs; File > Open, recent files, drag and drop.
#pragma once

#include <QMainWindow>
#include <QStringList>
#include <memory>
#include <vector>

#include "documents.h"

class QLabel;
class QLineEdit;
class QMenu;
class QTabWidget;
class QTableView;
class QTextBrowser;

namespace worthit::viewer {

class BottlenecksModel;
class CompareView;
class FleetView;
class ReportView;
class StatsView;
class TimelineView;

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  enum class View { timeline, stats, report, compare, fleet };

  // `remember_recent`: whether opened files go into the recent-files list
  // (not in screenshot mode or tests).
  explicit MainWindow(bool remember_recent = true, QWidget* parent = nullptr);
  ~MainWindow() override;

  // Opens one file; on failure returns false with the message (file and byte
  // offset) in `error` and leaves what was open as it was.
  bool open_file(const QString& path, QString* error);
  // Opens files, showing an error dialog for each that fails.
  void open_files_interactively(const QStringList& paths);
  void show_view(View v);
  // Highlights `text` on the timeline and selects its first match.
  void search_for(const QString& text);
  static bool parse_view(const QString& name, View* v);

  TimelineView* timeline() { return timeline_; }
  StatsView* stats() { return stats_; }
  ReportView* report() { return report_; }
  CompareView* compare() { return compare_; }
  FleetView* fleet() { return fleet_; }
  BottlenecksModel* bottlenecks() { return bottlenecks_; }
  QTextBrowser* details() { return details_; }
  const TraceDocument* trace_document() const { return trace_.get(); }
  QStringList recent_files() const;

 protected:
  void dragEnterEvent(QDragEnterEvent* e) override;
  void dropEvent(QDropEvent* e) override;

 private:
  void build_menus();
  void add_recent(const QString& path);
  void rebuild_recent_menu();
  void show_details(SliceRef r);
  void show_trace();
  void update_compare();

  bool remember_recent_;
  std::unique_ptr<TraceDocument> trace_;
  std::vector<ResultsDocument> results_;  // in the order opened; the last two are compared
  std::unique_ptr<ReportDocument> report_doc_;
  QTabWidget* tabs_;
  TimelineView* timeline_;
  QLineEdit* search_;
  QLabel* search_count_;
  QTextBrowser* details_;
  QTableView* bottleneck_table_;
  BottlenecksModel* bottlenecks_;
  StatsView* stats_;
  ReportView* report_;
  CompareView* compare_;
  FleetView* fleet_;
  QMenu* recent_menu_ = nullptr;
};

}  // namespace worthit::viewer
