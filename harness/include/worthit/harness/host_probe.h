// One reading of how fast the host runs right now: a fixed multiply-add loop
// over 16 KB (resident in L1, vectorized), about 2 ms on this project's
// 2-vCPU VM at its fastest. Nothing worthit measures changes it; a neighbour on the same
// physical core (an SMT sibling) or a throttled clock does. On that VM its
// readings stay at one level for 100 ms and more, then jump, up to 2.6x the
// fastest (harness/bench/host_states; docs/measurement.md, "On a shared
// host"). bench takes one before each sampling round (host_steadiness.h
// summarizes them).
#pragma once

namespace worthit {

// Nanoseconds the probe took; the same work every call.
double probe_host_ns();

}  // namespace worthit
