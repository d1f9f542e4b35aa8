// cpp-simd matmul: a blocked, packed GEMM in the Goto/BLIS style.
//
// Loops, outer to inner: a column block of C (NC), a depth block (KC: B block
// packed into NR-wide strips, kept in L2), a row block (MC: A block packed into
// MR-tall strips), then the MR x NR micro-kernel whose 16 accumulators live in
// vector registers. The micro-kernel uses GCC vector extensions (16 floats per
// vector) and is cloned for AVX-512 / AVX2 / SSE2 (src/simd_dispatch.h); on
// AVX-512 each vector is one zmm register. Threads take disjoint column ranges
// of C (or row ranges when C is too narrow), pack their own blocks and never
// synchronise.
#include <omp.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "matmul/matmul_workload.h"
#include "src/parallel_range.h"
#include "src/prepared_run.h"
#include "src/simd_dispatch.h"

namespace worthit::kernels {

namespace {

constexpr int64_t kMR = 8;    // rows of the micro-tile
constexpr int64_t kNR = 32;   // columns of the micro-tile: two 16-float vectors
constexpr int64_t kKC = 256;  // depth block: an NR strip of B is 32 KiB
constexpr int64_t kMC = 128;  // A block: 128 KiB
constexpr int64_t kNC = 512;  // B block: 512 KiB

typedef float v16f __attribute__((vector_size(64)));

// Unaligned access to C through memcpy, which compiles to one unaligned vector
// move (an under-aligned vector typedef loses its attribute through `auto`).
// Vectors pass by reference: by value they would change the ABI between clones.
inline void load_unaligned(v16f& v, const float* p) { std::memcpy(&v, p, sizeof v); }
inline void store_unaligned(float* p, const v16f& v) { std::memcpy(p, &v, sizeof v); }

// Packs A[0:mc, 0:kc] (row stride lda) into MR-row strips, each stored k-major
// ([p][r]), rows past mc zero-filled.
WORTHIT_SIMD_CLONES
void pack_a(const float* a, int64_t lda, int64_t mc, int64_t kc, float* __restrict out) {
  for (int64_t i0 = 0; i0 < mc; i0 += kMR) {
    const int64_t rows = std::min(kMR, mc - i0);
    float* strip = out + i0 * kc;
    for (int64_t r = 0; r < kMR; ++r) {
      const float* src = a + (i0 + r) * lda;
      if (r < rows)
        for (int64_t p = 0; p < kc; ++p) strip[p * kMR + r] = src[p];
      else
        for (int64_t p = 0; p < kc; ++p) strip[p * kMR + r] = 0.0f;
    }
  }
}

// Packs B[0:kc, 0:nc] (row stride ldb) into NR-column strips, each stored
// k-major ([p][j]), columns past nc zero-filled.
WORTHIT_SIMD_CLONES
void pack_b(const float* b, int64_t ldb, int64_t kc, int64_t nc, float* __restrict out) {
  for (int64_t j0 = 0; j0 < nc; j0 += kNR) {
    const int64_t cols = std::min(kNR, nc - j0);
    float* strip = out + j0 * kc;
    for (int64_t p = 0; p < kc; ++p) {
      const float* src = b + p * ldb + j0;
      float* dst = strip + p * kNR;
      if (cols == kNR) {
#pragma omp simd
        for (int64_t j = 0; j < kNR; ++j) dst[j] = src[j];
      } else {
        for (int64_t j = 0; j < kNR; ++j) dst[j] = j < cols ? src[j] : 0.0f;
      }
    }
  }
}

// C[0:mc, 0:nc] (row stride ldc) = (first ? 0 : C) + packed A * packed B.
WORTHIT_SIMD_CLONES
void gemm_block(const float* __restrict ap, const float* __restrict bp, float* c, int64_t ldc,
                int64_t mc, int64_t nc, int64_t kc, bool first) {
  for (int64_t j0 = 0; j0 < nc; j0 += kNR) {
    const float* bs = bp + j0 * kc;
    const int64_t cols = std::min(kNR, nc - j0);
    for (int64_t i0 = 0; i0 < mc; i0 += kMR) {
      const float* as = ap + i0 * kc;
      const int64_t rows = std::min(kMR, mc - i0);
      v16f acc[kMR][2];
#pragma GCC unroll 8
      for (int64_t r = 0; r < kMR; ++r) acc[r][0] = acc[r][1] = v16f{};
      for (int64_t p = 0; p < kc; ++p) {
        v16f b0, b1;
        load_unaligned(b0, bs + p * kNR);
        load_unaligned(b1, bs + p * kNR + 16);
#pragma GCC unroll 8
        for (int64_t r = 0; r < kMR; ++r) {
          const float av = as[p * kMR + r];
          acc[r][0] += av * b0;
          acc[r][1] += av * b1;
        }
      }
      float* ct = c + i0 * ldc + j0;
      if (rows == kMR && cols == kNR) {
#pragma GCC unroll 8
        for (int64_t r = 0; r < kMR; ++r) {
          float* c0 = ct + r * ldc;
          float* c1 = c0 + 16;
          if (first) {
            store_unaligned(c0, acc[r][0]);
            store_unaligned(c1, acc[r][1]);
          } else {
            v16f old0, old1;
            load_unaligned(old0, c0);
            load_unaligned(old1, c1);
            store_unaligned(c0, old0 + acc[r][0]);
            store_unaligned(c1, old1 + acc[r][1]);
          }
        }
      } else {  // edge tile: through a buffer, only the valid part
        alignas(64) float tile[kMR][kNR];
        std::memcpy(tile, acc, sizeof tile);
        for (int64_t r = 0; r < rows; ++r)
          for (int64_t j = 0; j < cols; ++j)
            ct[r * ldc + j] = first ? tile[r][j] : ct[r * ldc + j] + tile[r][j];
      }
    }
  }
}

struct AlignedFree {
  void operator()(float* p) const { std::free(p); }
};
using AlignedFloats = std::unique_ptr<float[], AlignedFree>;
AlignedFloats aligned_floats(int64_t n) {
  const size_t bytes = (static_cast<size_t>(n) * sizeof(float) + 63) / 64 * 64;
  return AlignedFloats(static_cast<float*>(std::aligned_alloc(64, bytes)));
}

// One thread's share: C[rows, cols] = A[rows, :] B[:, cols].
void gemm_part(const float* a, const float* b, float* c, int64_t n, int64_t k, Range rows,
               Range cols) {
  AlignedFloats ap = aligned_floats(kMC * kKC);
  AlignedFloats bp = aligned_floats(kKC * kNC);
  for (int64_t jc = cols.begin; jc < cols.end; jc += kNC) {
    const int64_t nc = std::min(kNC, cols.end - jc);
    for (int64_t pc = 0; pc < k; pc += kKC) {
      const int64_t kc = std::min(kKC, k - pc);
      pack_b(b + pc * n + jc, n, kc, nc, bp.get());
      for (int64_t ic = rows.begin; ic < rows.end; ic += kMC) {
        const int64_t mc = std::min(kMC, rows.end - ic);
        pack_a(a + ic * k + pc, k, mc, kc, ap.get());
        gemm_block(ap.get(), bp.get(), c + ic * n + jc, n, mc, nc, kc, pc == 0);
      }
    }
  }
}

void matmul_simd(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k,
                 int threads) {
#pragma omp parallel num_threads(threads)
  {
    const int t = omp_get_thread_num(), nt = omp_get_num_threads();
    // Split the columns when there are enough NR strips to go round, else the rows.
    const bool split_cols = (n + kNR - 1) / kNR >= 2 * nt || m < kMR * nt;
    const Range rows = split_cols ? Range{0, m} : thread_range(m, kMR, t, nt);
    const Range cols = split_cols ? thread_range(n, kNR, t, nt) : Range{0, n};
    if (rows.end > rows.begin && cols.end > cols.begin) gemm_part(a, b, c, n, k, rows, cols);
  }
}

}  // namespace

Candidate matmul_simd_candidate() {
  Candidate c;
  c.workload = "matmul";
  c.backend = "cpp-simd";
  c.description =
      "blocked, packed GEMM with an 8x32 register micro-kernel; OpenMP over C tiles, "
      "AVX-512/AVX2/SSE2 clones";
  c.sources = {"kernels/matmul/matmul_simd.cpp"};
  c.toolchains = {"openmp"};
  c.unavailable = [] { return std::optional<std::string>(); };
  c.skip = [](const Size&) { return std::optional<std::string>(); };
  c.prepare = [](const Buffers& in, Buffers& out, const RunContext& ctx) {
    const float* a = in[0].as<float>();
    const float* b = in[1].as<float>();
    float* cc = out[0].as<float>();
    const int64_t m = in[0].shape()[0], k = in[0].shape()[1], n = in[1].shape()[1];
    const int threads = ctx.threads > 0 ? ctx.threads : 1;
    return prepared([=] { matmul_simd(a, b, cc, m, n, k, threads); });
  };
  return c;
}

}  // namespace worthit::kernels
