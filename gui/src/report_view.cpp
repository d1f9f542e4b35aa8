#include "report_view.h"

#include <QComboBox>
#include <QFrame>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QScrollArea>
#include <QTableView>
#include <QVBoxLayout>
#include <QtCharts/QCategoryAxis>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QLegend>
#include <QtCharts/QLegendMarker>
#include <QtCharts/QLineSeries>
#include <QtCharts/QLogValueAxis>
#include <QtCharts/QScatterSeries>
#include <QtCharts/QValueAxis>
#include <algorithm>
#include <cmath>

#include "candidates_model.h"

namespace worthit::viewer {

QColor verdict_color(reports::Verdict v) {
  switch (v) {
    case reports::Verdict::framework_is_enough:
      return QColor(0x2e, 0x7d, 0x32);
    case reports::Verdict::use_framework_jit:
      return QColor(0x15, 0x65, 0xc0);
    case reports::Verdict::custom_worth_it:
      return QColor(0xe6, 0x51, 0x00);
    case reports::Verdict::inconclusive:
      return QColor(0x75, 0x75, 0x75);
    case reports::Verdict::custom_incorrect:
      return QColor(0xc6, 0x28, 0x28);
  }
  return Qt::gray;
}

namespace {

QString verdict_words(reports::Verdict v) {
  switch (v) {
    case reports::Verdict::framework_is_enough:
      return QStringLiteral("Framework is enough");
    case reports::Verdict::use_framework_jit:
      return QStringLiteral("Use the framework's JIT");
    case reports::Verdict::custom_worth_it:
      return QStringLiteral("Custom kernel worth it");
    case reports::Verdict::inconclusive:
      return QStringLiteral("Inconclusive");
    case reports::Verdict::custom_incorrect:
      return QStringLiteral("Custom kernel incorrect");
  }
  return {};
}

QString q(const std::string& s) { return QString::fromStdString(s).toHtmlEscaped(); }

QChart* new_chart(const QString& title) {
  auto* chart = new QChart();
  chart->setTitle(title);
  chart->setAnimationOptions(QChart::NoAnimation);
  chart->legend()->setAlignment(Qt::AlignBottom);
  chart->setMargins(QMargins(4, 4, 4, 4));
  return chart;
}

// A pale background of the verdict's colour: 12% of it over white.
QColor tint(const QColor& c) {
  auto mix = [](int v) { return 255 - (255 - v) * 12 / 100; };
  return QColor(mix(c.red()), mix(c.green()), mix(c.blue()));
}

// QChartView releases, but does not delete, the chart it showed before.
void replace_chart(QChartView* view, QChart* chart) {
  QChart* old = view->chart();
  view->setChart(chart);
  delete old;
}

// The points of framework-native or handwritten candidates, in the colours
// every chart of the viewer uses for them.
QScatterSeries* candidate_series(bool framework) {
  auto* series = new QScatterSeries();
  series->setName(framework ? QStringLiteral("framework") : QStringLiteral("handwritten"));
  series->setColor(framework ? QColor(0x15, 0x65, 0xc0) : QColor(0xe6, 0x51, 0x00));
  return series;
}

}  // namespace

ReportView::ReportView(QWidget* parent)
    : QWidget(parent),
      header_(new QLabel(this)),
      decision_box_(new QComboBox(this)),
      candidate_chart_(new QChartView(this)),
      candidate_table_(new QTableView(this)),
      candidates_(new CandidatesModel(this)),
      roofline_chart_(new QChartView(this)),
      roofline_note_(new QLabel(this)) {
  header_->setWordWrap(true);
  header_->setTextFormat(Qt::RichText);
  auto* scroll = new QScrollArea(this);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  auto* cards_widget = new QWidget(scroll);
  cards_ = new QVBoxLayout(cards_widget);
  cards_->setContentsMargins(0, 0, 6, 0);
  scroll->setWidget(cards_widget);
  scroll->setMinimumWidth(380);

  candidate_chart_->setRenderHint(QPainter::Antialiasing);
  candidate_chart_->setMinimumHeight(220);
  roofline_chart_->setRenderHint(QPainter::Antialiasing);
  roofline_chart_->setMinimumHeight(220);
  roofline_note_->setWordWrap(true);
  candidate_table_->setModel(candidates_);
  candidate_table_->verticalHeader()->hide();
  candidate_table_->verticalHeader()->setDefaultSectionSize(20);
  candidate_table_->horizontalHeader()->setSectionResizeMode(CandidatesModel::kStatus,
                                                             QHeaderView::Stretch);
  candidate_table_->setMaximumHeight(110);

  auto* right = new QVBoxLayout();
  auto* pick = new QHBoxLayout();
  pick->addWidget(new QLabel(QStringLiteral("Workload and size:"), this));
  pick->addWidget(decision_box_, 1);
  right->addLayout(pick);
  right->addWidget(candidate_chart_, 5);
  right->addWidget(candidate_table_, 0);
  right->addWidget(roofline_chart_, 3);
  right->addWidget(roofline_note_);

  auto* body = new QHBoxLayout();
  body->addWidget(scroll, 2);
  body->addLayout(right, 3);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(header_);
  layout->addLayout(body, 1);
  connect(decision_box_, &QComboBox::currentIndexChanged, this, &ReportView::show_decision);
  set_report(nullptr);
}

void ReportView::set_report(const ReportDocument* doc) {
  doc_ = doc;
  rebuild_cards();
  decision_box_->blockSignals(true);
  decision_box_->clear();
  if (doc_) {
    for (const reports::Decision& d : doc_->report.decisions)
      decision_box_->addItem(QString::fromStdString(
          d.workload + "  " + d.size + "  (" + d.device +
          (d.family.empty() ? "" : ", " + reports::family_display_name(d.family) + " user") + ")"));
  }
  decision_box_->blockSignals(false);
  // Start where there is most to see: the decision with the most measured
  // candidates, at the largest size of its workload.
  int first = 0;
  if (doc_) {
    int best_ok = -1;
    std::string best_workload;
    for (int i = 0; i < int(doc_->report.decisions.size()); ++i) {
      const reports::Decision& d = doc_->report.decisions[size_t(i)];
      const int ok = int(std::count_if(d.candidates.begin(), d.candidates.end(),
                                       [](const auto& c) { return c.status == "ok"; }));
      if (ok > best_ok || (ok == best_ok && d.workload == best_workload)) {
        best_ok = ok;
        best_workload = d.workload;
        first = i;
      }
    }
  }
  decision_box_->setCurrentIndex(doc_ && !doc_->report.decisions.empty() ? first : -1);
  show_decision(decision_box_->currentIndex());
}

void ReportView::rebuild_cards() {
  while (QLayoutItem* item = cards_->takeAt(0)) {
    delete item->widget();
    delete item;
  }
  card_count_ = 0;
  if (!doc_) {
    header_->setText(QStringLiteral("Open a report.json or results.json to see verdicts."));
    cards_->addStretch(1);
    return;
  }
  const reports::Report& r = doc_->report;
  QString head = QStringLiteral("<b>%1</b>%2 — %3, %4 threads/cores")
                     .arg(q(doc_->path.filename().string()),
                          doc_->decided_here
                              ? QStringLiteral(" (verdicts decided here with the default policy)")
                              : QString(),
                          q(r.machine.cpu_model))
                     .arg(r.machine.physical_cores);
  if (!r.machine.gpu.empty()) head += QStringLiteral(", GPU ") + q(r.machine.gpu);
  for (const std::string& w : r.warnings)
    head += QStringLiteral("<br><span style='color:#8d6e00'>⚠ %1</span>").arg(q(w));
  header_->setText(head);

  for (const reports::WorkloadSummary& w : r.workloads) {
    // The card's colour is the verdict at the largest size.
    const reports::Verdict main =
        w.verdicts.empty() ? reports::Verdict::inconclusive : w.verdicts.back();
    const QColor c = verdict_color(main);
    auto* card = new QFrame();
    card->setObjectName(QStringLiteral("card"));
    card->setStyleSheet(QStringLiteral("QFrame#card { border-left: 6px solid %1; background: "
                                       "%2; border-radius: 3px; }")
                            .arg(c.name(), tint(c).name()));
    auto* v = new QVBoxLayout(card);
    v->setContentsMargins(10, 6, 8, 6);
    QString text =
        QStringLiteral(
            "<b style='font-size:11pt'>%1</b> <span style='color:#555'>"
            "(%2)</span><br><b style='color:%3'>%4</b> — %5")
            .arg(
                q(w.workload),
                q(w.device + (w.family.empty()
                                  ? ""
                                  : ", for a " + reports::family_display_name(w.family) + " user")),
                c.name(), verdict_words(main), q(w.summary));
    QStringList chips;
    for (size_t i = 0; i < w.sizes.size(); ++i)
      chips << QStringLiteral("<span style='color:%1'>■</span> %2")
                   .arg(verdict_color(w.verdicts[i]).name(), q(w.sizes[i]));
    text += QStringLiteral("<br>") + chips.join(QStringLiteral(" &nbsp; "));
    for (const reports::VerdictChange& ch : w.changes)
      text +=
          QStringLiteral("<br>Verdict changes between <b>%1</b> and <b>%2</b>: %3 → %4")
              .arg(q(ch.from_size), q(ch.to_size), verdict_words(ch.from), verdict_words(ch.to));
    // The reasons at the largest size, in the engine's own words.
    for (auto it = r.decisions.rbegin(); it != r.decisions.rend(); ++it)
      if (it->workload == w.workload && it->device == w.device && it->family == w.family) {
        text += QStringLiteral("<br><span style='color:#333'>%1: %2</span>")
                    .arg(q(it->size), q(it->reasons));
        break;
      }
    auto* label = new QLabel(text, card);
    label->setWordWrap(true);
    label->setTextFormat(Qt::RichText);
    v->addWidget(label);
    cards_->addWidget(card);
    ++card_count_;
  }
  cards_->addStretch(1);
}

void ReportView::show_decision(int index) {
  auto* chart = new_chart(QStringLiteral("Candidates: median time per call, 95% interval"));
  if (!doc_ || index < 0 || index >= int(doc_->report.decisions.size())) {
    replace_chart(candidate_chart_, chart);
    candidates_->set_candidates({});
    update_roofline({});
    return;
  }
  const reports::Decision& d = doc_->report.decisions[size_t(index)];
  candidates_->set_candidates(d.candidates);
  std::vector<const reports::CandidateSummary*> ok;
  for (const auto& c : d.candidates)
    if (c.status == "ok" && c.median_ns > 0) ok.push_back(&c);
  // Slowest at the bottom, fastest on top.
  std::sort(ok.begin(), ok.end(), [](auto* a, auto* b) { return a->median_ns > b->median_ns; });
  chart->setTitle(QStringLiteral("%1 %2: median time per call with 95% interval "
                                 "(<span style='color:#1565c0'>framework</span>, "
                                 "<span style='color:#e65100'>handwritten</span>)")
                      .arg(QString::fromStdString(d.workload), QString::fromStdString(d.size)));
  // The title names the colours: the legend's room goes to the candidates.
  chart->legend()->hide();
  if (!ok.empty()) {
    double lo = ok.back()->ci_low_ns > 0 ? ok.back()->ci_low_ns : ok.back()->median_ns;
    double hi = 0;
    for (auto* c : ok) {
      lo = std::min(lo, c->ci_low_ns > 0 ? c->ci_low_ns : c->median_ns);
      hi = std::max(hi, std::max(c->ci_high_ns, c->median_ns));
    }
    // Times a decade or more apart only read on a log scale.
    const bool log = hi / std::max(lo, 1e-9) > 20;
    // Microseconds read better than nanoseconds on the axis.
    const double unit = hi >= 1e6 ? 1e6 : hi >= 1e3 ? 1e3 : 1;
    const QString unit_name = unit == 1e6   ? QStringLiteral("ms")
                              : unit == 1e3 ? QStringLiteral("µs")
                                            : QStringLiteral("ns");
    QAbstractAxis* x;
    if (log) {
      auto* ax = new QLogValueAxis();
      ax->setBase(10);
      ax->setLabelFormat(QStringLiteral("%g"));
      ax->setRange(lo / unit / 1.5, hi / unit * 1.5);
      ax->setMinorTickCount(8);
      x = ax;
    } else {
      auto* ax = new QValueAxis();
      ax->setRange(0, hi / unit * 1.1);
      ax->applyNiceNumbers();
      ax->setLabelFormat(QStringLiteral("%g"));
      x = ax;
    }
    x->setTitleText(QStringLiteral("time per call (%1)%2")
                        .arg(unit_name, log ? QStringLiteral(", log scale") : QString()));
    auto* y = new QCategoryAxis();
    y->setStartValue(-0.5);
    for (size_t i = 0; i < ok.size(); ++i)
      y->append(QString::fromStdString(ok[i]->candidate), double(i) + 0.5);
    y->setRange(-0.5, double(ok.size()) - 0.5);
    y->setLabelsPosition(QCategoryAxis::AxisLabelsPositionCenter);
    // Candidate names are the point of the chart: never "...".
    y->setTruncateLabels(false);
    QFont small = y->labelsFont();
    small.setPointSizeF(ok.size() > 8 ? 7.5 : 9);
    y->setLabelsFont(small);
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    auto* framework = candidate_series(/*framework=*/true);
    auto* custom = candidate_series(/*framework=*/false);
    for (auto* s : {framework, custom}) {
      s->setMarkerSize(10);
      s->setBorderColor(Qt::white);
    }
    for (size_t i = 0; i < ok.size(); ++i) {
      const auto* c = ok[i];
      (c->framework ? framework : custom)->append(c->median_ns / unit, double(i));
      // The interval as a bar with caps.
      auto* bar = new QLineSeries();
      const double a = (c->ci_low_ns > 0 ? c->ci_low_ns : c->median_ns) / unit;
      const double b = (c->ci_high_ns > 0 ? c->ci_high_ns : c->median_ns) / unit;
      *bar << QPointF(a, double(i) - 0.15) << QPointF(a, double(i) + 0.15) << QPointF(a, double(i))
           << QPointF(b, double(i)) << QPointF(b, double(i) - 0.15) << QPointF(b, double(i) + 0.15);
      bar->setPen(QPen(QColor(0x33, 0x33, 0x33), 1.5));
      chart->addSeries(bar);
      bar->attachAxis(x);
      bar->attachAxis(y);
    }
    for (auto* s : {framework, custom}) {
      chart->addSeries(s);
      s->attachAxis(x);
      s->attachAxis(y);
    }
  }
  replace_chart(candidate_chart_, chart);
  candidate_table_->resizeColumnsToContents();
  candidate_table_->horizontalHeader()->setSectionResizeMode(CandidatesModel::kStatus,
                                                             QHeaderView::Stretch);
  update_roofline(d.workload);
}

void ReportView::update_roofline(const std::string& workload) {
  auto* chart = new_chart(QStringLiteral("Roofline"));
  has_roofline_ = false;
  const ResultsFile* results = doc_ && doc_->results ? &*doc_->results : nullptr;
  if (!results || !results->calibration || results->calibration->peak_gflops <= 0 ||
      results->calibration->memory_bandwidth_gbs <= 0) {
    roofline_note_->setText(
        results ? QStringLiteral("No roofline: the results have no calibrated ceilings (run "
                                 "`worthit calibrate`, then `worthit bench`).")
                : QStringLiteral("No roofline: it needs the results.json the report came from."));
    roofline_note_->show();
    replace_chart(roofline_chart_, chart);
    return;
  }
  roofline_note_->hide();
  const Calibration& cal = *results->calibration;
  chart->setTitle(QStringLiteral("Roofline of %1: %2 GB/s, %3 GFLOP/s (%4)")
                      .arg(QString::fromStdString(workload))
                      .arg(cal.memory_bandwidth_gbs, 0, 'f', 1)
                      .arg(cal.peak_gflops, 0, 'f', 1)
                      .arg(QString::fromStdString(cal.peak_source)));
  auto* framework = candidate_series(/*framework=*/true);
  auto* custom = candidate_series(/*framework=*/false);
  double ai_lo = 1e9, ai_hi = 0, perf_lo = 1e18, perf_hi = 0;
  for (const BenchResult& r : results->results) {
    // One roofline per device: the points are the results measured where the
    // ceilings were (the CPU's, as worthit bench stores them first).
    if (r.workload != workload || r.device != cal.device || r.status != ResultStatus::ok ||
        r.flops <= 0 || r.bytes <= 0 || r.stats.median <= 0)
      continue;
    const double ai = r.flops / r.bytes;
    const double gflops = r.flops / r.stats.median;  // FLOP per ns = GFLOP/s
    (r.framework ? framework : custom)->append(ai, gflops);
    ai_lo = std::min(ai_lo, ai), ai_hi = std::max(ai_hi, ai);
    perf_lo = std::min(perf_lo, gflops), perf_hi = std::max(perf_hi, gflops);
  }
  if (ai_hi <= 0) {
    roofline_note_->setText(
        QStringLiteral("No roofline for %1: its records carry no FLOP or byte counts.")
            .arg(QString::fromStdString(workload)));
    roofline_note_->show();
    replace_chart(roofline_chart_, chart);
    return;
  }
  const double ridge = cal.peak_gflops / cal.memory_bandwidth_gbs;
  ai_lo = std::min(ai_lo, ridge) / 4, ai_hi = std::max(ai_hi, ridge) * 4;
  perf_lo = std::min(perf_lo, cal.memory_bandwidth_gbs * ai_lo) / 2;
  perf_hi = std::max(perf_hi, cal.peak_gflops) * 2;
  auto* roof = new QLineSeries();
  roof->setName(QStringLiteral("ceiling"));
  roof->setPen(QPen(QColor(0x42, 0x42, 0x42), 2));
  *roof << QPointF(ai_lo, cal.memory_bandwidth_gbs * ai_lo) << QPointF(ridge, cal.peak_gflops)
        << QPointF(ai_hi, cal.peak_gflops);
  auto* x = new QLogValueAxis();
  x->setBase(10);
  x->setLabelFormat(QStringLiteral("%g"));
  x->setTitleText(QStringLiteral("arithmetic intensity (FLOP/byte)"));
  x->setRange(ai_lo, ai_hi);
  auto* y = new QLogValueAxis();
  y->setBase(10);
  y->setLabelFormat(QStringLiteral("%g"));
  y->setTitleText(QStringLiteral("GFLOP/s"));
  y->setRange(perf_lo, perf_hi);
  chart->addAxis(x, Qt::AlignBottom);
  chart->addAxis(y, Qt::AlignLeft);
  for (QXYSeries* s : std::initializer_list<QXYSeries*>{roof, framework, custom}) {
    chart->addSeries(s);
    s->attachAxis(x);
    s->attachAxis(y);
  }
  framework->setMarkerSize(9);
  custom->setMarkerSize(9);
  replace_chart(roofline_chart_, chart);
  has_roofline_ = true;
}

}  // namespace worthit::viewer
