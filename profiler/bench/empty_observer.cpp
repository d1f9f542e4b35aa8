// The floors under any per-op ATen capture: RecordFunction observers that
// record nothing. train_step_overhead.py loads this file
// (torch.utils.cpp_extension) in its `rf-*` modes, so what torch's own
// dispatch of per-op callbacks costs is measured in the same run as
// worthit's capture: without inputs (names, ids, times), with inputs
// (boxing every op's arguments: what shapes cost) and with outputs as well.
#include <ATen/record_function.h>
#include <torch/extension.h>

namespace {

thread_local int64_t sink = 0;

std::unique_ptr<at::ObserverContext> on_start(const at::RecordFunction& fn) {
  sink += fn.seqNr() + int64_t(fn.inputs().size());
  return nullptr;
}

void on_end(const at::RecordFunction& fn, at::ObserverContext*) { sink += fn.seqNr(); }

void install(bool inputs, bool outputs) {
  at::addGlobalCallback(at::RecordFunctionCallback(on_start, on_end)
                            .needsInputs(inputs)
                            .needsOutputs(outputs)
                            .needsIds(true));
}

}  // namespace

PYBIND11_MODULE(TORCH_EXTENSION_NAME, m) { m.def("install", &install); }
