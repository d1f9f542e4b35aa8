// Every item model of the viewer under QAbstractItemModelTester, filled from
// the fixtures, reset, sorted and filtered; plus what each model must say.
#include <QAbstractItemModelTester>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QtTest>

#include "bottlenecks_model.h"
#include "candidates_model.h"
#include "compare_model.h"
#include "compare_view.h"
#include "documents.h"
#include "fleet_model.h"
#include "gui_test_main.h"
#include "report_reader.h"
#include "stats_model.h"
#include "stats_view.h"
#include "worthit/reports/fleet_writers.h"
#include "worthit/reports/hot_ops_section.h"
#include "worthit/trace/steps.h"

using namespace worthit;
using namespace worthit::viewer;

namespace {

reports::Comparison fixture_comparison() {
  return reports::compare(reports::read_benchmark_set(fixture("results_base.json").toStdString()),
                          reports::read_benchmark_set(fixture("results_new.json").toStdString()));
}

void tester(QAbstractItemModel* m) {
  new QAbstractItemModelTester(m, QAbstractItemModelTester::FailureReportingMode::QtTest, m);
}

}  // namespace

class ModelsTest : public QObject {
  Q_OBJECT
 private slots:
  void stats_model() {
    auto doc = open_trace(fixture("trace_worthit.json").toStdString());
    StatsModel model;
    tester(&model);
    QCOMPARE(model.rowCount(), 0);
    const auto& index = *doc->index;
    model.set_rows(index.aggregate(index.start_ns(), index.end_ns()));
    QCOMPARE(model.rowCount(), 10);  // cudaLaunchKernel twice: one row
    QCOMPARE(model.columnCount(), int(StatsModel::kColumns));
    // Biggest total first: the step and the loader thread's batch.
    QCOMPARE(model.index(0, StatsModel::kName).data().toString(), QStringLiteral("step"));
    QCOMPARE(model.index(0, StatsModel::kShare).data().toString(), QStringLiteral("100.0%"));
    QCOMPARE(model.index(0, StatsModel::kTotal).data(StatsModel::kSortRole).toLongLong(),
             qlonglong(1000000));
    model.set_rows(index.aggregate(0, 100000));
    QVERIFY(model.rowCount() > 0);
  }

  void stats_view_sorts_and_filters() {
    auto doc = open_trace(fixture("trace_worthit.json").toStdString());
    StatsView view;
    tester(view.proxy());
    view.set_index(doc->index.get());
    view.table()->sortByColumn(StatsModel::kSelf, Qt::DescendingOrder);
    QSortFilterProxyModel* p = view.proxy();
    // Sorted by the number, not the text ("800 us" > "60 us").
    for (int r = 1; r < p->rowCount(); ++r)
      QVERIFY(p->index(r - 1, StatsModel::kSelf).data(StatsModel::kSortRole).toLongLong() >=
              p->index(r, StatsModel::kSelf).data(StatsModel::kSortRole).toLongLong());
    QCOMPARE(p->index(0, StatsModel::kName).data().toString(), QStringLiteral("load_batch"));
    view.set_filter(QStringLiteral("KERNEL"));
    QCOMPARE(p->rowCount(), 3);  // cudaLaunchKernel, sgemm_kernel, gelu_kernel
    view.set_filter(QString());
    view.set_range(0, 100000);
    QVERIFY(p->rowCount() < 10);
    view.clear_range();
    QCOMPARE(p->rowCount(), 10);
  }

  void bottlenecks_model() {
    auto doc = open_trace(fixture("trace_worthit.json").toStdString());
    BottlenecksModel model;
    tester(&model);
    model.set_findings(trace::find_bottlenecks(doc->index->slices()));
    QVERIFY(model.rowCount() >= 3);
    // Ranked by the time at stake.
    for (int r = 1; r < model.rowCount(); ++r)
      QVERIFY(model.index(r - 1, 0).data(Qt::UserRole).toLongLong() >=
              model.index(r, 0).data(Qt::UserRole).toLongLong());
    bool idle = false, self = false;
    for (int r = 0; r < model.rowCount(); ++r) {
      idle = idle || model.finding(r).kind == "gpu-idle";
      self = self || model.finding(r).kind == "self-time";
      QVERIFY(!model.index(r, 1).data(Qt::ToolTipRole).toString().isEmpty());
    }
    QVERIFY(idle);
    QVERIFY(self);
    model.set_findings({});
    QCOMPARE(model.rowCount(), 0);
  }

