#include "fleet_view.h"

#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QTableView>
#include <QTextBrowser>
#include <QVBoxLayout>

#include "worthit/reports/fleet_writers.h"

namespace worthit::viewer {

FleetView::FleetView(QWidget* parent)
    : QWidget(parent),
      model_(new FleetModel(this)),
      table_(new QTableView(this)),
      summary_(new QLabel(this)),
      changes_(new QTextBrowser(this)) {
  table_->setModel(model_);
  table_->verticalHeader()->hide();
  table_->verticalHeader()->setDefaultSectionSize(22);
  table_->setSelectionBehavior(QAbstractItemView::SelectItems);
  table_->setWordWrap(false);
  summary_->setWordWrap(true);
  summary_->setTextFormat(Qt::RichText);
  auto* split = new QSplitter(Qt::Vertical, this);
  split->addWidget(table_);
  split->addWidget(changes_);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 1);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(summary_);
  layout->addWidget(split, 1);
  clear(
      QStringLiteral("Open a fleet run's folder (worthit fleet run -o DIR) or a fleet report "
                     "(worthit report DIR) to see the verdicts per machine class."));
}

void FleetView::set_fleet(reports::FleetReport fleet, const QString& source) {
  size_t hosts = 0;
  for (const auto& c : fleet.classes) hosts += c.hosts.size();
  QString text = QStringLiteral("<b>%1</b>: %2 hosts in %3 machine classes")
                     .arg(source.toHtmlEscaped())
                     .arg(hosts)
                     .arg(fleet.classes.size());
  for (const auto& c : fleet.classes) {
    QStringList names;
    for (const auto& h : c.hosts) names << QString::fromStdString(h);
    text += QStringLiteral("<br>• <b>%1</b>: %2 (%3 bench process%4)")
                .arg(QString::fromStdString(c.machine_class.label).toHtmlEscaped(),
                     names.join(QStringLiteral(", ")).toHtmlEscaped())
                .arg(c.processes)
                .arg(c.processes == 1 ? QString() : QStringLiteral("es"));
  }
  for (const auto& f : fleet.failures)
    text += QStringLiteral("<br><span style='color:#b71c1c'>✗ %1: no results (%2)</span>")
                .arg(QString::fromStdString(f.host).toHtmlEscaped(),
                     QString::fromStdString(f.reason).toHtmlEscaped());
  summary_->setText(text);

  QString html;
  if (fleet.classes.size() < 2)
    html = QStringLiteral("<p>One machine class: nothing to compare across classes.</p>");
  else if (fleet.matrix.changes.empty())
    html = QStringLiteral("<p>The verdict is the same in every class.</p>");
  else {
    html = QStringLiteral("<p><b>Where the verdict changes across classes</b></p><ul>");
    for (const auto& c : fleet.matrix.changes)
      html += QStringLiteral("<li>%1</li>")
                  .arg(QString::fromStdString(reports::describe_change(fleet.matrix, c))
                           .toHtmlEscaped());
    html += QStringLiteral("</ul>");
  }
  if (!fleet.warnings.empty()) {
    html += QStringLiteral("<p><b>Warnings</b></p><ul>");
    for (const auto& w : fleet.warnings)
      html += QStringLiteral("<li>%1</li>").arg(QString::fromStdString(w).toHtmlEscaped());
    html += QStringLiteral("</ul>");
  }
  changes_->setHtml(html);
  model_->set_fleet(std::move(fleet));
  table_->resizeColumnsToContents();
}

void FleetView::clear(const QString& why) {
  summary_->setText(why.toHtmlEscaped());
  changes_->clear();
  model_->set_fleet({});
}

QString FleetView::summary_text() const { return summary_->text(); }
QString FleetView::changes_text() const { return changes_->toPlainText(); }

}  // namespace worthit::viewer
