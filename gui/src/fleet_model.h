// Qt table model over a fleet's decision matrix (worthit/reports/fleet_matrix.h):
// one row per workload and size, one column per machine class, each cell the
// verdict and speedup, coloured by verdict; rows whose verdict changes across
// classes are marked.
#pragma once

#include <QAbstractTableModel>

#include "worthit/reports/fleet_matrix.h"

namespace worthit::viewer {

class FleetModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  static constexpr int kWorkload = 0;
  static constexpr int kSize = 1;
  static constexpr int kFirstClass = 2;  // then one column per class
  using QAbstractTableModel::QAbstractTableModel;
  void set_fleet(reports::FleetReport fleet);
  const reports::FleetReport& fleet() const { return fleet_; }
  // Whether the verdict of `row` differs between classes.
  bool changes(int row) const;

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation o, int role) const override;

 private:
  reports::FleetReport fleet_;
};

}  // namespace worthit::viewer
