// worthit._native: the type conversions between the C++ harness and the
// Python package. No logic lives here: workloads, the gate's comparison, the
// sampler and the statistics are the C++ ones, so Python candidates are
// measured by the same code as C++ candidates.
#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <omp.h>

#include <memory>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "worthit/harness/gate.h"
#include "worthit/harness/registry.h"
#include "worthit/harness/runner.h"
#include "worthit/harness/sampling.h"
#include "worthit/kernels/builtin.h"
#include "worthit/reports/maintenance.h"
#include "worthit/results/machine.h"
#include "worthit/results/results_json.h"
#include "worthit/results/stats.h"

namespace py = pybind11;

namespace worthit::python {
namespace {

// Owns a set of buffers; NumPy arrays handed to Python view them and keep the
// owning BufferSet alive through their base object.
struct BufferSet {
  Buffers buffers;
};

DType dtype_from_string(const std::string& s) {
  for (DType d : {DType::f32, DType::f64, DType::i32, DType::i64, DType::u8})
    if (s == to_string(d)) return d;
  throw std::invalid_argument("unknown dtype '" + s + "' (f32, f64, i32, i64, u8)");
}

py::dtype numpy_dtype(DType d) {
  switch (d) {
    case DType::f32:
      return py::dtype::of<float>();
    case DType::f64:
      return py::dtype::of<double>();
    case DType::i32:
      return py::dtype::of<int32_t>();
    case DType::i64:
      return py::dtype::of<int64_t>();
    case DType::u8:
      return py::dtype::of<uint8_t>();
  }
  throw std::logic_error("dtype");
}

py::array view(py::object owner, size_t i) {
  auto& set = owner.cast<BufferSet&>();
  if (i >= set.buffers.size()) throw py::index_error("buffer index out of range");
  Buffer& b = set.buffers[i];
  std::vector<py::ssize_t> shape(b.shape().begin(), b.shape().end());
  std::vector<py::ssize_t> strides(shape.size());
  py::ssize_t stride = static_cast<py::ssize_t>(dtype_size(b.dtype()));
  for (size_t k = shape.size(); k-- > 0;) {
    strides[k] = stride;
    stride *= shape[k];
  }
  return py::array(numpy_dtype(b.dtype()), shape, strides, b.data(), owner);
}

// A workload that only carries a tolerance: lets Python-defined workloads use
// the gate's comparison unchanged.
class ToleranceOnly final : public Workload {
 public:
  explicit ToleranceOnly(Tolerance t) : tol_(t) {}
  std::string name() const override { return "python"; }
  std::string description() const override { return ""; }
  std::vector<std::string> size_keys() const override { return {}; }
  std::vector<Size> sizes() const override { return {}; }
  std::vector<Size> quick_sizes() const override { return {}; }
  Buffers make_inputs(const Size&, uint64_t) const override { return {}; }
  Buffers make_outputs(const Size&) const override { return {}; }
  void reference(const Buffers&, Buffers&) const override {}
  Tolerance tolerance(DType) const override { return tol_; }
  double bytes_moved(const Size&) const override { return 0; }
  double flops(const Size&) const override { return 0; }

 private:
  Tolerance tol_;
};

py::dict correctness_dict(const Correctness& c) {
  py::dict d;
  d["checked"] = c.checked;
  d["passed"] = c.passed;
  d["max_abs_error"] = c.max_abs_error;
  d["max_rel_error"] = c.max_rel_error;
  d["nonfinite"] = c.nonfinite;
  d["mismatches"] = c.mismatches;
  d["detail"] = c.detail;
  return d;
}

const Registry& builtin_registry() {
  static const Registry* registry = [] {
    auto* r = new Registry;  // lives as long as the process: workloads are borrowed by Python
    kernels::register_builtin(*r);
    return r;
  }();
  return *registry;
}

py::tuple size_tuple(const Size& s) { return py::make_tuple(s.label, s.params); }

py::object json_to_python(const nlohmann::json& j) {
  return py::module_::import("json").attr("loads")(j.dump());
}

// Options of the sampling rule from a dict with any of its field names.
SamplingOptions sampling_options(const py::dict& d) {
  SamplingOptions o;
  for (const auto& [key, value] : d) {
    const std::string k = py::str(key);
    if (k == "min_repetitions")
      o.min_repetitions = value.cast<int>();
    else if (k == "max_repetitions")
      o.max_repetitions = value.cast<int>();
    else if (k == "target_ci")
      o.target_ci = value.cast<double>();
    else if (k == "max_time_s")
      o.max_time_s = value.cast<double>();
    else if (k == "confidence")
      o.confidence = value.cast<double>();
    else
      throw py::key_error("unknown sampling option '" + k + "'");
  }
  return o;
}

std::vector<py::tuple> size_list(const std::vector<Size>& sizes) {
  std::vector<py::tuple> out;
  for (const auto& s : sizes) out.push_back(size_tuple(s));
  return out;
}

}  // namespace
}  // namespace worthit::python

