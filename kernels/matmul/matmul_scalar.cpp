// cpp-scalar matmul: the textbook triple loop (i, j, k) with a dot product per
// element of C, one thread.
#include "matmul/matmul_workload.h"
#include "src/prepared_run.h"

namespace worthit::kernels {

namespace {

void matmul_scalar(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k) {
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      float acc = 0;
      for (int64_t p = 0; p < k; ++p) acc += a[i * k + p] * b[p * n + j];
      c[i * n + j] = acc;
    }
}

}  // namespace

Candidate matmul_scalar_candidate() {
  Candidate c;
  c.workload = "matmul";
  c.backend = "cpp-scalar";
  c.description = "textbook i-j-k triple loop, single thread";
  c.sources = {"kernels/matmul/matmul_scalar.cpp"};
  c.unavailable = [] { return std::optional<std::string>(); };
  // The loop walks B by columns: ~0.7 GFLOP/s in L2, ~0.3 once B leaves it
  // (measured: 45 ms at 256^3, 0.82 s at 512^3). Over 2^25 multiply-adds a
  // call would pass the ~0.5 s limit.
  c.skip = [](const Size& s) -> std::optional<std::string> {
    const double macs = static_cast<double>(s.at("m")) * s.at("n") * s.at("k");
    if (macs > double(int64_t{1} << 25))
      return "naive triple loop would take over 0.5 s per call at this size";
    return std::nullopt;
  };
  c.prepare = [](const Buffers& in, Buffers& out, const RunContext&) {
    const float* a = in[0].as<float>();
    const float* b = in[1].as<float>();
    float* cc = out[0].as<float>();
    const int64_t m = in[0].shape()[0], k = in[0].shape()[1], n = in[1].shape()[1];
    return prepared([=] { matmul_scalar(a, b, cc, m, n, k); });
  };
  return c;
}

}  // namespace worthit::kernels
