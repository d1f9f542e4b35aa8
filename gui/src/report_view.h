// The report view: a verdict card per workload (colour and reasons, sizes
// where the verdict changes), a chart of the chosen decision's candidates
// (median with confidence-interval bars, log scale when times span decades),
// its candidates table, and a roofline chart from the calibrated ceilings.
#pragma once

#include <QWidget>

#include "documents.h"

class QChartView;
class QComboBox;
class QLabel;
class QTableView;
class QVBoxLayout;

namespace worthit::viewer {

class CandidatesModel;

// The colour of a verdict, shared by the cards and the size chips.
QColor verdict_color(reports::Verdict v);

class ReportView : public QWidget {
  Q_OBJECT
 public:
  explicit ReportView(QWidget* parent = nullptr);
  void set_report(const ReportDocument* doc);  // nullptr: empty
  void show_decision(int index);
  CandidatesModel* candidates_model() { return candidates_; }
  int card_count() const { return card_count_; }
  bool has_roofline() const { return has_roofline_; }

 private:
  void rebuild_cards();
  void update_roofline(const std::string& workload);

  const ReportDocument* doc_ = nullptr;
  QLabel* header_;
  QVBoxLayout* cards_;
  QComboBox* decision_box_;
  QChartView* candidate_chart_;
  QTableView* candidate_table_;
  CandidatesModel* candidates_;
  QChartView* roofline_chart_;
  QLabel* roofline_note_;
  int card_count_ = 0;
  bool has_roofline_ = false;
};

}  // namespace worthit::viewer
