// A tiny workload for harness tests: y = 2x + 1 over n floats.
#pragma once

#include "worthit/harness/candidate.h"
#include "worthit/harness/registry.h"
#include "worthit/harness/workload.h"

namespace worthit::testing {

class AffineWorkload : public Workload {
 public:
  std::string name() const override { return "affine"; }
  std::string description() const override { return "y = 2x + 1"; }
  std::vector<std::string> size_keys() const override { return {"n"}; }
  std::vector<Size> sizes() const override {
    return {make_size({{"n", 4096}}), make_size({{"n", 100003}})};
  }
  std::vector<Size> quick_sizes() const override { return {make_size({{"n", 1000}})}; }
  Buffers make_inputs(const Size& size, uint64_t seed) const override {
    Buffers in;
    in.emplace_back("x", DType::f32, std::vector<int64_t>{size.at("n")});
    uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
    for (auto& v : in[0].span<float>()) {
      s ^= s << 13, s ^= s >> 7, s ^= s << 17;
      v = static_cast<float>(s >> 40) / static_cast<float>(1 << 24);
    }
    return in;
  }
  Buffers make_outputs(const Size& size) const override {
    Buffers out;
    out.emplace_back("y", DType::f32, std::vector<int64_t>{size.at("n")});
    return out;
  }
  void reference(const Buffers& in, Buffers& out) const override {
    auto x = in[0].span<float>();
    auto y = out[0].span<float>();
    for (size_t i = 0; i < x.size(); ++i) y[i] = 2 * x[i] + 1;
  }
  double bytes_moved(const Size& s) const override { return 8.0 * s.at("n"); }
  double flops(const Size& s) const override { return 2.0 * s.at("n"); }
};

// A candidate computing y = 2x + 1 with an optional planted fault.
enum class Fault { none, unwritten_tail, nan_output, wrong_value, throws };

inline Candidate affine_candidate(const std::string& backend, Fault fault, bool framework = false) {
  Candidate c;
  c.workload = "affine";
  c.backend = backend;
  c.framework = framework;
  c.prepare = [fault](const Buffers& in, Buffers& out, const RunContext&) {
    if (fault == Fault::throws) throw std::runtime_error("planted failure");
    const float* x = in[0].as<float>();
    float* y = out[0].as<float>();
    const int64_t n = in[0].numel();
    return PreparedRun{[=] {
                         const int64_t end = fault == Fault::unwritten_tail ? n - 1 : n;
                         for (int64_t i = 0; i < end; ++i) y[i] = 2 * x[i] + 1;
                         if (fault == Fault::nan_output)
                           y[n / 2] = std::numeric_limits<float>::quiet_NaN();
                         if (fault == Fault::wrong_value) y[0] += 0.5f;
                       },
                       {}};
  };
  return c;
}

}  // namespace worthit::testing
