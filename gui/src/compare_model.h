// Qt table model over a Comparison (worthit/reports/compare.h): one row per benchmark,
// regressions red and improvements green.
#pragma once

#include <QAbstractTableModel>

#include "worthit/reports/compare.h"

namespace worthit::viewer {

class CompareModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { kName, kResult, kBase, kNew, kChange, kInterval, kP, kColumns };
  static constexpr int kSortRole = Qt::UserRole;
  using QAbstractTableModel::QAbstractTableModel;
  void set_comparison(reports::Comparison c);
  const reports::Comparison& comparison() const { return comparison_; }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation o, int role) const override;

 private:
  reports::Comparison comparison_;
};

}  // namespace worthit::viewer
