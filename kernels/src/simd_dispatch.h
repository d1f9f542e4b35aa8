// Runtime SIMD dispatch for the cpp-simd candidates (docs/workloads.md).
//
// Hot loops are written once as portable `#pragma omp simd` loops or GCC
// vector-extension code, and GCC function multiversioning compiles each such
// function three times: x86-64-v4 (AVX-512), x86-64-v3 (AVX2 + FMA) and the
// baseline x86-64 (SSE2). The loader picks the best clone for the CPU it runs
// on (an ifunc resolver using the same test as __builtin_cpu_supports), so
// the binary is correct on any x86-64 and fast on this one. OpenMP parallel
// regions stay outside the cloned functions: GCC outlines their bodies into
// separate functions that would not inherit the clone's target.
#pragma once

// WORTHIT_SIMD_NO_DISPATCH builds only the baseline version (used to test the
// portable code paths with -march=x86-64 or -march=x86-64-v3).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && \
    !defined(WORTHIT_SIMD_NO_DISPATCH)
#define WORTHIT_SIMD_CLONES \
  __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
// Other compilers and architectures: the portable loop, compiled for the
// build's baseline target.
#define WORTHIT_SIMD_CLONES
#endif
