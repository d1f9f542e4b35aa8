// Qt table model over range statistics (TimelineIndex::aggregate): one row per
// name and kind, numbers in Qt::UserRole for sorting. PyTorch ops with a cost
// model also show their achieved share of the ceiling, their headroom bound
// and the most a kernel could save of their self time (docs/hot-ops.md).
#pragma once

#include <QAbstractTableModel>
#include <vector>

#include <map>
#include <string>

#include "timeline_index.h"
#include "worthit/trace/hot_ops.h"

namespace worthit::viewer {

class StatsModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column {
    kName,
    kKind,
    kCount,
    kTotal,
    kSelf,
    kMean,
    kMin,
    kMax,
    kShare,
    kCeiling,
    kBound,
    kCouldSave,
    kColumns
  };
  static constexpr int kSortRole = Qt::UserRole;

  using QAbstractTableModel::QAbstractTableModel;
  void set_rows(std::vector<RangeRow> rows);
  // Per op name, from the whole trace's hot ops (trace::headroom_by_name).
  void set_headroom(std::map<std::string, trace::NameHeadroom> headroom);
  const RangeRow& row_at(int row) const { return rows_[size_t(row)]; }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation o, int role) const override;

 private:
  const trace::NameHeadroom* headroom_of(const RangeRow& r) const;
  // The most a kernel at the hardware limit could save of the row's self time.
  double could_save_ns(const RangeRow& r) const;

  std::vector<RangeRow> rows_;
  std::map<std::string, trace::NameHeadroom> headroom_;
};

}  // namespace worthit::viewer