  // trace_torch_ops.json: 3 iterations of a 512^3 fp32 GEMM (500 us) and
  // gelu(x * 2 + 1) on 64k floats (3 x 100 us); ceilings 40 GB/s, 1000 GFLOP/s.
  void hot_ops_lead_the_bottlenecks_with_their_bound() {
    auto doc = open_trace(fixture("trace_torch_ops.json").toStdString());
    trace::BottleneckOptions options;
    options.ceilings = reports::calibrated_ceilings(fixture("calibration.json").toStdString());
    QCOMPARE(options.ceilings.size(), size_t(1));
    BottlenecksModel model;
    tester(&model);
    model.set_findings(trace::find_bottlenecks(doc->index->slices(), options));
    for (int r = 1; r < model.rowCount(); ++r)
      QVERIFY(model.index(r - 1, 0).data(Qt::UserRole).toLongLong() >=
              model.index(r, 0).data(Qt::UserRole).toLongLong());
    int mm = -1, fusion = -1;
    for (int r = 0; r < model.rowCount(); ++r) {
      const Finding& f = model.finding(r);
      if (f.kind == "hot-op" && f.title.starts_with("aten::mm")) mm = r;
      if (f.kind == "fusion") fusion = r;
      QVERIFY2(!(f.kind == "self-time" && f.title.starts_with("aten::")), f.title.c_str());
    }
    QVERIFY(mm >= 0);
    QVERIFY(fusion >= 0);
    // Roofline 2 * 512^3 / 1000 GFLOP/s = 268.4 us; measured 500 us: bound 1.86x.
    const Finding& f = model.finding(mm);
    QCOMPARE(f.slices.size(), size_t(3));  // the calls inside the iterations
    QCOMPARE(model.index(mm, BottlenecksModel::kShare).data().toString(), QStringLiteral("50.0%"));
    QCOMPARE(model.index(mm, BottlenecksModel::kBound).data().toString(), QStringLiteral("1.86x"));
    QCOMPARE(model.index(mm, BottlenecksModel::kCeiling).data().toString(),
             QStringLiteral("53.7%"));
    // At stake: what a kernel at the limit could save, 1.5 ms * (1 - 268.4 / 500).
    QVERIFY(std::abs(double(f.at_stake_ns) - 1.5e6 * (1 - 268435.456 / 500000)) < 2);
    QVERIFY(model.finding(fusion).title.find("Fuse 3 elementwise ops") != std::string::npos);
    QCOMPARE(model.finding(fusion).slices.size(), size_t(3));
    // Without ceilings: hot ops still listed, without a bound.
    model.set_findings(trace::find_bottlenecks(doc->index->slices()));
    QVERIFY(model.rowCount() > 0);
    QVERIFY(model.index(0, BottlenecksModel::kBound).data().toString().isEmpty());
  }

  void stats_view_sorts_by_what_a_kernel_could_save() {
    auto doc = open_trace(fixture("trace_torch_ops.json").toStdString());
    StatsView view;
    tester(view.proxy());
    view.set_index(doc->index.get());
    trace::HotOpsOptions hot;
    hot.top = 100;
    hot.ceilings = reports::calibrated_ceilings(fixture("calibration.json").toStdString());
    const auto& slices = doc->index->slices();
    view.set_headroom(
        trace::headroom_by_name(trace::hot_ops(slices, trace::find_steps(slices), hot)));
    QSortFilterProxyModel* p = view.proxy();
    QCOMPARE(p->index(0, StatsModel::kName).data().toString(), QStringLiteral("aten::mm"));
    QCOMPARE(p->index(0, StatsModel::kBound).data().toString(), QStringLiteral("1.86x"));
    // 4 calls in the whole trace, 2 ms of self time: a kernel could save 926 us.
    QCOMPARE(p->index(0, StatsModel::kCouldSave).data().toString(), QStringLiteral("926 us"));
    for (int r = 1; r < p->rowCount(); ++r)
      QVERIFY(p->index(r - 1, StatsModel::kCouldSave).data(StatsModel::kSortRole).toDouble() >=
              p->index(r, StatsModel::kCouldSave).data(StatsModel::kSortRole).toDouble());
    // Ranges without a bound (the optimizer step) show none.
    for (int r = 0; r < p->rowCount(); ++r)
      if (p->index(r, StatsModel::kName).data().toString().startsWith(QStringLiteral("Optimizer")))
        QVERIFY(p->index(r, StatsModel::kBound).data().toString().isEmpty());
  }

  void bottlenecks_include_the_input_bound_diagnosis() {
    // 40 us of "data" before each 60 us "step": 40% of each iteration waits.
    auto doc = open_trace(fixture("trace_steps.json").toStdString());
    const auto findings = trace::find_bottlenecks(doc->index->slices());
    auto it = std::find_if(findings.begin(), findings.end(),
                           [](const Finding& f) { return f.kind == "input-bound"; });
    QVERIFY(it != findings.end());
    QVERIFY2(it->title.find("40.0%") != std::string::npos, it->title.c_str());
    QVERIFY(it->end_ns > it->start_ns);
  }

