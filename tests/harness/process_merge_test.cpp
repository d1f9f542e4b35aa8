// Pooling the results of several bench processes (worthit bench --processes).
#include <gtest/gtest.h>

#include "worthit/results/process_merge.h"
#include "worthit/results/stats.h"

using namespace worthit;

namespace {

BenchResult result(const std::string& backend, std::vector<double> samples) {
  BenchResult r;
  r.workload = "gelu";
  r.size = "n=1024";
  r.candidate = "gelu/" + backend;
  r.backend = backend;
  r.threads = 1;
  r.iterations.assign(samples.size(), 100);
  r.samples_ns = std::move(samples);
  r.stats = summarize(r.samples_ns);
  return r;
}

ResultsFile process(std::vector<BenchResult> results) {
  ResultsFile f;
  f.settings.repetitions = 3;
  f.results = std::move(results);
  return f;
}

}  // namespace

TEST(ProcessMerge, ConcatenatesSamplesAndTagsTheirProcess) {
  const auto merged = merge_process_results({
      process({result("cpp-simd", {10, 11, 12}), result("libtorch", {20, 21, 22})}),
      process({result("libtorch", {30, 31, 32}), result("cpp-simd", {13, 14, 15})}),
  });
  EXPECT_EQ(merged.settings.processes, 2);
  ASSERT_EQ(merged.results.size(), 2u);
  const BenchResult& simd = merged.results[0];
  EXPECT_EQ(simd.samples_ns, (std::vector<double>{10, 11, 12, 13, 14, 15}));
  EXPECT_EQ(simd.sample_process, (std::vector<int>{0, 0, 0, 1, 1, 1}));
  EXPECT_EQ(simd.iterations.size(), 6u);
  EXPECT_EQ(simd.stats.n, 6);
  EXPECT_DOUBLE_EQ(simd.stats.median, 12.5);
  EXPECT_EQ(merged.results[1].samples_ns, (std::vector<double>{20, 21, 22, 30, 31, 32}));
}

TEST(ProcessMerge, OneProcessIsUnchangedAndUntagged) {
  const auto merged = merge_process_results({process({result("cpp-simd", {10, 11, 12})})});
  EXPECT_EQ(merged.settings.processes, 1);
  EXPECT_TRUE(merged.results[0].sample_process.empty());
  EXPECT_EQ(merged.results[0].samples_ns, (std::vector<double>{10, 11, 12}));
}

TEST(ProcessMerge, AFailureInALaterProcessWinsAndNamesIt) {
  auto failed = result("cpp-simd", {});
  failed.status = ResultStatus::error;
  failed.reason = "timed out";
  const auto merged = merge_process_results({
      process({result("cpp-simd", {10, 11, 12})}),
      process({result("cpp-simd", {10, 11, 12})}),
      process({failed}),
  });
  const BenchResult& r = merged.results[0];
  EXPECT_EQ(r.status, ResultStatus::error);
  EXPECT_EQ(r.reason, "process 3/3: timed out");
  EXPECT_TRUE(r.samples_ns.empty());
  EXPECT_TRUE(r.sample_process.empty());
}

TEST(ProcessMerge, ProcessesThatDisagreeOnTheResultsAreAnError) {
  EXPECT_THROW(merge_process_results({process({result("cpp-simd", {1, 2, 3})}),
                                      process({result("libtorch", {1, 2, 3})})}),
               std::runtime_error);
  EXPECT_THROW(merge_process_results({process({result("cpp-simd", {1, 2, 3})}), process({})}),
               std::runtime_error);
  EXPECT_THROW(merge_process_results({}), std::runtime_error);
}

TEST(ProcessMerge, InputsThatPooledProcessesKeepThemApartUnderTheirLabels) {
  // Two hosts of one machine class, each `bench --processes 2`: four processes.
  auto pooled = [](std::vector<double> samples, std::vector<int> tags) {
    auto f = process({result("cpp-simd", std::move(samples))});
    f.settings.processes = 2;
    f.results[0].sample_process = std::move(tags);
    return f;
  };
  const auto merged =
      merge_process_results({pooled({10, 11, 12, 13}, {0, 0, 1, 1}), pooled({14, 15}, {0, 1})},
                            {"host alpha", "host beta"});
  EXPECT_EQ(merged.settings.processes, 4);
  EXPECT_EQ(merged.results[0].samples_ns, (std::vector<double>{10, 11, 12, 13, 14, 15}));
  EXPECT_EQ(merged.results[0].sample_process, (std::vector<int>{0, 0, 1, 1, 2, 3}));

  auto failed = result("cpp-simd", {});
  failed.status = ResultStatus::unavailable;
  failed.reason = "no AVX2";
  const auto with_failure = merge_process_results(
      {pooled({10, 11, 12, 13}, {0, 0, 1, 1}), process({failed})}, {"host alpha", "host beta"});
  EXPECT_EQ(with_failure.results[0].reason, "host beta: no AVX2");
  try {
    merge_process_results({process({result("cpp-simd", {1})}), process({})},
                          {"host alpha", "host beta"});
    FAIL() << "disagreeing hosts were pooled";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "host beta reported 0 results, host alpha 1");
  }
}

TEST(ProcessMerge, PoolsTheHostProbesOfEveryProcess) {
  auto a = process({result("cpp-simd", {10, 11, 12})});
  auto b = process({result("cpp-simd", {13, 14, 15})});
  auto c = process({result("cpp-simd", {16, 17, 18})});  // written before bench probed the host
  a.host = summarize_host_probes(std::vector<double>{100, 110});
  b.host = summarize_host_probes(std::vector<double>{190});
  const auto merged = merge_process_results({a, b, c});
  ASSERT_TRUE(merged.host.has_value());
  EXPECT_EQ(merged.host->probe_ns, (std::vector<double>{100, 110, 190}));
  EXPECT_DOUBLE_EQ(merged.host->max_ratio, 1.9);
  EXPECT_FALSE(merge_process_results({c, c}).host.has_value());
}
