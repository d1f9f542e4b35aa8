#include "worthit/harness/runner.h"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>

#include <benchmark/benchmark.h>

#include "worthit/harness/gate.h"
#include "worthit/results/machine.h"
#include "worthit/results/stats.h"

namespace worthit {

bool glob_match(std::string_view pattern, std::string_view text) {
  // Iterative matcher with single-star backtracking: linear for our short names.
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p, ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++, mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1, t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

namespace {

bool any_match(const std::vector<std::string>& globs, std::string_view text) {
  return std::any_of(globs.begin(), globs.end(),
                     [&](const std::string& g) { return glob_match(g, text); });
}

// Keeps the last measured run; Google Benchmark calls it once per benchmark.
class CaptureReporter : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context&) override { return true; }
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const auto& run : runs) {
      if (run.run_type != Run::RT_Iteration) continue;
      if (run.error_occurred) {
        error = run.error_message;
        continue;
      }
      // Real time per iteration, in the run's unit (we ask for nanoseconds);
      // with UseManualTime it is the manual time.
      measurement.ns_per_call = run.GetAdjustedRealTime();
      measurement.iterations = run.iterations;
    }
  }
  Measurement measurement;
  std::string error;
};

// Runs the one registered benchmark `b` for a fixed iteration count (when
// `fixed_iterations` > 0) or for at least min_time_s, and returns its
// measurement; a benchmark error or an empty run throws.
Measurement run_registered(benchmark::internal::Benchmark* b, int64_t fixed_iterations,
                           double min_time_s) {
  b->Unit(benchmark::kNanosecond);
  if (fixed_iterations > 0)
    b->Iterations(fixed_iterations);
  else
    b->MinTime(min_time_s);
  CaptureReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::ClearRegisteredBenchmarks();
  if (!reporter.error.empty()) throw std::runtime_error(reporter.error);
  if (reporter.measurement.iterations == 0) throw std::runtime_error("benchmark produced no run");
  return reporter.measurement;
}

void spin_for(std::chrono::nanoseconds d) {
  const auto until = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < until) {
  }
}

// Untimed calls for at least `seconds`, one at least (measure_repetition's comment says why).
void warm_up(const std::function<void()>& run, double seconds) {
  if (seconds <= 0) return;
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  do run();
  while (std::chrono::steady_clock::now() < until);
}

Measurement measure(const std::string& name, const std::function<void()>& run, double min_time_s,
                    int64_t fixed_iterations, double warmup_s) {
  const double slowdown = planted_slowdown_for(name);
  // A repetition of one call is one whose call fills min_time by itself: the
  // wake-up costs milliseconds of it, and an untimed call would double the
  // repetition (csv_parse's numpy-loadtxt: 2 s a call). Its first repetition
  // still warms up, so that a cold first call cannot set that count.
  if (fixed_iterations != 1) warm_up(run, warmup_s);
  // The planted delay is a fraction of the fastest call seen so far, not of
  // the call just made: a call stretched by preemption would otherwise
  // stretch its delay too and make the planted slowdown noisier than real.
  static std::map<std::string, std::chrono::nanoseconds> fastest_call;
  benchmark::ClearRegisteredBenchmarks();
  auto* b = benchmark::RegisterBenchmark(name.c_str(), [&](benchmark::State& state) {
    if (slowdown > 0) {
      auto& fastest = fastest_call.try_emplace(name, std::chrono::nanoseconds::max()).first->second;
      for (auto _ : state) {
        const auto t0 = std::chrono::steady_clock::now();
        run();
        fastest = std::min(fastest, std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        std::chrono::steady_clock::now() - t0));
        spin_for(std::chrono::duration_cast<std::chrono::nanoseconds>(fastest * slowdown));
      }
    } else {
      for (auto _ : state) run();
    }
  });
  b->UseRealTime();
  return run_registered(b, fixed_iterations, min_time_s);
}

// Device time: Google Benchmark's manual time, fed by the candidate's own
// CUDA-event measurement. A planted slowdown scales the reported time.
Measurement measure_device(const std::string& name, const std::function<double()>& timed_run,
                           int64_t calls, double min_time_s, int64_t fixed_invocations) {
  if (calls < 1) throw std::invalid_argument(name + ": calls_per_timed_run must be >= 1");
  const double scale = 1.0 + planted_slowdown_for(name);
  if (fixed_invocations <= 0)
    for (int i = 0; i < 2; ++i) timed_run();  // warm-up: clocks, caches, lazy module loads
  benchmark::ClearRegisteredBenchmarks();
  auto* b = benchmark::RegisterBenchmark(name.c_str(), [&](benchmark::State& state) {
    for (auto _ : state) state.SetIterationTime(timed_run() * scale);
  });
  b->UseManualTime();
  Measurement m = run_registered(b, fixed_invocations, min_time_s);
  m.ns_per_call /= static_cast<double>(calls);
  m.iterations *= calls;
  return m;
}

