// Writes a synthetic Chrome trace of about N events (default 1,000,000) for the
// viewer's large-trace benchmark: 8 CPU threads of nested ranges four deep,
// kernel launches from two of them with their GPU kernels on 4 streams, and
// the CPU launch -> GPU kernel flows. Deterministic for a seed.
//
//   worthit-make-large-trace OUT.json [EVENTS] [SEED]
#include <algorithm>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

namespace {

const char* const kOps[] = {
    "aten::linear",  "aten::matmul",    "aten::addmm",   "aten::gelu",      "aten::layer_norm",
    "aten::softmax", "aten::add",       "aten::mul",     "aten::copy_",     "aten::empty",
    "aten::view",    "aten::transpose", "aten::dropout", "aten::embedding", "aten::cat",
    "aten::sum",     "aten::mean",      "aten::relu",    "aten::conv2d",    "aten::batch_norm"};
const char* const kMid[] = {"encoder.layer",  "attention",           "mlp",    "embedding", "loss",
                            "optimizer.step", "DataLoader.__next__", "collate"};
const char* const kKernels[] = {"ampere_sgemm_128x64_tn",  "vectorized_elementwise_kernel",
                                "layer_norm_kernel",       "softmax_warp_forward",
                                "reduce_kernel",           "gelu_kernel",
                                "cutlass_80_tensorop_gemm"};

struct Writer {
  FILE* f;
  int64_t events = 0;
  bool first = true;
  void raw(const char* s) { std::fputs(s, f); }
  void sep() {
    if (!first) std::fputs(",\n", f);
    first = false;
  }
  // Times are nanoseconds; the file holds microseconds with 3 decimals.
  void x(const char* name, const char* cat, int pid, int tid, int64_t ts, int64_t dur) {
    sep();
    std::fprintf(f,
                 "{\"ph\":\"X\",\"name\":\"%s\",\"cat\":\"%s\",\"pid\":%d,\"tid\":%d,"
                 "\"ts\":%" PRId64 ".%03d,\"dur\":%" PRId64 ".%03d}",
                 name, cat, pid, tid, ts / 1000, int(ts % 1000), dur / 1000, int(dur % 1000));
    ++events;
  }
  void kernel(const char* name, int stream, int64_t ts, int64_t dur, int64_t corr) {
    sep();
    std::fprintf(f,
                 "{\"ph\":\"X\",\"name\":\"%s\",\"cat\":\"kernel\",\"pid\":0,\"tid\":%d,"
                 "\"ts\":%" PRId64 ".%03d,\"dur\":%" PRId64
                 ".%03d,"
                 "\"args\":{\"stream\":%d,\"correlation\":%" PRId64 ",\"grid\":[128,1,1]}}",
                 name, stream, ts / 1000, int(ts % 1000), dur / 1000, int(dur % 1000), stream,
                 corr);
    ++events;
  }
  void flow(char ph, int pid, int tid, int64_t ts, int64_t id) {
    sep();
    std::fprintf(f,
                 "{\"ph\":\"%c\",\"name\":\"launch\",\"cat\":\"ac2g\",\"id\":%" PRId64
                 ",\"pid\":%d,\"tid\":%d,\"ts\":%" PRId64 ".%03d%s}",
                 ph, id, pid, tid, ts / 1000, int(ts % 1000), ph == 'f' ? ",\"bp\":\"e\"" : "");
    ++events;
  }
  void meta(const char* what, int pid, int tid, const std::string& name) {
    sep();
    std::fprintf(f,
                 "{\"ph\":\"M\",\"name\":\"%s\",\"pid\":%d,\"tid\":%d,\"args\":{\"name\":\"%s\"}}",
                 what, pid, tid, name.c_str());
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s OUT.json [EVENTS=1000000] [SEED=1]\n", argv[0]);
    return 1;
  }
  const int64_t target = argc > 2 ? std::atoll(argv[2]) : 1000000;
  const unsigned seed = argc > 3 ? unsigned(std::atoi(argv[3])) : 1u;
  FILE* f = std::fopen(argv[1], "w");
  if (!f) {
    std::perror(argv[1]);
    return 1;
  }
  std::mt19937_64 rng(seed);
  auto uniform = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  Writer w{f};
  w.raw("{\"traceEvents\":[\n");
  constexpr int kPid = 4242, kThreads = 8, kStreams = 4;
  w.meta("process_name", kPid, 0, "python train.py");
  w.meta("process_name", 0, 0, "GPU 0");
  for (int t = 0; t < kThreads; ++t)
    w.meta("thread_name", kPid, 100 + t, t == 0 ? "main" : "worker " + std::to_string(t));
  for (int s = 0; s < kStreams; ++s)
    w.meta("thread_name", 0, 7 + s, "stream " + std::to_string(7 + s));

