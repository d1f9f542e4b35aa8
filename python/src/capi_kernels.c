/* worthit._capi_kernels: candidates written against the Python C API.
 *
 * Every function takes objects that export the buffer protocol (NumPy arrays,
 * memoryviews, bytearrays of float32), checks format, contiguity and length,
 * releases the GIL and runs a vectorisable loop split across OpenMP threads.
 * No NumPy headers: the buffer protocol is the whole interface. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <string.h>

/* exp(x) for float: 2^k * p(r) with a degree-7 Taylor polynomial
 * on r in [-ln2/2, ln2/2]; truncation error below 1e-8, and branch-free so the compiler
 * vectorises the loops that call it. */
static inline float fast_expf(float x) {
  const float log2e = 1.44269504f, ln2_hi = 0.693359375f, ln2_lo = -2.12194440e-4f;
  const float round_magic = 12582912.0f; /* 1.5 * 2^23: adding it rounds to an integer */
  x = x < -80.0f ? -80.0f : (x > 80.0f ? 80.0f : x);
  float k = (x * log2e + round_magic) - round_magic;
  float r = x - k * ln2_hi - k * ln2_lo;
  float p = 1.0f / 5040.0f;
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  union {
    int32_t i;
    float f;
  } scale;
  scale.i = ((int32_t)k + 127) << 23;
  return p * scale.f;
}

/* gelu with the tanh approximation, using 0.5 * (1 + tanh(u)) = 1 / (1 + exp(-2u)). */
static inline float gelu_tanh(float x) {
  const float sqrt_2_over_pi = 0.7978845608028654f;
  const float u = sqrt_2_over_pi * (x + 0.044715f * x * x * x);
  return x / (1.0f + fast_expf(-2.0f * u));
}

/* Gets a C-contiguous float32 buffer; on failure sets a Python error. */
static int get_f32(PyObject* obj, Py_buffer* view, int writable, const char* what) {
  int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
  if (PyObject_GetBuffer(obj, view, flags) != 0) return -1;
  if (view->itemsize != 4 || view->format == NULL || strcmp(view->format, "f") != 0) {
    PyErr_Format(PyExc_TypeError, "%s must be float32 (buffer format 'f'), got '%s'", what,
                 view->format ? view->format : "B");
    PyBuffer_Release(view);
    return -1;
  }
  return 0;
}

static PyObject* capi_gelu(PyObject* self, PyObject* args) {
  (void)self;
  PyObject *x_obj, *y_obj;
  if (!PyArg_ParseTuple(args, "OO:gelu", &x_obj, &y_obj)) return NULL;
  Py_buffer x, y;
  if (get_f32(x_obj, &x, 0, "x") != 0) return NULL;
  if (get_f32(y_obj, &y, 1, "y") != 0) {
    PyBuffer_Release(&x);
    return NULL;
  }
  if (x.len != y.len) {
    PyErr_SetString(PyExc_ValueError, "x and y differ in length");
  } else {
    const float* xs = (const float*)x.buf;
    float* ys = (float*)y.buf;
    const Py_ssize_t n = x.len / 4;
    Py_BEGIN_ALLOW_THREADS
    /* Small arrays stay on one thread: waking the team costs more than the work. */
#pragma omp parallel for simd schedule(static) if (n >= 32768)
        for (Py_ssize_t i = 0; i < n; ++i) ys[i] = gelu_tanh(xs[i]);
    Py_END_ALLOW_THREADS
  }
  PyBuffer_Release(&x);
  PyBuffer_Release(&y);
  if (PyErr_Occurred()) return NULL;
  Py_RETURN_NONE;
}

enum { kLaneBlock = 64 };

/* h[t] = a[t] * h[t-1] + x[t] over T steps of `lanes` contiguous floats:
 * blocks of lanes across threads, each block's state in a stack array. */
static void recurrence(const float* a, const float* x, float* h, Py_ssize_t steps,
                       Py_ssize_t lanes) {
  const Py_ssize_t nblocks = (lanes + kLaneBlock - 1) / kLaneBlock;
#pragma omp parallel for schedule(static)
  for (Py_ssize_t blk = 0; blk < nblocks; ++blk) {
    const Py_ssize_t l0 = blk * kLaneBlock;
    const Py_ssize_t width = lanes - l0 < kLaneBlock ? lanes - l0 : kLaneBlock;
    float s[kLaneBlock] = {0};
    for (Py_ssize_t t = 0; t < steps; ++t) {
      const float *at = a + t * lanes + l0, *xt = x + t * lanes + l0;
      float* ht = h + t * lanes + l0;
#pragma omp simd
      for (Py_ssize_t l = 0; l < width; ++l) {
        s[l] = at[l] * s[l] + xt[l];
        ht[l] = s[l];
      }
    }
  }
}

static PyObject* capi_linear_recurrence(PyObject* self, PyObject* args) {
  (void)self;
  PyObject *a_obj, *x_obj, *h_obj;
  Py_ssize_t steps;
  if (!PyArg_ParseTuple(args, "OOOn:linear_recurrence", &a_obj, &x_obj, &h_obj, &steps))
    return NULL;
  Py_buffer a, x, h;
  if (get_f32(a_obj, &a, 0, "a") != 0) return NULL;
  if (get_f32(x_obj, &x, 0, "x") != 0) {
    PyBuffer_Release(&a);
    return NULL;
  }
  if (get_f32(h_obj, &h, 1, "h") != 0) {
    PyBuffer_Release(&a);
    PyBuffer_Release(&x);
    return NULL;
  }
  const Py_ssize_t n = a.len / 4;
  if (x.len != a.len || h.len != a.len) {
    PyErr_SetString(PyExc_ValueError, "a, x and h differ in length");
  } else if (steps <= 0 || n % steps != 0) {
    PyErr_SetString(PyExc_ValueError, "steps must divide the number of elements");
  } else {
    Py_BEGIN_ALLOW_THREADS recurrence((const float*)a.buf, (const float*)x.buf, (float*)h.buf,
                                      steps, n / steps);
    Py_END_ALLOW_THREADS
  }
  PyBuffer_Release(&a);
  PyBuffer_Release(&x);
  PyBuffer_Release(&h);
  if (PyErr_Occurred()) return NULL;
  Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"gelu", capi_gelu, METH_VARARGS,
     "gelu(x, y): y = gelu_tanh(x), float32 buffers of equal length"},
    {"linear_recurrence", capi_linear_recurrence, METH_VARARGS,
     "linear_recurrence(a, x, h, steps): h[t] = a[t] * h[t-1] + x[t], time-major float32 buffers"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    "_capi_kernels",
    "worthit candidates written against the Python C API (buffer protocol, OpenMP)",
    -1,
    methods,
    NULL,
    NULL,
    NULL,
    NULL,
};

PyMODINIT_FUNC PyInit__capi_kernels(void) { return PyModule_Create(&module); }