BenchResult base_record(const Workload& w, const Size& size, const Candidate& c, int threads) {
  BenchResult r;
  r.workload = w.name();
  r.size = size.label;
  r.params = size.params;
  r.candidate = c.name();
  r.backend = c.backend;
  r.framework = c.framework;
  r.family = c.family;
  r.language = c.language;
  r.device = c.device;
  r.threads = threads;
  r.bytes = w.bytes_moved(size);
  r.flops = w.flops(size);
  r.sources = c.sources;
  r.toolchains = c.toolchains;
  return r;
}

}  // namespace

double planted_slowdown_for(const std::string& candidate_name) {
  const char* env = std::getenv("WORTHIT_PLANT_SLOWDOWN");
  if (!env || !*env) return 0;
  std::stringstream rules(env);
  std::string rule;
  while (std::getline(rules, rule, ',')) {
    auto eq = rule.rfind('=');
    if (eq == std::string::npos) continue;
    std::string pct = rule.substr(eq + 1);
    if (!pct.empty() && pct.back() == '%') pct.pop_back();
    if (glob_match(rule.substr(0, eq), candidate_name))
      return std::strtod(pct.c_str(), nullptr) / 100.0;
  }
  return 0;
}

Measurement measure_once(const std::string& name, const std::function<void()>& run,
                         double min_time_s) {
  return measure(name, run, min_time_s, 0, 0);
}

Measurement measure_repetition(const std::string& name, const std::function<void()>& run,
                               double min_time_s, int64_t fixed_iterations, double warmup_s) {
  return measure(name, run, min_time_s, fixed_iterations, warmup_s);
}

Measurement measure_device_once(const std::string& name, const std::function<double()>& timed_run,
                                int64_t calls_per_timed_run, double min_time_s,
                                int64_t fixed_invocations) {
  return measure_device(name, timed_run, calls_per_timed_run, min_time_s, fixed_invocations);
}

Selection select(const Registry& registry, const BenchOptions& options) {
  Selection selection;
  std::vector<std::map<std::string, int64_t>> specs;
  for (const auto& s : options.sizes) specs.push_back(parse_size_params(s));
  std::vector<bool> spec_used(specs.size(), false);

  for (const Workload* w : registry.workloads()) {
    if (!any_match(options.workload_globs, w->name())) continue;
    Selection::Item item{w, {}, {}};
    if (specs.empty()) {
      item.sizes = options.quick ? w->quick_sizes() : w->sizes();
    } else {
      const auto keys = w->size_keys();
      for (size_t i = 0; i < specs.size(); ++i) {
        bool fits =
            specs[i].size() == keys.size() &&
            std::all_of(keys.begin(), keys.end(), [&](auto& k) { return specs[i].count(k); });
        if (!fits) continue;
        item.sizes.push_back(w->make_size(specs[i]));
        spec_used[i] = true;
      }
    }
    for (const Candidate* c : registry.candidates(w->name()))
      if (any_match(options.backend_globs, c->backend) ||
          any_match(options.backend_globs, c->name()))
        item.candidates.push_back(c);
    if (!item.sizes.empty()) selection.items.push_back(std::move(item));
  }
  for (size_t i = 0; i < specs.size(); ++i)
    if (!spec_used[i])
      throw std::invalid_argument("size '" + options.sizes[i] +
                                  "' fits no selected workload (see 'worthit list')");
  return selection;
}

SamplingOptions BenchOptions::sampling() const {
  SamplingOptions s;
  s.min_repetitions = std::max(1, repetitions);
  s.target_ci = target_ci;
  s.max_time_s = max_time_s;
  return s;
}

namespace {

// The C++ candidates of this process. Each case's inputs, reference and
// prepared runs live in `current_` from prepare() to release(); the sources
// handed to the schedule point into it.
class LocalParticipant final : public Participant {
 public:
  LocalParticipant(const Registry& registry, const Selection& selection,
                   const BenchOptions& options)
      : selection_(selection), options_(options) {
    threads_ = options.threads > 0 ? options.threads : physical_core_count();
    omp_set_num_threads(threads_);
    registry.set_threads(threads_);
  }

  std::string name() const override { return "C++"; }

  std::vector<CaseKey> cases() override {
    std::vector<CaseKey> out;
    for (const auto& item : selection_.items) {
      if (item.candidates.empty()) continue;
      for (const Size& size : item.sizes)
        out.push_back({item.workload->name(), size.label, size.params});
    }
    return out;
  }

