// Qt table model over one decision's candidates (fastest first).
#pragma once

#include <QAbstractTableModel>
#include <vector>

#include "worthit/reports/decision.h"

namespace worthit::viewer {

class CandidatesModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { kCandidate, kKind, kStatus, kMedian, kInterval, kCv, kColumns };
  using QAbstractTableModel::QAbstractTableModel;
  void set_candidates(std::vector<reports::CandidateSummary> candidates);

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation o, int role) const override;

 private:
  std::vector<reports::CandidateSummary> candidates_;
};

}  // namespace worthit::viewer
