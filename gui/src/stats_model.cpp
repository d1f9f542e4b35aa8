#include "stats_model.h"

namespace worthit::viewer {

void StatsModel::set_rows(std::vector<RangeRow> rows) {
  beginResetModel();
  rows_ = std::move(rows);
  endResetModel();
}

int StatsModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : int(rows_.size());
}

int StatsModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : kColumns;
}

QVariant StatsModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= int(rows_.size())) return {};
  const RangeRow& r = rows_[size_t(index.row())];
  const int64_t mean = r.count ? r.total_ns / r.count : 0;
  auto duration = [](int64_t ns) { return QString::fromStdString(format_duration(ns)); };
  if (role == Qt::DisplayRole) {
    switch (index.column()) {
      case kName:
        return QString::fromStdString(r.name);
      case kKind:
        return r.kind == TrackKind::gpu ? QStringLiteral("GPU") : QStringLiteral("CPU");
      case kCount:
        return QString::number(r.count);
      case kTotal:
        return duration(r.total_ns);
      case kSelf:
        return duration(r.self_ns);
      case kMean:
        return duration(mean);
      case kMin:
        return duration(r.min_ns);
      case kMax:
        return duration(r.max_ns);
      case kShare:
        return QString::number(r.share * 100, 'f', 1) + QLatin1Char('%');
    }
  } else if (role == kSortRole) {
    switch (index.column()) {
      case kName:
        return QString::fromStdString(r.name);
      case kKind:
        return r.kind == TrackKind::gpu ? 1 : 0;
      case kCount:
        return qlonglong(r.count);
      case kTotal:
        return qlonglong(r.total_ns);
      case kSelf:
        return qlonglong(r.self_ns);
      case kMean:
        return qlonglong(mean);
      case kMin:
        return qlonglong(r.min_ns);
      case kMax:
        return qlonglong(r.max_ns);
      case kShare:
        return r.share;
    }
  } else if (role == Qt::TextAlignmentRole && index.column() >= kCount) {
    return int(Qt::AlignRight | Qt::AlignVCenter);
  } else if (role == Qt::ToolTipRole && index.column() == kName) {
    return QString::fromStdString(r.name);
  }
  return {};
}

QVariant StatsModel::headerData(int section, Qt::Orientation o, int role) const {
  if (o == Qt::Horizontal && role == Qt::ToolTipRole && section == kShare)
    return QStringLiteral("Total time as a share of the wall time of the range");
  if (o != Qt::Horizontal || role != Qt::DisplayRole) return {};
  static const char* const names[] = {"Name", "Kind", "Count", "Total",     "Self",
                                      "Mean", "Min",  "Max",   "Wall share"};
  return section >= 0 && section < kColumns ? QString::fromLatin1(names[section]) : QVariant();
}

}  // namespace worthit::viewer