  std::vector<int64_t> cursor(kThreads, 1'000'000);  // per thread, ns
  std::vector<int64_t> stream_free(kStreams, 0);
  int64_t correlation = 1;
  int64_t step = 0;
  while (w.events < target) {
    for (int t = 0; t < kThreads && w.events < target; ++t) {
      const int tid = 100 + t;
      const bool launches = t < 2;
      // One step: a top range, 3-6 mid ranges, each with 3-8 ops, each op
      // with 0-3 leaves (kernel launches on the launching threads).
      int64_t ts = cursor[size_t(t)];
      const int64_t step_start = ts;
      std::vector<std::pair<int64_t, int64_t>> unused;
      const int mids = int(uniform(3, 6));
      std::string step_name = "ProfilerStep#" + std::to_string(step);
      ts += uniform(500, 3000);
      for (int m = 0; m < mids; ++m) {
        const int64_t mid_start = ts;
        const char* mid = kMid[uniform(0, 7)];
        ts += uniform(200, 1000);
        const int ops = int(uniform(3, 8));
        for (int o = 0; o < ops; ++o) {
          const int64_t op_start = ts;
          const char* op = kOps[uniform(0, 19)];
          ts += uniform(300, 2000);
          const int leaves = int(uniform(0, 3));
          for (int l = 0; l < leaves; ++l) {
            const int64_t leaf_start = ts;
            const int64_t leaf_dur = uniform(2000, 9000);
            if (launches) {
              w.x("cudaLaunchKernel", "cuda_runtime", kPid, tid, leaf_start, leaf_dur);
              const int s = int(uniform(0, kStreams - 1));
              const int64_t k_start =
                  std::max(stream_free[size_t(s)], leaf_start + leaf_dur + uniform(3000, 8000));
              const int64_t k_dur = uniform(5000, 60000);
              stream_free[size_t(s)] = k_start + k_dur + uniform(500, 5000);
              w.kernel(kKernels[uniform(0, 6)], 7 + s, k_start, k_dur, correlation);
              w.flow('s', kPid, tid, leaf_start, correlation);
              w.flow('f', 0, 7 + s, k_start, correlation);
              ++correlation;
            } else {
              w.x(op, "cpu_op", kPid, tid, leaf_start, leaf_dur);
            }
            ts = leaf_start + leaf_dur + uniform(100, 800);
          }
          ts += uniform(300, 1500);
          w.x(op, "cpu_op", kPid, tid, op_start, ts - op_start);
          ts += uniform(50, 400);
        }
        ts += uniform(200, 800);
        w.x(mid, "user_annotation", kPid, tid, mid_start, ts - mid_start);
        ts += uniform(100, 500);
      }
      ts += uniform(500, 2000);
      w.x(step_name.c_str(), "user_annotation", kPid, tid, step_start, ts - step_start);
      // Idle between steps, as a loader waiting for data would be.
      cursor[size_t(t)] = ts + uniform(5000, 200000);
    }
    ++step;
  }
  w.raw("\n],\"displayTimeUnit\":\"ms\"}\n");
  std::fclose(f);
  std::fprintf(stderr, "wrote %s: %" PRId64 " events\n", argv[1], w.events);
  return 0;
}
