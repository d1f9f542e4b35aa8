// Qt table model over range statistics (TimelineIndex::aggregate): one row per
// name and kind, numbers in Qt::UserRole for sorting.
#pragma once

#include <QAbstractTableModel>
#include <vector>

#include "timeline_index.h"

namespace worthit::viewer {

class StatsModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { kName, kKind, kCount, kTotal, kSelf, kMean, kMin, kMax, kShare, kColumns };
  static constexpr int kSortRole = Qt::UserRole;

  using QAbstractTableModel::QAbstractTableModel;
  void set_rows(std::vector<RangeRow> rows);
  const RangeRow& row_at(int row) const { return rows_[size_t(row)]; }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation o, int role) const override;

 private:
  std::vector<RangeRow> rows_;
};

}  // namespace worthit::viewer
