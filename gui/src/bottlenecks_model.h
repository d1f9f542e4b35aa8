// Qt table model over the bottleneck findings: time at stake, for hot ops
// their share, achieved share of the ceiling and headroom bound, and the finding.
#pragma once

#include <QAbstractTableModel>
#include <vector>

#include "timeline_index.h"
#include "worthit/trace/bottlenecks.h"

namespace worthit::viewer {

using trace::Finding;

class BottlenecksModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { kAtStake, kShare, kCeiling, kBound, kFinding, kColumns };
  using QAbstractTableModel::QAbstractTableModel;
  void set_findings(std::vector<Finding> findings);
  const Finding& finding(int row) const { return findings_[size_t(row)]; }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation o, int role) const override;

 private:
  std::vector<Finding> findings_;
};

}  // namespace worthit::viewer
