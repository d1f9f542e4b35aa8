#include "stats_model.h"

#include <algorithm>

#include "worthit/trace/format.h"

namespace worthit::viewer {

void StatsModel::set_rows(std::vector<RangeRow> rows) {
  beginResetModel();
  rows_ = std::move(rows);
  endResetModel();
}

void StatsModel::set_headroom(std::map<std::string, trace::NameHeadroom> headroom) {
  beginResetModel();
  headroom_ = std::move(headroom);
  endResetModel();
}

const trace::NameHeadroom* StatsModel::headroom_of(const RangeRow& r) const {
  if (r.kind != TrackKind::cpu) return nullptr;
  auto it = headroom_.find(r.name);
  return it == headroom_.end() ? nullptr : &it->second;
}

double StatsModel::could_save_ns(const RangeRow& r) const {
  const trace::NameHeadroom* h = headroom_of(r);
  if (!h || h->headroom <= 1) return h ? 0.0 : -1.0;
  return double(r.self_ns) * (1 - 1 / h->headroom);
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
      case kCeiling:
        if (const auto* h = headroom_of(r))
          return QString::number(h->pct_ceiling * 100, 'f', 1) + QLatin1Char('%');
        return {};
      case kBound:
        if (const auto* h = headroom_of(r))
          return QString::fromStdString(trace::format_ratio(std::max(h->headroom, 1.0)));
        return {};
      case kCouldSave:
        if (const double s = could_save_ns(r); s >= 0) return duration(int64_t(s));
        return {};
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
      case kCeiling:
        return headroom_of(r) ? headroom_of(r)->pct_ceiling : -1.0;
      case kBound:
        return headroom_of(r) ? headroom_of(r)->headroom : -1.0;
      case kCouldSave: {
        // Rows without a bound after those with one, by total time.
        const double s = could_save_ns(r);
        return s >= 0 ? s : -1.0 / (1.0 + double(r.total_ns));
      }
    }
  } else if (role == Qt::TextAlignmentRole && index.column() >= kCount) {
    return int(Qt::AlignRight | Qt::AlignVCenter);
  } else if (role == Qt::ToolTipRole && index.column() == kName) {
    return QString::fromStdString(r.name);
  }
  return {};
}

QVariant StatsModel::headerData(int section, Qt::Orientation o, int role) const {
  if (o == Qt::Horizontal && role == Qt::ToolTipRole) {
    if (section == kShare)
      return QStringLiteral("Total time as a share of the wall time of the range");
    if (section == kCeiling)
      return QStringLiteral("PyTorch ops: achieved share of the calibrated bandwidth or FLOP/s");
    if (section == kBound)
      return QStringLiteral(
          "PyTorch ops: headroom bound, measured / roofline time: the most any kernel could "
          "speed it up");
    if (section == kCouldSave)
      return QStringLiteral(
          "PyTorch ops: the most a kernel at the hardware limit could save of "
          "the self time in the range");
    return {};
  }
  if (o != Qt::Horizontal || role != Qt::DisplayRole) return {};
  static const char* const names[] = {"Name",       "Kind",       "Count", "Total",
                                      "Self",       "Mean",       "Min",   "Max",
                                      "Wall share", "Of ceiling", "Bound", "Could save"};
  return section >= 0 && section < kColumns ? QString::fromLatin1(names[section]) : QVariant();
}

}  // namespace worthit::viewer
