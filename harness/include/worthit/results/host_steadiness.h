// How steady the host was while a bench ran: before every sampling round,
// bench times one fixed probe (worthit/harness/host_probe.h); its readings move only
// with the machine, so their spread tells a reader whether unstable rows
// reflect the candidates or the host. Plain data and pure functions: bench,
// `worthit report` and the viewer judge and word it the same way.
#pragma once

#include <span>
#include <string>
#include <vector>

namespace worthit {

struct HostSteadiness {
  std::vector<double> probe_ns;  // one reading per round, in run order
  double fastest_ns = 0;
  // The probe's fastest reading on this machine when `worthit calibrate` ran
  // (calibration.json); 0 when unknown. A run whose every reading stayed well
  // above it ran in a slow state throughout, which its own spread cannot show.
  double reference_ns = 0;
  // Readings over the fastest one: half of them, nine in ten, all of them ran
  // at most this much slower than the fastest.
  double median_ratio = 0;
  double p90_ratio = 0;
  double max_ratio = 0;
};

// A host is noisy when one probe in ten ran more than this much slower than
// the fastest: a row then needs more than the minimum repetitions to pin its
// median to the 5% that makes it stable (docs/measurement.md, "On a shared host").
inline constexpr double kNoisyHostP90Ratio = 1.10;
// A run ran slow when even its fastest probe took more than this much longer
// than the calibrated one: on the project's VM the probe reads either its
// fastest time or about twice it (a busy SMT sibling), and a run can stay in
// the slow state for all of its rounds.
inline constexpr double kSlowHostFloorRatio = 1.25;

HostSteadiness summarize_host_probes(std::span<const double> probe_ns, double reference_ns = 0);
bool host_was_noisy(const HostSteadiness& h);
// The run's fastest probe over the calibrated one (1 when unknown).
double host_floor_ratio(const HostSteadiness& h);
bool host_ran_slow(const HostSteadiness& h);
// Whether bench's closing line is worth repeating in reports: noisy or slow.
bool host_needs_a_warning(const HostSteadiness& h);
// "host noisy: a fixed 2 ms probe, timed before each of 160 sampling rounds, ran
// up to 1.92x its fastest time (1.45x or less in 9 of 10); unstable rows reflect
// the machine as well as the candidates", or "host steady: ... within 1.04x
// ..."; a run that ran slow throughout reads "host slow: ...", and both add
// "; its fastest was 1.96x the 2.8 ms the probe takes on this machine ...".
std::string describe(const HostSteadiness& h);

}  // namespace worthit
