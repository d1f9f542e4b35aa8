// The fleet view: the decision matrix of a fleet run (one column per machine
// class), with the classes, the rows whose verdict changes across classes,
// the hosts without results and the warnings above and below it.
#pragma once

#include <QWidget>

#include "fleet_model.h"

class QLabel;
class QTableView;
class QTextBrowser;

namespace worthit::viewer {

class FleetView : public QWidget {
  Q_OBJECT
 public:
  explicit FleetView(QWidget* parent = nullptr);
  void set_fleet(reports::FleetReport fleet, const QString& source);
  void clear(const QString& why);
  FleetModel* model() { return model_; }
  QString summary_text() const;
  QString changes_text() const;

 private:
  FleetModel* model_;
  QTableView* table_;
  QLabel* summary_;
  QTextBrowser* changes_;
};

}  // namespace worthit::viewer
