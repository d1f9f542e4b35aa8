#include "bottlenecks_model.h"

namespace worthit::viewer {

void BottlenecksModel::set_findings(std::vector<Finding> findings) {
  beginResetModel();
  findings_ = std::move(findings);
  endResetModel();
}

int BottlenecksModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : int(findings_.size());
}

int BottlenecksModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : kColumns;
}

QVariant BottlenecksModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= int(findings_.size())) return {};
  const Finding& f = findings_[size_t(index.row())];
  if (role == Qt::DisplayRole) {
    if (index.column() == kAtStake) return QString::fromStdString(format_duration(f.at_stake_ns));
    if (index.column() == kFinding) return QString::fromStdString(f.title);
  } else if (role == Qt::ToolTipRole) {
    return QString::fromStdString(f.detail);
  } else if (role == Qt::UserRole) {
    return qlonglong(f.at_stake_ns);
  }
  return {};
}

QVariant BottlenecksModel::headerData(int section, Qt::Orientation o, int role) const {
  if (o != Qt::Horizontal || role != Qt::DisplayRole) return {};
  if (section == kAtStake) return QStringLiteral("At stake");
  if (section == kFinding) return QStringLiteral("Finding");
  return {};
}

}  // namespace worthit::viewer
