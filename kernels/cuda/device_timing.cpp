#include "device_timing.h"

#include <algorithm>
#include <cmath>
#include <memory>

#include "cuda_launch.h"
#include "device_runtime.h"

namespace worthit::kernels::cuda {

namespace {

constexpr uint64_t kHeadStartNs = 50'000;  // the busy-wait ahead of a hot batch

struct DeviceRunState {
  Timing timing = Timing::hot;
  DeviceComputation computation;
  Stream stream;
  Event start, stop;
  std::vector<DeviceMemory> memory;  // every slot's buffers
  std::vector<DeviceCase> slots;
  DeviceMemory flush;  // cold timing only
  std::vector<std::pair<void*, size_t>> host_outputs;
  int64_t calls = 1;
  int next = 0;  // the slot the next call uses
  int last = 0;  // the slot the last call wrote

  void launch_next() {
    last = next;
    computation.launch(slots[static_cast<size_t>(next)], stream.get());
    next = (next + 1) % static_cast<int>(slots.size());
  }
};

}  // namespace

std::string backend_name(const std::string& base, Timing timing) {
  return timing == Timing::cold ? base + "-cold" : base;
}

int rotation_slots(Timing timing, double case_bytes, size_t l2_bytes, size_t free_bytes) {
  if (timing == Timing::cold || case_bytes <= 0) return 1;
  const int wanted = static_cast<int>(std::ceil(2.0 * static_cast<double>(l2_bytes) / case_bytes));
  const int affordable = static_cast<int>(0.25 * static_cast<double>(free_bytes) / case_bytes);
  return std::clamp(std::min(wanted, affordable), 1, 16);
}

int64_t hot_calls_per_run(double case_bytes) {
  const double target = 256.0 * (1 << 20);
  return std::clamp<int64_t>(static_cast<int64_t>(std::ceil(target / std::max(case_bytes, 1.0))), 1,
                             1000);
}

PreparedRun make_device_run(const Buffers& inputs, Buffers& outputs, Timing timing,
                            DeviceComputation computation) {
  const DeviceInfo info = device_info();
  auto st = std::make_shared<DeviceRunState>();
  st->timing = timing;
  st->computation = std::move(computation);

  double case_bytes = 0;
  for (const Buffer& b : inputs) case_bytes += static_cast<double>(b.bytes());
  for (const Buffer& b : outputs) case_bytes += static_cast<double>(b.bytes());
  if (case_bytes > 0.9 * static_cast<double>(info.free_bytes))
    throw std::runtime_error("the case needs " + format_bytes(case_bytes) + " of device memory; " +
                             info.name + " has " + format_bytes(double(info.free_bytes)) + " free");
  const int slots = rotation_slots(timing, case_bytes, info.l2_bytes, info.free_bytes);
  st->calls = timing == Timing::hot ? hot_calls_per_run(case_bytes) : 1;

  for (int s = 0; s < slots; ++s) {
    DeviceCase dc;
    dc.slot = s;
    for (const Buffer& b : inputs) {
      DeviceMemory m(b.bytes(), "input '" + b.name() + "'");
      // Slot 0 from the host, the others from slot 0 on the device.
      const void* src = s == 0 ? b.data() : st->slots[0].inputs[dc.inputs.size()];
      check(cudaMemcpy(m.get(), src, b.bytes(),
                       s == 0 ? cudaMemcpyHostToDevice : cudaMemcpyDeviceToDevice),
            "copying input '" + b.name() + "' to the device");
      dc.inputs.push_back(m.get());
      st->memory.push_back(std::move(m));
    }
    for (const Buffer& b : outputs) {
      DeviceMemory m(b.bytes(), "output '" + b.name() + "'");
      // All-ones bytes: NaN in every float, so an unwritten element fails the gate.
      check(cudaMemset(m.get(), 0xFF, b.bytes()), "poisoning output '" + b.name() + "'");
      dc.outputs.push_back(m.get());
      st->memory.push_back(std::move(m));
    }
    st->slots.push_back(std::move(dc));
  }
  for (Buffer& b : outputs) st->host_outputs.emplace_back(b.data(), b.bytes());
  if (timing == Timing::cold) {
    const size_t bytes = std::max<size_t>(2 * info.l2_bytes, size_t{32} << 20);
    st->flush = DeviceMemory(bytes, "the L2 flush buffer");
    check(cudaMemset(st->flush.get(), 0, bytes), "clearing the L2 flush buffer");
  }
  check(cudaDeviceSynchronize(), "preparing device buffers");
  if (st->computation.bind)
    for (const DeviceCase& dc : st->slots) st->computation.bind(dc);

  PreparedRun run;
  run.run = [st] {
    st->launch_next();
    st->stream.synchronize("running on the device");
  };
  run.publish = [st] {
    const DeviceCase& dc = st->slots[static_cast<size_t>(st->last)];
    for (size_t i = 0; i < st->host_outputs.size(); ++i)
      check(cudaMemcpy(st->host_outputs[i].first, dc.outputs[i], st->host_outputs[i].second,
                       cudaMemcpyDeviceToHost),
            "copying the result back");
  };
  run.calls_per_timed_run = st->calls;
  run.timed_run = [st]() -> double {
    const cudaStream_t s = st->stream.get();
    if (st->timing == Timing::cold)
      check(launch_l2_flush(st->flush.get(), st->flush.bytes(), s), "flushing the L2");
    else
      check(launch_busy_wait(kHeadStartNs, s), "launching the head-start wait");
    st->start.record(s);
    for (int64_t i = 0; i < st->calls; ++i) st->launch_next();
    st->stop.record(s);
    st->stream.synchronize("running on the device");
    return st->stop.seconds_since(st->start);
  };
  return run;
}

}  // namespace worthit::kernels::cuda
