// The correctness gate: every candidate runs once on poisoned outputs and is
// compared with the reference before it may be timed.
#pragma once

#include "worthit/harness/buffer.h"
#include "worthit/harness/candidate.h"
#include "worthit/harness/workload.h"
#include "worthit/results/record.h"

namespace worthit {

// Fills float outputs with NaN and integer outputs with 0xA5 bytes, so an
// unwritten element cannot pass by accident.
void poison(Buffers& outputs);

// Element-wise comparison under the workload's tolerance; NaN/Inf where the
// reference is finite always fails.
Correctness compare_outputs(const Workload& workload, const Buffers& expected,
                            const Buffers& actual);

// Poisons `outputs`, runs the prepared candidate once, publishes, compares.
// Exceptions from the candidate propagate to the caller.
Correctness run_correctness_gate(const Workload& workload, const PreparedRun& prepared,
                                 const Buffers& expected, Buffers& outputs);

}  // namespace worthit
