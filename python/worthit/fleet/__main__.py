"""``python -m worthit.fleet run``: what ``worthit fleet run`` hands over to.

The C++ verb checks the arguments and shows ``--help``; this module connects
to the cluster -- a running scheduler (``--scheduler``), a local cluster of
one worker (the default), batch jobs through dask-jobqueue (``--cluster
slurm|pbs|sge|lsf``) or Dask's SSHCluster (``--cluster ssh``, ssh.py) -- and
runs the fleet (client.py). Exit status: 0 when every host has results, 1
when some host failed (its error file says why), 2 for bad arguments or a
cluster that cannot be used.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from pathlib import Path
from typing import Any

from worthit.fleet.client import Fleet, RunOptions, UsageError, quiet_dask_logs, say
from worthit.fleet.job import SLOT

JOBQUEUE_CLASSES = {"slurm": "SLURMCluster", "pbs": "PBSCluster", "sge": "SGECluster",
                    "lsf": "LSFCluster"}


def cluster_option(text: str) -> tuple[str, Any]:
    """KEY=VALUE; a VALUE that reads as JSON (numbers, lists, true) is taken as such."""
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"'{text}' is not KEY=VALUE")
    try:
        return key, json.loads(value)
    except ValueError:
        return key, value


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m worthit.fleet")
    sub = p.add_subparsers(dest="verb", required=True)
    run = sub.add_parser("run", help="one worthit bench per host of a Dask cluster")
    run.add_argument("-o", "--output", required=True, type=Path)
    run.add_argument("--scheduler", default="")
    run.add_argument("--cluster", default="local", choices=["local", "ssh", *JOBQUEUE_CLASSES])
    run.add_argument("--jobs", type=int, default=1)
    run.add_argument("--cluster-option", action="append", default=[], type=cluster_option)
    run.add_argument("--processes", type=int, default=1)
    run.add_argument("--retries", type=int, default=1)
    run.add_argument("--timeout", type=float, default=None)
    run.add_argument("--hosts", type=int, default=None)
    run.add_argument("--wait", type=float, default=None)
    run.add_argument("--rejoin-wait", type=float, default=30.0)
    run.add_argument("-q", "--quiet", action="store_true")
    run.add_argument("bench_args", nargs=argparse.REMAINDER)
    return p


def jobqueue_cluster(kind: str, options: dict[str, Any], jobs: int) -> Any:
    try:
        import dask_jobqueue
    except ImportError:
        raise UsageError(f"--cluster {kind} needs dask-jobqueue on this machine: "
                         "pip install 'worthit[fleet-jobqueue]'") from None
    import dask

    cls = getattr(dask_jobqueue, JOBQUEUE_CLASSES[kind])
    kwargs = dict(options)
    # One worker per batch job (with cores=1, one task thread): the bench uses the machine.
    kwargs.setdefault("processes", 1)
    for key, default in (("cores", 1), ("memory", "2GiB")):
        if key not in kwargs and dask.config.get(f"jobqueue.{kind}.{key}", None) is None:
            kwargs[key] = default
    extra = list(kwargs.pop("worker_extra_args", None) or [])
    kwargs["worker_extra_args"] = [*extra, "--resources", f"{SLOT}=1"]
    try:
        cluster = cls(**kwargs)
    except (TypeError, ValueError) as e:
        raise UsageError(f"--cluster {kind}: {e}") from None
    cluster.scale(jobs=jobs)
    return cluster


def open_client(args: argparse.Namespace) -> tuple[Any, Any, str]:
    """(client, cluster to close or None, the scheduler's address). For
    --cluster ssh, --hosts defaults to the number of worker hosts."""
    from distributed import Client, LocalCluster

    if args.scheduler:
        try:
            client = Client(args.scheduler, timeout=min(args.wait, 30.0))
        except (OSError, TimeoutError) as e:
            raise UsageError(f"--scheduler {args.scheduler}: cannot connect ({e})") from None
        return client, None, args.scheduler
    if args.cluster == "local":
        cluster = LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                               resources={SLOT: 1}, dashboard_address=None, host="127.0.0.1")
    elif args.cluster == "ssh":
        from worthit.fleet.ssh import ssh_cluster

        cluster, spec = ssh_cluster(dict(args.cluster_option), min(args.wait, 30.0))
        if args.hosts is None:
            args.hosts = spec.worker_machines()
        workers = ", ".join(spec.where(i) for i in range(1, len(spec.hosts)))
        say(f"started Dask's SSHCluster: the scheduler on {spec.where(0)}, a worker on {workers}")
    else:
        cluster = jobqueue_cluster(args.cluster, dict(args.cluster_option), args.jobs)
        say(f"submitted {args.jobs} {args.cluster} job(s); their workers join when they start")
    return Client(cluster), cluster, cluster.scheduler_address


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    bench_args = list(args.bench_args)
    if bench_args[:1] == ["--"]:
        bench_args = bench_args[1:]
    batch = not args.scheduler and args.cluster in JOBQUEUE_CLASSES
    if args.hosts is None and args.cluster != "ssh":
        args.hosts = args.jobs if batch else 1  # ssh: the worker hosts (open_client)
    if args.wait is None:
        args.wait = 600.0 if batch else 60.0
    quiet_dask_logs()

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt  # a SIGTERM cleans up as Ctrl-C does: the cluster is closed

    signal.signal(signal.SIGTERM, stop)
    client = cluster = None
    try:
        client, cluster, address = open_client(args)
        args.hosts = args.hosts or 1
        options = RunOptions(output=args.output, bench_args=bench_args, processes=args.processes,
                             retries=args.retries, timeout_s=args.timeout, min_hosts=args.hosts,
                             wait_s=args.wait, rejoin_s=args.rejoin_wait, quiet=args.quiet,
                             scheduler=address)
        return Fleet(client, options).run()
    except UsageError as e:
        sys.stderr.write(f"worthit fleet run: {e}\n")
        return 2
    except KeyboardInterrupt:
        say("interrupted: hosts that finished keep their results; rerun with the same -o to "
            "resume the others")
        return 130
    finally:
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()


if __name__ == "__main__":
    sys.exit(main())