  void candidates_model() {
    const reports::Report report = read_report(fixture("report.json").toStdString());
    CandidatesModel model;
    tester(&model);
    QCOMPARE(report.decisions.size(), size_t(2));
    model.set_candidates(report.decisions[1].candidates);
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(model.index(0, CandidatesModel::kCandidate).data().toString(),
             QStringLiteral("gelu/cpp-simd"));
    QCOMPARE(model.index(0, CandidatesModel::kKind).data().toString(),
             QStringLiteral("handwritten"));
    model.set_candidates(report.decisions[0].candidates);
    QCOMPARE(model.rowCount(), 4);
  }

  void compare_model_highlights_regressions() {
    CompareModel model;
    tester(&model);
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setSortRole(CompareModel::kSortRole);
    tester(&proxy);
    model.set_comparison(fixture_comparison());
    QCOMPARE(model.rowCount(), 8);
    int regressed = 0, improved = 0;
    for (int r = 0; r < model.rowCount(); ++r) {
      const QString kind = model.index(r, CompareModel::kResult).data().toString();
      const QColor bg =
          model.index(r, CompareModel::kName).data(Qt::BackgroundRole).value<QColor>();
      if (kind == QLatin1String("regressed")) {
        ++regressed;
        QVERIFY(bg.red() > bg.green());
        QVERIFY(model.index(r, CompareModel::kName).data().toString().contains("cpp-simd"));
      }
      if (kind == QLatin1String("improved")) {
        ++improved;
        QVERIFY(bg.green() > bg.red());
      }
    }
    QCOMPARE(regressed, 2);
    QCOMPARE(improved, 2);
    proxy.sort(CompareModel::kChange, Qt::DescendingOrder);
    QVERIFY(proxy.index(0, CompareModel::kChange).data(CompareModel::kSortRole).toDouble() > 0.1);
    model.set_comparison({});
    QCOMPARE(proxy.rowCount(), 0);
  }

  void fleet_model_has_a_column_per_machine_class() {
    FleetModel model;
    tester(&model);
    const FleetDocument doc = open_fleet(fixture("fleet").toStdString());
    QVERIFY(doc.decided_here);
    model.set_fleet(doc.fleet);
    QCOMPARE(model.rowCount(), 2);  // gelu at two sizes
    QCOMPARE(model.columnCount(), FleetModel::kFirstClass + 2);
    QCOMPARE(model.headerData(FleetModel::kFirstClass, Qt::Horizontal, Qt::DisplayRole).toString(),
             QStringLiteral("Intel Xeon ×2 (CPU only)"));
    QCOMPARE(
        model.headerData(FleetModel::kFirstClass + 1, Qt::Horizontal, Qt::DisplayRole).toString(),
        QStringLiteral("AMD EPYC 9B14 ×2 (CPU only)"));
    QVERIFY(model.headerData(FleetModel::kFirstClass, Qt::Horizontal, Qt::ToolTipRole)
                .toString()
                .contains(QLatin1String("alpha")));
    QCOMPARE(model.index(0, FleetModel::kWorkload).data().toString(), QStringLiteral("gelu"));
    QCOMPARE(model.index(0, FleetModel::kSize).data().toString(), QStringLiteral("n=4096"));
    for (int r = 0; r < model.rowCount(); ++r)
      for (int c = 0; c < 2; ++c) {
        const auto& cell = doc.fleet.matrix.rows[size_t(r)].cells[size_t(c)];
        const QModelIndex i = model.index(r, FleetModel::kFirstClass + c);
        QCOMPARE(i.data().toString(), QString::fromStdString(reports::matrix_cell_text(cell)));
        QVERIFY(
            i.data().toString().startsWith(QString::fromLatin1(reports::to_string(*cell.verdict))));
        QVERIFY(i.data(Qt::BackgroundRole).value<QColor>().isValid());
      }
    // The rows whose verdict differs between the classes are the bold ones.
    for (int r = 0; r < model.rowCount(); ++r) {
      const auto& cells = doc.fleet.matrix.rows[size_t(r)].cells;
      const bool differs = cells[0].verdict != cells[1].verdict;
      QCOMPARE(model.changes(r), differs);
      QCOMPARE(model.index(r, FleetModel::kWorkload).data(Qt::FontRole).isValid(), differs);
    }
    model.set_fleet({});
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.columnCount(), FleetModel::kFirstClass);
  }
};

WORTHIT_GUI_TEST_MAIN(ModelsTest)
#include "tst_models.moc"
