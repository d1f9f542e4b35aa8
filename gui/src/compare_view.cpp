#include "compare_view.h"

#include <QHeaderView>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace worthit::viewer {

CompareView::CompareView(QWidget* parent)
    : QWidget(parent),
      model_(new CompareModel(this)),
      proxy_(new QSortFilterProxyModel(this)),
      table_(new QTableView(this)),
      summary_(new QLabel(this)) {
  proxy_->setSourceModel(model_);
  proxy_->setSortRole(CompareModel::kSortRole);
  table_->setModel(proxy_);
  table_->setSortingEnabled(true);
  table_->sortByColumn(CompareModel::kResult, Qt::AscendingOrder);
  table_->verticalHeader()->hide();
  table_->verticalHeader()->setDefaultSectionSize(22);
  table_->horizontalHeader()->setSectionResizeMode(CompareModel::kName, QHeaderView::Stretch);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  summary_->setWordWrap(true);
  summary_->setTextFormat(Qt::RichText);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(summary_);
  layout->addWidget(table_);
  clear(QStringLiteral("Open two results files to compare them (base first, then new)."));
}

void CompareView::set_comparison(reports::Comparison c) {
  QString text = QStringLiteral("<b>%1</b> → <b>%2</b><br>")
                     .arg(QString::fromStdString(c.base_path).toHtmlEscaped(),
                          QString::fromStdString(c.new_path).toHtmlEscaped());
  text += c.regression
              ? QStringLiteral("<span style='color:#b71c1c'><b>Regression</b></span>: ")
              : QStringLiteral("<span style='color:#2e7d32'><b>No regression</b></span>: ");
  QStringList counts;
  for (const auto& [kind, n] : c.counts)
    if (n) counts << QStringLiteral("%1 %2").arg(n).arg(QString::fromStdString(kind));
  text += counts.join(QStringLiteral(", "));
  text += QStringLiteral(" (threshold %1%, α = %2)")
              .arg(c.options.threshold * 100)
              .arg(c.options.alpha);
  for (const std::string& w : c.warnings)
    text += QStringLiteral("<br><span style='color:#8d6e00'>⚠ %1</span>")
                .arg(QString::fromStdString(w).toHtmlEscaped());
  summary_->setText(text);
  model_->set_comparison(std::move(c));
  table_->resizeColumnsToContents();
  table_->horizontalHeader()->setSectionResizeMode(CompareModel::kName, QHeaderView::Stretch);
}

void CompareView::clear(const QString& why) {
  summary_->setText(why.toHtmlEscaped());
  model_->set_comparison({});
}

}  // namespace worthit::viewer
