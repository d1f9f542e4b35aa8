#include "fleet_model.h"

#include <QColor>
#include <QFont>

#include "report_view.h"
#include "worthit/reports/fleet_writers.h"

namespace worthit::viewer {

namespace {

// The report view's colour of the verdict (verdict_color), as a pale cell background.
QColor cell_colour(reports::Verdict v) {
  const QColor c = verdict_color(v);
  auto mix = [](int x) { return 255 - (255 - x) * 22 / 100; };
  return QColor(mix(c.red()), mix(c.green()), mix(c.blue()));
}

QString join(const std::vector<std::string>& items) {
  QStringList out;
  for (const auto& s : items) out << QString::fromStdString(s);
  return out.join(QStringLiteral(", "));
}

}  // namespace

void FleetModel::set_fleet(reports::FleetReport fleet) {
  beginResetModel();
  fleet_ = std::move(fleet);
  endResetModel();
}

bool FleetModel::changes(int row) const {
  for (const auto& c : fleet_.matrix.changes)
    if (int(c.row) == row) return true;
  return false;
}

int FleetModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : int(fleet_.matrix.rows.size());
}

int FleetModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : kFirstClass + int(fleet_.matrix.columns.size());
}

QVariant FleetModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rowCount() || index.column() >= columnCount()) return {};
  const reports::MatrixRow& r = fleet_.matrix.rows[size_t(index.row())];
  if (index.column() < kFirstClass) {
    if (role == Qt::DisplayRole)
      return index.column() == kWorkload
                 ? QString::fromStdString(r.workload +
                                          (r.device != "cpu" ? " (" + r.device + ")" : ""))
                 : QString::fromStdString(r.size);
    if (role == Qt::FontRole && changes(index.row())) {
      QFont bold;
      bold.setBold(true);
      return bold;
    }
    if (role == Qt::ToolTipRole && changes(index.row()))
      return QStringLiteral("The verdict changes across machine classes");
    return {};
  }
  const reports::MatrixCell& cell = r.cells[size_t(index.column() - kFirstClass)];
  switch (role) {
    case Qt::DisplayRole:
      return QString::fromStdString(reports::matrix_cell_text(cell));
    case Qt::BackgroundRole:
      return cell.verdict ? QVariant(cell_colour(*cell.verdict)) : QVariant();
    case Qt::ToolTipRole:
      if (!cell.verdict) return QStringLiteral("Not decided in this class (nothing measured)");
      return QStringLiteral("best framework: %1\nbest custom: %2")
          .arg(cell.best_framework.empty() ? QStringLiteral("–")
                                           : QString::fromStdString(cell.best_framework),
               cell.best_custom.empty() ? QStringLiteral("–")
                                        : QString::fromStdString(cell.best_custom));
    default:
      return {};
  }
}

QVariant FleetModel::headerData(int section, Qt::Orientation o, int role) const {
  if (o != Qt::Horizontal || section < 0 || section >= columnCount()) return {};
  if (section < kFirstClass) {
    if (role != Qt::DisplayRole) return {};
    return section == kWorkload ? QStringLiteral("Workload") : QStringLiteral("Size");
  }
  const size_t col = size_t(section - kFirstClass);
  if (role == Qt::DisplayRole) return QString::fromStdString(fleet_.matrix.columns[col]);
  if (role == Qt::ToolTipRole && col < fleet_.classes.size()) {
    const auto& c = fleet_.classes[col];
    return QStringLiteral("hosts: %1 (%2 bench processes)").arg(join(c.hosts)).arg(c.processes);
  }
  return {};
}

}  // namespace worthit::viewer
