#include "candidates_model.h"

#include <QColor>

#include "timeline_index.h"

namespace worthit::viewer {

void CandidatesModel::set_candidates(std::vector<reports::CandidateSummary> candidates) {
  beginResetModel();
  candidates_ = std::move(candidates);
  endResetModel();
}

int CandidatesModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : int(candidates_.size());
}

int CandidatesModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : kColumns;
}

QVariant CandidatesModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= int(candidates_.size())) return {};
  const reports::CandidateSummary& c = candidates_[size_t(index.row())];
  const bool ok = c.status == "ok";
  auto duration = [](double ns) { return QString::fromStdString(format_duration(int64_t(ns))); };
  if (role == Qt::DisplayRole) {
    switch (index.column()) {
      case kCandidate:
        return QString::fromStdString(c.candidate);
      case kKind:
        return c.jit         ? QStringLiteral("framework JIT")
               : c.framework ? QStringLiteral("framework")
                             : QStringLiteral("handwritten");
      case kStatus:
        return QString::fromStdString(ok ? c.status : c.status + ": " + c.reason);
      case kMedian:
        return ok ? duration(c.median_ns) : QString();
      case kInterval:
        return ok ? duration(c.ci_low_ns) + QStringLiteral(" – ") + duration(c.ci_high_ns)
                  : QString();
      case kCv:
        return ok ? QString::number(c.cv * 100, 'f', 1) + QLatin1Char('%') : QString();
    }
  } else if (role == Qt::ForegroundRole && !ok) {
    return QColor(Qt::gray);
  } else if (role == Qt::ToolTipRole) {
    return QString::fromStdString(c.backend + (c.reason.empty() ? "" : ": " + c.reason));
  }
  return {};
}

QVariant CandidatesModel::headerData(int section, Qt::Orientation o, int role) const {
  if (o != Qt::Horizontal || role != Qt::DisplayRole) return {};
  static const char* const names[] = {"Candidate", "Kind",         "Status",
                                      "Median",    "95% interval", "CV"};
  return section >= 0 && section < kColumns ? QString::fromLatin1(names[section]) : QVariant();
}

}  // namespace worthit::viewer
