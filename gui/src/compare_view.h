// The compare view: two results files side by side through the reports'
// compare logic (worthit compare), regressions highlighted.
#pragma once

#include <QWidget>

#include "compare_model.h"

class QLabel;
class QSortFilterProxyModel;
class QTableView;

namespace worthit::viewer {

class CompareView : public QWidget {
  Q_OBJECT
 public:
  explicit CompareView(QWidget* parent = nullptr);
  void set_comparison(reports::Comparison c);
  void clear(const QString& why);
  CompareModel* model() { return model_; }

 private:
  CompareModel* model_;
  QSortFilterProxyModel* proxy_;
  QTableView* table_;
  QLabel* summary_;
};

}  // namespace worthit::viewer
