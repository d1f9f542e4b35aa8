// The statistics view: ranges and ops aggregated over the whole trace or the
// time range selected on the timeline, sortable and filterable.
#pragma once

#include <QWidget>

#include "stats_model.h"

class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QTableView;

namespace worthit::viewer {

class StatsView : public QWidget {
  Q_OBJECT
 public:
  explicit StatsView(QWidget* parent = nullptr);
  void set_index(const TimelineIndex* index);
  // Statistics of [t0, t1); the whole trace when cleared.
  void set_range(int64_t t0, int64_t t1);
  void clear_range();
  void set_filter(const QString& text);
  // PyTorch ops' headroom by name; with any, rows sort by what a kernel could save.
  void set_headroom(std::map<std::string, trace::NameHeadroom> headroom);

  StatsModel* model() { return model_; }
  QSortFilterProxyModel* proxy() { return proxy_; }
  QTableView* table() { return table_; }

 signals:
  // A row was chosen: show its name on the timeline.
  void row_activated(const worthit::viewer::RangeRow& row);

 private:
  const TimelineIndex* index_ = nullptr;
  StatsModel* model_;
  QSortFilterProxyModel* proxy_;
  QTableView* table_;
  QLineEdit* filter_;
  QLabel* scope_;
};

}  // namespace worthit::viewer
