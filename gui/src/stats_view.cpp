#include "stats_view.h"

#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace worthit::viewer {

StatsView::StatsView(QWidget* parent)
    : QWidget(parent),
      model_(new StatsModel(this)),
      proxy_(new QSortFilterProxyModel(this)),
      table_(new QTableView(this)),
      filter_(new QLineEdit(this)),
      scope_(new QLabel(this)) {
  proxy_->setSourceModel(model_);
  proxy_->setSortRole(StatsModel::kSortRole);
  proxy_->setFilterKeyColumn(StatsModel::kName);
  proxy_->setFilterCaseSensitivity(Qt::CaseInsensitive);
  table_->setModel(proxy_);
  table_->setSortingEnabled(true);
  table_->sortByColumn(StatsModel::kTotal, Qt::DescendingOrder);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->verticalHeader()->hide();
  table_->verticalHeader()->setDefaultSectionSize(22);
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table_->horizontalHeader()->setSectionResizeMode(StatsModel::kName, QHeaderView::Stretch);
  table_->setAlternatingRowColors(true);
  filter_->setPlaceholderText(QStringLiteral("Filter by name"));
  filter_->setClearButtonEnabled(true);
  connect(filter_, &QLineEdit::textChanged, proxy_, &QSortFilterProxyModel::setFilterFixedString);
  connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
          [this](const QModelIndex& current) {
            if (!current.isValid()) return;
            emit row_activated(model_->row_at(proxy_->mapToSource(current).row()));
          });
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(scope_);
  layout->addWidget(filter_);
  layout->addWidget(table_);
}

void StatsView::set_headroom(std::map<std::string, trace::NameHeadroom> headroom) {
  const bool any = !headroom.empty();
  model_->set_headroom(std::move(headroom));
  // With bounds, what a kernel could buy at most comes first.
  table_->sortByColumn(any ? StatsModel::kCouldSave : StatsModel::kTotal, Qt::DescendingOrder);
}

void StatsView::set_index(const TimelineIndex* index) {
  index_ = index;
  clear_range();
}

void StatsView::set_range(int64_t t0, int64_t t1) {
  if (!index_) return;
  model_->set_rows(index_->aggregate(t0, t1));
  scope_->setText(QStringLiteral("Statistics for the selected range: %1 from %2 (share of %1)")
                      .arg(QString::fromStdString(format_duration(t1 - t0)),
                           QString::fromStdString(format_duration(t0 - index_->start_ns()))));
}

void StatsView::clear_range() {
  if (!index_) {
    model_->set_rows({});
    scope_->setText(QStringLiteral("No trace open"));
    return;
  }
  model_->set_rows(index_->aggregate(index_->start_ns(), index_->end_ns()));
  scope_->setText(
      QStringLiteral("Statistics for the whole trace (%1, %2 slices on %3 tracks); "
                     "drag with Shift or the right button on the timeline to pick a "
                     "range")
          .arg(QString::fromStdString(format_duration(index_->end_ns() - index_->start_ns())))
          .arg(index_->slice_count())
          .arg(index_->tracks().size()));
}

void StatsView::set_filter(const QString& text) { filter_->setText(text); }

}  // namespace worthit::viewer