  PreparedCase prepare(const CaseKey& key,
                       const std::function<void(const std::string&)>& say) override {
    const Selection::Item* item = nullptr;
    const Size* size = nullptr;
    for (const auto& it : selection_.items)
      if (it.workload->name() == key.workload)
        for (const Size& s : it.sizes)
          if (s.label == key.size) item = &it, size = &s;
    PreparedCase out;
    if (!item) return out;
    const Workload& w = *item->workload;
    current_ = std::make_unique<Current>();
    say("generating inputs and reference");
    current_->inputs = w.make_inputs(*size, options_.seed);
    Buffers expected = w.make_outputs(*size);
    w.reference(current_->inputs, expected);

    // Gate every candidate first; only the correct ones are timed.
    const RunContext ctx{threads_};
    for (const Candidate* c : item->candidates) {
      BenchResult r = base_record(w, *size, *c, threads_);
      if (auto why = c->unavailable ? c->unavailable() : std::nullopt) {
        r.status = ResultStatus::unavailable;
        r.reason = *why;
      } else if (auto skip = c->skip ? c->skip(*size) : std::nullopt) {
        r.status = ResultStatus::skipped;
        r.reason = *skip;
      } else {
        try {
          auto t = std::make_unique<Timed>();
          t->outputs = w.make_outputs(*size);
          t->prepared = c->prepare(current_->inputs, t->outputs, ctx);
          r.correctness = run_correctness_gate(w, t->prepared, expected, t->outputs);
          if (!r.correctness.passed) {
            r.status = ResultStatus::incorrect;
            r.reason = r.correctness.detail;
          } else {
            out.source_row.push_back(static_cast<int>(out.rows.size()));
            out.sources.push_back({r.candidate, bind(*t, r.candidate)});
            current_->timed.push_back(std::move(t));
          }
        } catch (const std::exception& e) {
          r.status = ResultStatus::error;
          r.reason = e.what();
        }
      }
      if (r.status != ResultStatus::ok && r.status != ResultStatus::unavailable)
        say(c->backend + " " + to_string(r.status) + ": " + r.reason);
      out.rows.push_back(std::move(r));
    }
    return out;
  }

  void release(const CaseKey&) override { current_.reset(); }

 private:
  struct Timed {
    Buffers outputs;
    PreparedRun prepared;
    int64_t iterations = 0;  // found in the first repetition, reused after
  };
  struct Current {
    Buffers inputs;
    std::vector<std::unique_ptr<Timed>> timed;
  };

  // One repetition of a gated candidate. The first finds an iteration count
  // that fills min_time; later ones reuse it so every sample averages the
  // same calls. Device-timed candidates (GPU) report their own device time;
  // `iterations` then counts timed_run invocations.
  std::function<Measurement()> bind(Timed& t, const std::string& name) const {
    const double min_time = options_.min_time_s;
    const double warmup = options_.warmup_s;
    return [&t, name, min_time, warmup] {
      const PreparedRun& p = t.prepared;
      Measurement m = p.timed_run ? measure_device(name, p.timed_run, p.calls_per_timed_run,
                                                   min_time, t.iterations)
                                  : measure(name, p.run, min_time, t.iterations, warmup);
      t.iterations = p.timed_run ? m.iterations / p.calls_per_timed_run : m.iterations;
      return m;
    };
  }

  const Selection& selection_;
  const BenchOptions& options_;
  int threads_ = 1;
  std::unique_ptr<Current> current_;
};

}  // namespace

std::unique_ptr<Participant> make_local_participant(const Registry& registry,
                                                    const Selection& selection,
                                                    const BenchOptions& options) {
  return std::make_unique<LocalParticipant>(registry, selection, options);
}

std::vector<BenchResult> run_benchmarks(const Registry& registry, const Selection& selection,
                                        const BenchOptions& options, const ProgressFn& progress) {
  auto local = make_local_participant(registry, selection, options);
  return run_schedule({local.get()}, options.sampling(), progress);
}

void annotate_results(std::vector<BenchResult>& results,
                      const std::vector<Calibration>& calibrations) {
  // Cold (L2-flushed) device measurements, backends named "*-cold"
  // (docs/gpu.md), are compared with cold framework ones only.
  auto group = [](const BenchResult& r) {
    return r.backend.ends_with("-cold") ? r.device + "/cold" : r.device;
  };
  std::map<std::tuple<std::string, std::string, std::string>, double> best_framework;
  for (auto& r : results) {
    if (r.status != ResultStatus::ok || r.stats.median <= 0) continue;
    r.gbps = r.bytes / r.stats.median;  // bytes per ns == GB/s
    r.gflops = r.flops / r.stats.median;
    const auto cal = std::find_if(calibrations.begin(), calibrations.end(),
                                  [&](const Calibration& c) { return c.device == r.device; });
    r.pct_bandwidth = r.pct_peak_flops = 0;
    if (cal != calibrations.end()) {
      const Calibration* calibration = &*cal;
      r.pct_bandwidth = calibration->memory_bandwidth_gbs > 0
                            ? 100.0 * r.gbps / calibration->memory_bandwidth_gbs
                            : 0;
      r.pct_peak_flops =
          calibration->peak_gflops > 0 ? 100.0 * r.gflops / calibration->peak_gflops : 0;
    }
    if (r.framework) {
      auto key = std::make_tuple(r.workload, r.size, group(r));
      auto it = best_framework.find(key);
      if (it == best_framework.end() || r.stats.median < it->second)
        best_framework[key] = r.stats.median;
    }
  }
  for (auto& r : results) {
    r.speedup_vs_best_framework.reset();
    if (r.status != ResultStatus::ok || r.stats.median <= 0) continue;
    auto it = best_framework.find(std::make_tuple(r.workload, r.size, group(r)));
    if (it != best_framework.end()) r.speedup_vs_best_framework = it->second / r.stats.median;
  }
}

}  // namespace worthit