#ifndef WORTHIT_NATIVE_MODULE
#define WORTHIT_NATIVE_MODULE _native
#endif
PYBIND11_MODULE(WORTHIT_NATIVE_MODULE, m) {
  using namespace worthit;
  using namespace worthit::python;
  m.doc() = "worthit's C++ harness, seen from Python (type conversions only)";

  py::class_<BufferSet, std::shared_ptr<BufferSet>>(m, "BufferSet")
      .def("__len__", [](const BufferSet& s) { return s.buffers.size(); })
      .def("names",
           [](const BufferSet& s) {
             std::vector<std::string> n;
             for (const auto& b : s.buffers) n.push_back(b.name());
             return n;
           })
      .def("dtypes",
           [](const BufferSet& s) {
             std::vector<std::string> n;
             for (const auto& b : s.buffers) n.push_back(to_string(b.dtype()));
             return n;
           })
      .def("array", [](py::object self, size_t i) { return view(self, i); })
      .def("arrays", [](py::object self) {
        std::vector<py::array> out;
        const size_t n = self.cast<BufferSet&>().buffers.size();
        for (size_t i = 0; i < n; ++i) out.push_back(view(self, i));
        return out;
      });

  m.def(
      "make_buffers",
      [](const std::vector<std::tuple<std::string, std::string, std::vector<int64_t>>>& specs) {
        auto set = std::make_shared<BufferSet>();
        for (const auto& [name, dtype, shape] : specs)
          set->buffers.emplace_back(name, dtype_from_string(dtype), shape);
        return set;
      },
      py::arg("specs"), "64-byte-aligned buffers from (name, dtype, shape) triples");
  m.def(
      "poison", [](BufferSet& s) { poison(s.buffers); }, "NaN (floats) or 0xA5 bytes (integers)");
  m.def(
      "compare",
      [](const BufferSet& expected, const BufferSet& actual, double abs, double rel) {
        return correctness_dict(
            compare_outputs(ToleranceOnly({abs, rel}), expected.buffers, actual.buffers));
      },
      py::arg("expected"), py::arg("actual"), py::arg("abs"), py::arg("rel"),
      "The correctness gate's comparison under an explicit tolerance");

  py::class_<Workload>(m, "Workload")
      .def_property_readonly("name", &Workload::name)
      .def_property_readonly("description", &Workload::description)
      .def_property_readonly("size_keys", &Workload::size_keys)
      .def("sizes", [](const Workload& w) { return size_list(w.sizes()); })
      .def("quick_sizes", [](const Workload& w) { return size_list(w.quick_sizes()); })
      .def("make_size",
           [](const Workload& w, const std::map<std::string, int64_t>& p) {
             return size_tuple(w.make_size(p));
           })
      .def("make_inputs",
           [](const Workload& w, const std::map<std::string, int64_t>& p, uint64_t seed) {
             auto set = std::make_shared<BufferSet>();
             set->buffers = w.make_inputs(w.make_size(p), seed);
             return set;
           })
      .def("make_outputs",
           [](const Workload& w, const std::map<std::string, int64_t>& p) {
             auto set = std::make_shared<BufferSet>();
             set->buffers = w.make_outputs(w.make_size(p));
             return set;
           })
      .def(
          "reference",
          [](const Workload& w, const BufferSet& inputs, BufferSet& outputs) {
            py::gil_scoped_release release;
            w.reference(inputs.buffers, outputs.buffers);
          },
          py::arg("inputs"), py::arg("outputs"))
      .def("tolerance",
           [](const Workload& w, const std::string& dtype) {
             const Tolerance t = w.tolerance(dtype_from_string(dtype));
             return py::make_tuple(t.abs, t.rel);
           })
      .def("compare",
           [](const Workload& w, const BufferSet& expected, const BufferSet& actual) {
             return correctness_dict(compare_outputs(w, expected.buffers, actual.buffers));
           })
      .def("bytes_moved",
           [](const Workload& w, const std::map<std::string, int64_t>& p) {
             return w.bytes_moved(w.make_size(p));
           })
      .def("flops", [](const Workload& w, const std::map<std::string, int64_t>& p) {
        return w.flops(w.make_size(p));
      });

  m.def(
      "workloads", [] { return builtin_registry().workloads(); },
      py::return_value_policy::reference, "The built-in workloads (kernels/)");
  m.def(
      "cpp_backends",
      [](const std::string& workload) {
        std::vector<std::string> out;
        for (const Candidate* c : builtin_registry().candidates(workload))
          out.push_back(c->backend);
        return out;
      },
      "Backend names of the C++ candidates of a workload (Python names must not clash)");
  m.def(
      "measure_once",
      [](const std::string& name, py::function fn, double min_time_s) {
        // The GIL stays held: the callable is Python and is called every iteration.
        const Measurement r = measure_once(
            name, [&fn] { fn(); }, min_time_s);
        return py::make_tuple(r.ns_per_call, r.iterations);
      },
      py::arg("name"), py::arg("fn"), py::arg("min_time_s"),
      "One repetition through the harness sampler (Google Benchmark): (ns per call, iterations)");
  m.def(
      "measure_repetition",
      [](const std::string& name, py::function fn, double min_time_s, int64_t iterations,
         double warmup_s) {
        const Measurement r = measure_repetition(
            name, [&fn] { fn(); }, min_time_s, iterations, warmup_s);
        return py::make_tuple(r.ns_per_call, r.iterations);
      },
      py::arg("name"), py::arg("fn"), py::arg("min_time_s"), py::arg("iterations"),
      py::arg("warmup_s") = 0.0,
      "One repetition with the iteration count fixed when > 0, after untimed calls for at "
      "least warmup_s (none when 0): (ns per call, iterations)");
  m.def(
      "stop_reason",
      [](const std::vector<double>& samples, double elapsed_s, const py::dict& options,
         double next_round_s) {
        return std::string(
            to_string(stop_reason(samples, elapsed_s, sampling_options(options), next_round_s)));
      },
      py::arg("samples_ns"), py::arg("elapsed_s"), py::arg("options") = py::dict(),
      py::arg("next_round_s") = 0.0,
      "The harness's stopping rule: 'sampling', 'target-ci', 'time-budget', 'repetitions', ...");
  m.def(
      "sample_interleaved",
      [](const std::vector<std::pair<std::string, py::function>>& sources,
         const py::dict& options) {
        std::vector<SampleSource> cpp;
        for (const auto& [name, fn] : sources)
          cpp.push_back({name, [fn = fn] {
                           const auto t = fn().cast<std::pair<double, int64_t>>();
                           return Measurement{t.first, t.second};
                         }});
        py::list out;
        for (const auto& s : sample_interleaved(cpp, sampling_options(options))) {
          py::dict d;
          d["samples_ns"] = s.samples_ns;
          d["iterations"] = s.iterations;
          d["seq"] = s.seq;
          d["stop"] = std::string(to_string(s.stop));
          d["error"] = s.error;
          out.append(d);
        }
        return out;
      },
      py::arg("sources"), py::arg("options") = py::dict(),
      "The harness's rounds and stopping rule over (name, fn -> (ns, iterations)) sources");
  m.def(
      "measure_source_text",
      [](const std::string& path, const std::string& text) {
        RecordedCost cost;
        cost.files = {reports::measure_source_text(path, text)};
        return to_json(cost)["files"][0].dump();
      },
      py::arg("path"), py::arg("text"),
      "The maintenance metrics of one file's text (JSON, as results.json records them)");
  m.def(
      "measure_cost",
      [](const std::vector<std::string>& sources, const std::string& root,
         const std::string& origin) {
        return to_json(reports::measure_cost(sources, root, origin)).dump();
      },
      py::arg("sources"), py::arg("root"), py::arg("origin"),
      "The maintenance metrics of files (relative to root), as results.json's 'maintenance' "
      "(JSON)");
  m.def(
      "normalize_pending_result",
      [](const std::string& text) {
        return to_json(pending_result_from_json(nlohmann::json::parse(text))).dump();
      },
      "A gated record not yet timed through the C++ schema and back (raises on schema errors)");
  m.def(
      "summarize",
      [](const std::vector<double>& samples) {
        return json_to_python(to_json(summarize(samples)));
      },
      "SampleStats of per-repetition times, as the results.json 'stats' object");
  m.def(
      "normalize_result",
      [](const std::string& text) {
        return to_json(result_from_json(nlohmann::json::parse(text))).dump();
      },
      "Parses a result record through the C++ schema and writes it back (raises on schema errors)");
  // A C++ candidate bound to buffers, so the torch worker can time libtorch from
  // C++ in its own process, interleaved with torch eager (Python overhead).
  struct CppRun {
    PreparedRun prepared;
    std::shared_ptr<BufferSet> inputs, outputs;
  };
  py::class_<CppRun, std::shared_ptr<CppRun>>(m, "CppRun")
      .def("run",
           [](CppRun& r) {
             py::gil_scoped_release release;
             r.prepared.run();
             if (r.prepared.publish) r.prepared.publish();
           })
      .def("measure_once",
           [](CppRun& r, const std::string& name, double min_time_s) {
             py::gil_scoped_release release;
             const Measurement m = measure_once(name, r.prepared.run, min_time_s);
             return py::make_tuple(m.ns_per_call, m.iterations);
           })
      .def(
          "measure_repetition",
          [](CppRun& r, const std::string& name, double min_time_s, int64_t iterations,
             double warmup_s) {
            Measurement m;
            {
              py::gil_scoped_release release;
              m = measure_repetition(name, r.prepared.run, min_time_s, iterations, warmup_s);
            }
            return py::make_tuple(m.ns_per_call, m.iterations);
          },
          py::arg("name"), py::arg("min_time_s"), py::arg("iterations"), py::arg("warmup_s") = 0.0);
  m.def(
      "prepare_cpp",
      [](const std::string& workload, const std::string& backend, std::shared_ptr<BufferSet> inputs,
         std::shared_ptr<BufferSet> outputs, int threads) -> std::shared_ptr<CppRun> {
        for (const Candidate* c : builtin_registry().candidates(workload)) {
          if (c->backend != backend) continue;
          if (c->unavailable)
            if (auto why = c->unavailable()) throw std::runtime_error(*why);
          auto r = std::make_shared<CppRun>();
          r->inputs = inputs;
          r->outputs = outputs;
          r->prepared = c->prepare(inputs->buffers, outputs->buffers, RunContext{threads});
          return r;
        }
        return nullptr;
      },
      py::arg("workload"), py::arg("backend"), py::arg("inputs"), py::arg("outputs"),
      py::arg("threads"),
      "Prepares a C++ candidate on these buffers, or None when the build has no such candidate");
  m.def("parse_size_params", &parse_size_params);
  m.def("glob_match", [](const std::string& p, const std::string& t) { return glob_match(p, t); });
  m.def("physical_core_count", &physical_core_count);
  m.def(
      "cache_folder", [] { return cache_folder().string(); },
      "Where worthit keeps what it learnt about this machine between runs (calibration, "
      "inductor's ISA probe)");
  m.def(
      "set_threads",
      [](int n) {
        omp_set_num_threads(n);
        builtin_registry().set_threads(n);
      },
      "Thread count for the C++ side of this process (OpenMP, libtorch) — the C++ references");
}
