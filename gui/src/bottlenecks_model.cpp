#include "bottlenecks_model.h"

#include <algorithm>

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
  auto percent = [](double v) {
    return v < 0 ? QString() : QString::number(v * 100, 'f', 1) + QLatin1Char('%');
  };
  if (role == Qt::DisplayRole) {
    switch (index.column()) {
      case kAtStake:
        return QString::fromStdString(format_duration(f.at_stake_ns));
      case kShare:
        return percent(f.share);
      case kCeiling:
        return percent(f.pct_ceiling);
      case kBound:
        return f.headroom < 0
                   ? QString()
                   : QString::fromStdString(trace::format_ratio(std::max(f.headroom, 1.0)));
      case kFinding:
        return QString::fromStdString(f.title);
    }
  } else if (role == Qt::ToolTipRole) {
    return QString::fromStdString(f.detail);
  } else if (role == Qt::UserRole) {
    switch (index.column()) {
      case kShare:
        return f.share;
      case kCeiling:
        return f.pct_ceiling;
      case kBound:
        return f.headroom;
      default:
        return qlonglong(f.at_stake_ns);
    }
  } else if (role == Qt::TextAlignmentRole && index.column() != kFinding) {
    return int(Qt::AlignRight | Qt::AlignVCenter);
  }
  return {};
}

QVariant BottlenecksModel::headerData(int section, Qt::Orientation o, int role) const {
  if (o != Qt::Horizontal) return {};
  if (role == Qt::ToolTipRole) {
    switch (section) {
      case kAtStake:
        return QStringLiteral(
            "The time at stake; for a hot op, the most a kernel at the hardware limit could "
            "save (its time times 1 - 1/bound)");
      case kShare:
        return QStringLiteral("Share of the step time");
      case kCeiling:
        return QStringLiteral("Achieved share of the calibrated bandwidth or FLOP/s ceiling");
      case kBound:
        return QStringLiteral(
            "Headroom bound: measured / roofline time, the most any kernel could speed it up");
    }
    return {};
  }
  if (role != Qt::DisplayRole) return {};
  static const char* const names[] = {"At stake", "Share", "Of ceiling", "Bound", "Finding"};
  return section >= 0 && section < kColumns ? QString::fromLatin1(names[section]) : QVariant();
}

}  // namespace worthit::viewer
