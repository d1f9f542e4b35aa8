#include "worthit/harness/gate.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <sstream>

namespace worthit {

void poison(Buffers& outputs) {
  for (auto& b : outputs) {
    switch (b.dtype()) {
      case DType::f32:
        for (auto& x : b.span<float>()) x = std::numeric_limits<float>::quiet_NaN();
        break;
      case DType::f64:
        for (auto& x : b.span<double>()) x = std::numeric_limits<double>::quiet_NaN();
        break;
      default:
        std::memset(b.data(), 0xA5, b.bytes());
        break;
    }
  }
}

namespace {

double element(const Buffer& b, int64_t i) {
  switch (b.dtype()) {
    case DType::f32:
      return b.as<float>()[i];
    case DType::f64:
      return b.as<double>()[i];
    case DType::i32:
      return b.as<int32_t>()[i];
    case DType::i64:
      return static_cast<double>(b.as<int64_t>()[i]);
    case DType::u8:
      return b.as<uint8_t>()[i];
  }
  return 0;
}

}  // namespace

Correctness compare_outputs(const Workload& workload, const Buffers& expected,
                            const Buffers& actual) {
  Correctness c;
  c.checked = true;
  if (expected.size() != actual.size()) {
    c.detail = "expected " + std::to_string(expected.size()) + " outputs, got " +
               std::to_string(actual.size());
    return c;
  }
  for (size_t o = 0; o < expected.size(); ++o) {
    const Buffer& e = expected[o];
    const Buffer& a = actual[o];
    if (e.dtype() != a.dtype() || e.numel() != a.numel()) {
      c.detail = "output '" + e.name() + "' has the wrong shape or dtype";
      c.mismatches = e.numel();
      return c;
    }
    const Tolerance tol = workload.tolerance(e.dtype());
    for (int64_t i = 0; i < e.numel(); ++i) {
      const double ev = element(e, i);
      const double av = element(a, i);
      if (std::isfinite(ev) && !std::isfinite(av)) {
        if (c.nonfinite++ == 0 && c.detail.empty()) {
          std::ostringstream ss;
          ss << "output '" << e.name() << "'[" << i << "] is " << av << ", expected " << ev;
          c.detail = ss.str();
        }
        continue;
      }
      const double abs_err = std::fabs(av - ev);
      const double rel_err = ev != 0 ? abs_err / std::fabs(ev) : abs_err;
      c.max_abs_error = std::max(c.max_abs_error, abs_err);
      if (std::fabs(ev) > tol.abs) c.max_rel_error = std::max(c.max_rel_error, rel_err);
      if (abs_err > tol.abs + tol.rel * std::fabs(ev)) {
        if (c.mismatches++ == 0 && c.detail.empty()) {
          std::ostringstream ss;
          ss << "output '" << e.name() << "'[" << i << "] is " << av << ", expected " << ev
             << " (tolerance abs " << tol.abs << " + rel " << tol.rel << ")";
          c.detail = ss.str();
        }
      }
    }
  }
  c.passed = c.nonfinite == 0 && c.mismatches == 0;
  if (!c.passed && c.nonfinite > 0)
    c.detail += " [" + std::to_string(c.nonfinite) + " non-finite element(s)]";
  if (!c.passed && c.mismatches > 0)
    c.detail += " [" + std::to_string(c.mismatches) + " element(s) outside tolerance]";
  return c;
}

Correctness run_correctness_gate(const Workload& workload, const PreparedRun& prepared,
                                 const Buffers& expected, Buffers& outputs) {
  poison(outputs);
  prepared.run();
  if (prepared.publish) prepared.publish();
  return compare_outputs(workload, expected, outputs);
}

}  // namespace worthit
