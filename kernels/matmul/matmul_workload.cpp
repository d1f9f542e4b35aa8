#include "matmul/matmul_workload.h"

#include <algorithm>
#include <vector>

#include "src/random_inputs.h"

namespace worthit::kernels {

namespace {
Size mm_size(const MatmulWorkload& w, int64_t m, int64_t n, int64_t k) {
  return w.make_size({{"m", m}, {"n", n}, {"k", k}});
}
}  // namespace

std::string MatmulWorkload::description() const {
  return "C = A B, fp32 GEMM, square and skinny: the framework's BLAS should win";
}

// Square: 768 KiB (L2), 3 MiB and 12 MiB (L3). Skinny, a small batch through
// a linear layer: B is 64 MiB (2x L3) and 128 MiB (4x L3), read once.
std::vector<Size> MatmulWorkload::sizes() const {
  return {mm_size(*this, 256, 256, 256), mm_size(*this, 512, 512, 512),
          mm_size(*this, 1024, 1024, 1024), mm_size(*this, 16, 4096, 4096),
          mm_size(*this, 32, 4096, 8192)};
}

std::vector<Size> MatmulWorkload::quick_sizes() const {
  return {mm_size(*this, 128, 128, 128), mm_size(*this, 8, 1024, 1024)};
}

Size MatmulWorkload::make_size(const std::map<std::string, int64_t>& params) const {
  Size s = Workload::make_size(params);
  for (const char* key : {"m", "n", "k"}) check_range(name(), key, s.at(key), 1, int64_t{1} << 20);
  // Keep every matrix under 2^30 elements (4 GiB).
  check_range(name(), "m*k", s.at("m") * s.at("k"), 1, int64_t{1} << 30);
  check_range(name(), "k*n", s.at("k") * s.at("n"), 1, int64_t{1} << 30);
  check_range(name(), "m*n", s.at("m") * s.at("n"), 1, int64_t{1} << 30);
  return s;
}

Buffers MatmulWorkload::make_inputs(const Size& size, uint64_t seed) const {
  const int64_t m = size.at("m"), n = size.at("n"), k = size.at("k");
  Buffers in;
  in.emplace_back("a", DType::f32, std::vector<int64_t>{m, k});
  in.emplace_back("b", DType::f32, std::vector<int64_t>{k, n});
  fill_uniform(in[0], seed, 0, -1.0, 1.0);
  fill_uniform(in[1], seed, 1, -1.0, 1.0);
  return in;
}

Buffers MatmulWorkload::make_outputs(const Size& size) const {
  Buffers out;
  out.emplace_back("c", DType::f32, std::vector<int64_t>{size.at("m"), size.at("n")});
  return out;
}

// Double accumulation. Eight rows of C at a time share each row of B read.
void MatmulWorkload::reference(const Buffers& inputs, Buffers& outputs) const {
  const int64_t m = inputs[0].shape()[0], k = inputs[0].shape()[1], n = inputs[1].shape()[1];
  const float* a = inputs[0].as<float>();
  const float* b = inputs[1].as<float>();
  float* c = outputs[0].as<float>();
  constexpr int64_t kRows = 8;
  const int64_t blocks = (m + kRows - 1) / kRows;
#pragma omp parallel
  {
    std::vector<double> acc(kRows * n);
#pragma omp for schedule(dynamic)
    for (int64_t blk = 0; blk < blocks; ++blk) {
      const int64_t i0 = blk * kRows, rows = std::min(kRows, m - i0);
      std::fill(acc.begin(), acc.end(), 0.0);
      for (int64_t p = 0; p < k; ++p) {
        const float* brow = b + p * n;
        for (int64_t r = 0; r < rows; ++r) {
          const double av = a[(i0 + r) * k + p];
          double* accr = acc.data() + r * n;
#pragma omp simd
          for (int64_t j = 0; j < n; ++j) accr[j] += av * brow[j];
        }
      }
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t j = 0; j < n; ++j) c[(i0 + r) * n + j] = static_cast<float>(acc[r * n + j]);
    }
  }
}

// Entries of C are sums of k products of [-1,1) values: |C| ~ sqrt(k/9), up to
// ~30 at k = 8192. fp32 accumulation in any order stays within k * 2^-24 * E|ab|
// ~ 1.2e-4 at k = 8192, and blocked sums do far better; 1e-3 absolute holds for
// k up to ~32K while a dropped k-block or bf16 rounding (~1e-2) fails.
Tolerance MatmulWorkload::tolerance(DType dtype) const {
  if (dtype == DType::f32) return {1e-3, 1e-5};
  return Workload::tolerance(dtype);
}

// Each matrix touched once: the minimum traffic (A and B read, C written).
double MatmulWorkload::bytes_moved(const Size& size) const {
  const double m = size.at("m"), n = size.at("n"), k = size.at("k");
  return 4.0 * (m * k + k * n + m * n);
}

double MatmulWorkload::flops(const Size& size) const {
  return 2.0 * static_cast<double>(size.at("m")) * size.at("n") * size.at("k");
}

}  // namespace worthit::kernels
