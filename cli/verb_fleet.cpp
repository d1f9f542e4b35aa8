// worthit fleet run: the same `worthit bench` on every host of a Dask cluster,
// one results file per host (docs/fleet.md). Dask is Python: this verb checks
// the arguments, then hands over to `python -m worthit.fleet run`
// (python/worthit/fleet/) with the interpreter and package the Python workers
// use (python_workers.h).
#include <cstdlib>
#include <iostream>
#include <memory>

#include "child_process.h"
#include "python_workers.h"
#include "verbs.h"

namespace worthit::cli {

namespace {

struct FleetRunOptions {
  std::string output;
  std::string scheduler;
  std::string cluster = "local";
  int jobs = 1;
  CLI::Option* jobs_option = nullptr;  // given on the command line?
  std::vector<std::string> cluster_options;
  int processes = 1;
  int retries = 1;
  double timeout_s = 0;
  int hosts = 0;
  double wait_s = 0;
  double rejoin_wait_s = 30;
  bool quiet = false;
  std::vector<std::string> bench_args;
};

// The bench arguments are the bench verb's own: parse them with it, so a typo
// fails here in a second rather than on every host. The fleet owns the output
// file and the process count.
void check_bench_args(const std::vector<std::string>& args) {
  CLI::App probe{"probe", "worthit"};
  const Verb bench = add_bench_verb(probe);
  (void)bench;
  std::vector<std::string> argv = {"bench"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<std::string> reversed(argv.rbegin(), argv.rend());
  try {
    probe.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    throw UsageError("the bench arguments ask for help: see 'worthit bench --help'");
  } catch (const CLI::ParseError& e) {
    throw UsageError(std::string("bench arguments after '--': ") + e.what() +
                     " (see 'worthit bench --help')");
  }
  CLI::App* sub = probe.get_subcommand("bench");
  for (const char* owned : {"--output", "--processes"})
    if (sub->get_option(owned)->count() > 0)
      throw UsageError(std::string("bench ") + owned +
                       " is the fleet's: give fleet run -o DIR (each host's results go to "
                       "DIR/<host>.results.json) and fleet run --processes N");
}

int run_fleet(const FleetRunOptions& o) {
  if (o.output.empty()) throw UsageError("-o DIR is required: where each host's results go");
  if (!o.scheduler.empty() && o.cluster != "local")
    throw UsageError("--scheduler and --cluster " + o.cluster +
                     " exclude each other: that cluster starts its own scheduler");
  if (o.cluster == "ssh" && o.jobs_option && o.jobs_option->count() > 0)
    throw UsageError(
        "--jobs is for batch clusters: --cluster ssh starts one worker on each host after the "
        "first in --cluster-option hosts=[...]");
  check_bench_args(o.bench_args);
  const PythonSide py = resolve_python_side();
  if (!py.unavailable_reason.empty())
    throw UsageError("fleet run needs the Python side (Dask is Python): " + py.unavailable_reason);

  std::vector<std::string> cmd = {py.python,       "-m",
                                  "worthit.fleet", "run",
                                  "--output",      o.output,
                                  "--cluster",     o.cluster,
                                  "--processes",   std::to_string(o.processes),
                                  "--retries",     std::to_string(o.retries),
                                  "--jobs",        std::to_string(o.jobs),
                                  "--rejoin-wait", std::to_string(o.rejoin_wait_s)};
  if (!o.scheduler.empty()) cmd.insert(cmd.end(), {"--scheduler", o.scheduler});
  if (o.timeout_s > 0) cmd.insert(cmd.end(), {"--timeout", std::to_string(o.timeout_s)});
  if (o.hosts > 0) cmd.insert(cmd.end(), {"--hosts", std::to_string(o.hosts)});
  if (o.wait_s > 0) cmd.insert(cmd.end(), {"--wait", std::to_string(o.wait_s)});
  for (const auto& c : o.cluster_options) cmd.insert(cmd.end(), {"--cluster-option", c});
  if (o.quiet) cmd.push_back("--quiet");
  cmd.push_back("--");
  cmd.insert(cmd.end(), o.bench_args.begin(), o.bench_args.end());

  std::string pythonpath = py.package_dir;
  if (const char* old = std::getenv("PYTHONPATH"); old && *old)
    pythonpath += std::string(":") + old;
  // A local cluster's worker runs this very binary; remote workers find their
  // own (WORTHIT_BIN in their environment, else their installed package).
  std::vector<std::pair<std::string, std::string>> env = {
      {"PYTHONPATH", pythonpath},
      {"WORTHIT_PYTHON", py.python},
      {"WORTHIT_PYTHON_PACKAGE_DIR", py.package_dir}};
  if (const std::string self = self_executable(); !self.empty())
    env.emplace_back("WORTHIT_BIN", self);
  // 0, 1 and 2 as documented; 130 after Ctrl-C, 127 when Python could not start.
  return run_child(cmd, env, "fleet run");
}

}  // namespace

Verb add_fleet_verb(CLI::App& app) {
  auto o = std::make_shared<FleetRunOptions>();
  auto* fleet =
      app.add_subcommand("fleet", "The same bench on every host of a Dask cluster (docs/fleet.md)");
  fleet->require_subcommand(1);
  auto* run = fleet->add_subcommand(
      "run",
      "Run `worthit bench --processes N <bench arguments>` once on every host of a Dask\n"
      "cluster, each as a fresh process, and write DIR/<host>.results.json as each host\n"
      "finishes. A host is a worker offering the resource worthit-bench=1, named by\n"
      "WORTHIT_HOST in its environment or its host name. A host whose bench fails, times\n"
      "out or loses its worker is retried (--retries), then gets DIR/<host>.error.json\n"
      "with the reason; the others finish. Rerunning with the same DIR resumes: hosts\n"
      "with results are skipped. `worthit report DIR` then decides per machine class.\n"
      "Exit status: 0 when every host has results, 1 when some host failed, 2 on bad\n"
      "arguments or a cluster that cannot be used.\n\n"
      "  worthit fleet run --scheduler tcp://sched:8786 -o fleet/ -- --quick -w gelu");
  run->add_option("-o,--output", o->output, "folder for DIR/<host>.results.json (and fleet.json)")
      ->required();
  run->add_option("--scheduler", o->scheduler,
                  "a running Dask scheduler, e.g. tcp://HOST:8786 (default: a local cluster of "
                  "one worker on this machine)");
  run->add_option("--cluster", o->cluster,
                  "start the workers: as batch jobs through dask-jobqueue (slurm, pbs, sge or "
                  "lsf; pip install 'worthit[fleet-jobqueue]'), or over SSH with Dask's "
                  "SSHCluster (ssh; pip install 'worthit[fleet-ssh]'); 'local' is the default")
      ->check(CLI::IsMember({"local", "ssh", "slurm", "pbs", "sge", "lsf"}));
  o->jobs_option = run->add_option("--jobs", o->jobs,
                                   "with a batch --cluster: batch jobs to submit, one host each")
                       ->check(CLI::Range(1, 10000));
  run->add_option(
         "--cluster-option", o->cluster_options,
         "with --cluster: KEY=VALUE (JSON values are parsed; repeatable). Batch: the "
         "dask-jobqueue cluster's, e.g. queue=gpu, walltime=01:00:00, "
         "job_extra_directives='[\"--exclusive\"]'. ssh: hosts='[\"sched\",\"w1\","
         "\"w2\"]' (the first runs the scheduler, each other one a worker), asyncssh "
         "connect options such as port=22, username=bench, client_keys='[\"~/.ssh/id_ed25519\"]', "
         "known_hosts=PATH, connect_options='[{...}, ...]' (one per host), remote_python=PATH "
         "(docs/fleet.md)")
      // One value per occurrence: a vector option would also swallow what follows '--'.
      ->allow_extra_args(false);
  run->add_option("--processes", o->processes,
                  "fresh bench processes per host, pooled as in `worthit bench --processes` "
                  "(default 1)")
      ->check(CLI::Range(1, 1000));
  run->add_option("--retries", o->retries,
                  "further attempts for a host whose bench failed, timed out or lost its worker "
                  "(default 1); a bench that exits 2 (bad arguments) is never retried")
      ->check(CLI::Range(0, 100));
  run->add_option("--timeout", o->timeout_s,
                  "seconds one host's bench may take before it is killed (default: no limit)")
      ->check(CLI::Range(0.1, 1e7));
  run->add_option("--hosts", o->hosts,
                  "wait until this many hosts offer a slot before starting (default 1; with a "
                  "batch --cluster, --jobs; with --cluster ssh, the worker hosts)")
      ->check(CLI::Range(1, 100000));
  run->add_option("--wait", o->wait_s,
                  "seconds to wait for --hosts hosts (default 60; 600 with a batch --cluster)")
      ->check(CLI::Range(0.1, 1e6));
  run->add_option("--rejoin-wait", o->rejoin_wait_s,
                  "seconds a host that lost its worker has to come back for a retry (default 30)")
      ->check(CLI::Range(0.0, 1e6));
  run->add_flag("-q,--quiet", o->quiet, "no bench progress lines, only each host's state");
  run->add_option("bench-args", o->bench_args,
                  "after '--': the `worthit bench` arguments every host runs, e.g. -- --quick -w "
                  "gelu");
  return {"fleet", [o] { return run_fleet(*o); }};
}

}  // namespace worthit::cli
