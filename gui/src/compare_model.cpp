#include "compare_model.h"

#include <QColor>

#include "timeline_index.h"

namespace worthit::viewer {

void CompareModel::set_comparison(reports::Comparison c) {
  beginResetModel();
  comparison_ = std::move(c);
  endResetModel();
}

int CompareModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : int(comparison_.benchmarks.size());
}

int CompareModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : kColumns;
}

QVariant CompareModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= int(comparison_.benchmarks.size())) return {};
  const reports::BenchmarkComparison& b = comparison_.benchmarks[size_t(index.row())];
  const bool measured =
      b.kind != reports::ChangeKind::missing && b.kind != reports::ChangeKind::added;
  auto duration = [](double ns) { return QString::fromStdString(format_duration(int64_t(ns))); };
  auto pct = [](double v) { return QString::asprintf("%+.1f%%", v * 100); };
  if (role == Qt::DisplayRole) {
    switch (index.column()) {
      case kName:
        return QString::fromStdString(b.name);
      case kResult:
        return QString::fromLatin1(reports::to_string(b.kind));
      case kBase:
        return b.base_n ? duration(b.base_median_ns) : QString();
      case kNew:
        return b.new_n ? duration(b.new_median_ns) : QString();
      case kChange:
        return measured ? pct(b.change) : QString();
      case kInterval:
        return measured ? pct(b.ci_low) + QStringLiteral(" … ") + pct(b.ci_high) : QString();
      case kP:
        return measured ? QString::number(b.p_value, 'g', 3) : QString();
    }
  } else if (role == kSortRole) {
    switch (index.column()) {
      case kName:
        return QString::fromStdString(b.name);
      case kResult:
        return int(b.kind);
      case kBase:
        return b.base_median_ns;
      case kNew:
        return b.new_median_ns;
      case kChange:
        return b.change;
      case kInterval:
        return b.ci_low;
      case kP:
        return b.p_value;
    }
  } else if (role == Qt::BackgroundRole) {
    if (b.kind == reports::ChangeKind::regressed) return QColor(0xf8, 0xd0, 0xcc);
    if (b.kind == reports::ChangeKind::improved) return QColor(0xd4, 0xef, 0xd0);
    if (b.kind == reports::ChangeKind::noisy) return QColor(0xfb, 0xef, 0xc8);
  } else if (role == Qt::ToolTipRole) {
    return QString::fromStdString(b.note);
  } else if (role == Qt::TextAlignmentRole && index.column() >= kBase) {
    return int(Qt::AlignRight | Qt::AlignVCenter);
  }
  return {};
}

QVariant CompareModel::headerData(int section, Qt::Orientation o, int role) const {
  if (o != Qt::Horizontal || role != Qt::DisplayRole) return {};
  static const char* const names[] = {
      "Benchmark", "Result", "Base median", "New median", "Change", "95% interval of change", "p"};
  return section >= 0 && section < kColumns ? QString::fromLatin1(names[section]) : QVariant();
}

}  // namespace worthit::viewer
