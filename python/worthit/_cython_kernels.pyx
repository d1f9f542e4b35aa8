# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
# worthit's Cython candidates: typed memoryviews, no Python objects in the
# loops, the GIL released, and prange (OpenMP) where the work splits.
from cython.parallel cimport parallel, prange
from libc.stdlib cimport free, malloc
from libc.math cimport sqrtf
from libc.stdint cimport int32_t


cdef union _bits:
    int32_t i
    float f


cdef inline float _expf(float x) noexcept nogil:
    # 2^k * p(r), r in [-ln2/2, ln2/2], degree-7 Taylor polynomial: branch-free, so
    # the C compiler vectorises the loops that inline it. Every constant is a
    # float local: a bare literal is a C double and would drag the arithmetic
    # (and the rounding trick) into double precision.
    cdef float lo = -80.0, hi = 80.0
    cdef float log2e = 1.44269504, magic = 12582912.0  # 1.5 * 2^23
    cdef float ln2_hi = 0.693359375, ln2_lo = -2.12194440e-4
    cdef float c7 = 1.0 / 5040.0, c6 = 1.0 / 720.0, c5 = 1.0 / 120.0, c4 = 1.0 / 24.0, c3 = 1.0 / 6.0
    cdef float c2 = 0.5, one = 1.0
    cdef float k, r, p
    cdef _bits scale
    x = lo if x < lo else (hi if x > hi else x)
    k = (x * log2e + magic) - magic
    r = x - k * ln2_hi - k * ln2_lo
    p = c7
    p = p * r + c6
    p = p * r + c5
    p = p * r + c4
    p = p * r + c3
    p = p * r + c2
    p = p * r + one
    p = p * r + one
    scale.i = (<int32_t>k + 127) << 23
    return p * scale.f


cdef inline float _gelu(float x) noexcept nogil:
    cdef float a = 0.7978845608028654, b = 0.044715, one = 1.0, m2 = -2.0
    cdef float u = a * (x + b * x * x * x)
    return x / (one + _expf(m2 * u))


def gelu(const float[::1] x, float[::1] y):
    """y = gelu_tanh(x)."""
    cdef Py_ssize_t n = x.shape[0]
    cdef Py_ssize_t i
    if y.shape[0] != n:
        raise ValueError("x and y differ in length")
    if n < 32768:
        with nogil:
            for i in range(n):
                y[i] = _gelu(x[i])
    else:
        for i in prange(n, nogil=True, schedule="static"):
            y[i] = _gelu(x[i])


cdef void _layernorm_row(const float* x, const float* bias, const float* res, const float* gamma,
                         const float* beta, float* y, Py_ssize_t cols, float eps) noexcept nogil:
    # y doubles as scratch for s = x + bias + residual; four partial sums break
    # the add chain so the loops pipeline (and vectorise) without -ffast-math.
    cdef Py_ssize_t c
    cdef float s0 = 0, s1 = 0, s2 = 0, s3 = 0, v, mean, var, rstd
    for c in range(cols):
        y[c] = x[c] + bias[c] + res[c]
    c = 0
    while c + 4 <= cols:
        s0 += y[c]; s1 += y[c + 1]; s2 += y[c + 2]; s3 += y[c + 3]
        c += 4
    while c < cols:
        s0 += y[c]
        c += 1
    mean = ((s0 + s1) + (s2 + s3)) / cols
    s0 = 0; s1 = 0; s2 = 0; s3 = 0
    c = 0
    while c + 4 <= cols:
        v = y[c] - mean; s0 += v * v
        v = y[c + 1] - mean; s1 += v * v
        v = y[c + 2] - mean; s2 += v * v
        v = y[c + 3] - mean; s3 += v * v
        c += 4
    while c < cols:
        v = y[c] - mean; s0 += v * v
        c += 1
    var = ((s0 + s1) + (s2 + s3)) / cols
    rstd = 1.0 / sqrtf(var + eps)
    for c in range(cols):
        y[c] = (y[c] - mean) * rstd * gamma[c] + beta[c]


def bias_residual_layernorm(const float[:, ::1] x, const float[::1] bias, const float[:, ::1] residual,
                            const float[::1] gamma, const float[::1] beta, float[:, ::1] y, float eps):
    """y = LayerNorm(x + bias + residual) over the last dim; rows split across threads."""
    cdef Py_ssize_t rows = x.shape[0], cols = x.shape[1], r
    if residual.shape[0] != rows or residual.shape[1] != cols or y.shape[0] != rows or y.shape[1] != cols:
        raise ValueError("x, residual and y must have the same shape")
    if bias.shape[0] != cols or gamma.shape[0] != cols or beta.shape[0] != cols:
        raise ValueError("bias, gamma and beta must have cols elements")
    for r in prange(rows, nogil=True, schedule="static"):
        _layernorm_row(&x[r, 0], &bias[0], &residual[r, 0], &gamma[0], &beta[0], &y[r, 0], cols, eps)


def matmul(const float[:, ::1] a, const float[:, ::1] b, float[:, ::1] c):
    """c = a @ b: rows of c split across threads, i-k-j order so the inner loop
    streams a row of b and vectorises; no blocking (see docs/python.md)."""
    cdef Py_ssize_t m = a.shape[0], k = a.shape[1], n = b.shape[1], i, p, j
    cdef float aip
    cdef float* crow
    cdef const float* brow
    if b.shape[0] != k or c.shape[0] != m or c.shape[1] != n:
        raise ValueError("shapes do not chain: a [m,k], b [k,n], c [m,n]")
    for i in prange(m, nogil=True, schedule="static"):
        crow = &c[i, 0]
        for j in range(n):
            crow[j] = 0
        for p in range(k):
            aip = a[i, p]
            brow = &b[p, 0]
            for j in range(n):
                crow[j] = crow[j] + aip * brow[j]


cdef enum:
    _LANE_BLOCK = 64


def linear_recurrence(const float[:, :, ::1] a, const float[:, :, ::1] x, float[:, :, ::1] h):
    """h[t] = a[t] * h[t-1] + x[t], h[-1] = 0, over [T, B, C]; blocks of lanes
    split across threads, each thread's block state in its own small buffer."""
    cdef Py_ssize_t steps = a.shape[0], lanes = a.shape[1] * a.shape[2]
    cdef Py_ssize_t nblocks = (lanes + _LANE_BLOCK - 1) // _LANE_BLOCK, blk, l0, width, t, l
    cdef const float* ap
    cdef const float* xp
    cdef float* hp
    cdef float* s
    if x.shape[0] != steps or h.shape[0] != steps or x.shape[1] * x.shape[2] != lanes \
            or h.shape[1] * h.shape[2] != lanes:
        raise ValueError("a, x and h must have the same shape")
    if steps == 0 or lanes == 0:
        return
    ap = &a[0, 0, 0]
    xp = &x[0, 0, 0]
    hp = &h[0, 0, 0]
    with nogil, parallel():
        s = <float*>malloc(_LANE_BLOCK * sizeof(float))
        if s != NULL:
            for blk in prange(nblocks, schedule="static"):
                l0 = blk * _LANE_BLOCK
                width = lanes - l0
                if width > _LANE_BLOCK:
                    width = _LANE_BLOCK
                for l in range(width):
                    s[l] = 0
                for t in range(steps):
                    for l in range(width):
                        s[l] = ap[t * lanes + l0 + l] * s[l] + xp[t * lanes + l0 + l]
                        hp[t * lanes + l0 + l] = s[l]
            free(s)
