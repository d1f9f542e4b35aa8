// Pools the results of several `worthit bench` processes that ran the same
// selection (`worthit bench --processes N`). Each process draws its own memory
// layout (physical pages, heap and code addresses), which moves some kernels'
// times by a few percent from one process to the next: more than the
// samples of one process vary. Pooling several processes puts that spread into
// the samples, where the statistics can see it (docs/measurement.md).
#pragma once

#include <string>
#include <vector>

#include "worthit/results/record.h"

namespace worthit {

// Results are matched by candidate, size, device and threads. Samples and
// iteration counts are concatenated in process order, each sample tagged with
// its process (sample_process), and the statistics recomputed over all of
// them. A result that is not ok in the first process keeps its status and
// reason; one that fails only in a later process takes that process's status
// and reason ("process 2/5: ..."). The header (machine, settings, calibration)
// is the first process's, with settings.processes set; the host probes of
// all of them are pooled (host_steadiness.h). Throws
// std::runtime_error when the processes did not report the same results.
// Derived figures (throughput, speedups) are left for annotate_results().
//
// An input that itself pooled several processes (settings.processes > 1, or
// sample_process tags) keeps them apart: its processes are numbered after
// those of the inputs before it, so the hosts of one machine class pool the
// same way (docs/fleet.md). `labels` names each input in reasons and errors
// ("host beta"); empty: "process 2/5".
ResultsFile merge_process_results(const std::vector<ResultsFile>& processes,
                                  const std::vector<std::string>& labels = {});

}  // namespace worthit
