"""``worthit fleet run --cluster ssh``: Dask's own SSHCluster over asyncssh.

Its options come as ``--cluster-option KEY=VALUE`` (JSON values):

- ``hosts``: the machines, as SSHCluster takes them: the first runs the
  scheduler, every other one runs one worker (one thread, the bench slot
  ``worthit-bench=1``). Name the scheduler's machine again to give it a worker.
- ``connect_options``: asyncssh.connect keywords for every host (a dict), or
  one dict per host (a list as long as ``hosts``).
- any asyncssh.connect keyword on its own (``port``, ``username``,
  ``client_keys``, ``known_hosts``, ...): the same for every host; a host's
  own dict in a ``connect_options`` list wins.
- ``remote_python``: the Python on the hosts (one path, or one per host).
- ``worker_options`` and ``scheduler_options``: passed on to Dask; the fleet
  owns the worker's thread count and its bench slot.

Before Dask starts anything, every host is checked over SSH (connect, then
the remote Python imports what it will run), so a host that cannot be
reached, refuses the key or lacks the project is one line naming it.
"""

from __future__ import annotations

import asyncio
import shlex
import sys
import threading
from dataclasses import dataclass
from typing import Any

from worthit.fleet.client import UsageError, quiet_dask_logs
from worthit.fleet.job import SLOT

OWN_KEYS = ("hosts", "connect_options", "remote_python", "worker_options", "scheduler_options")
# What a worker host's Python must import: Dask's worker and the fleet's job.
WORKER_IMPORTS = "import distributed, worthit.fleet.job"
SCHEDULER_IMPORTS = "import distributed"
WORKER_DEATH_TIMEOUT_S = 60
IMPORT_TIMEOUT_S = 60.0  # importing Dask from a cold or network file system takes its time


@dataclass
class SshSpec:
    """What SSHCluster is given: one entry per host, the scheduler's first."""

    hosts: list[str]
    connect_options: list[dict[str, Any]]
    remote_python: list[str]
    worker_options: dict[str, Any]
    scheduler_options: dict[str, Any]

    def where(self, i: int) -> str:
        """Host i's address, and its port when one is given."""
        port = self.connect_options[i].get("port")
        return f"{self.hosts[i]} port {port}" if port is not None else self.hosts[i]

    def label(self, i: int) -> str:
        """How an error names host i: its role, its address and port."""
        role = "scheduler host" if i == 0 else f"worker host {i} of {len(self.hosts) - 1}"
        return f"{role} {self.where(i)}"

    def worker_machines(self) -> int:
        """How many distinct machines (address and port) run a worker."""
        return len({(h, c.get("port")) for h, c in zip(self.hosts[1:], self.connect_options[1:])})


def _per_host(name: str, value: Any, n: int, kind: type) -> list[Any]:
    if isinstance(value, list):
        if len(value) != n:
            raise UsageError(f"--cluster ssh: {name} has {len(value)} entries but hosts has {n}: "
                             "give one per host (the scheduler's first) or a single value")
        items = value
    else:
        items = [value] * n
    for item in items:
        if not isinstance(item, kind):
            raise UsageError(f"--cluster ssh: {name} must be a {kind.__name__} or a list of them, "
                             f"not {item!r}")
    return list(items)


def ssh_spec(options: dict[str, Any], local_python: str) -> SshSpec:
    """The --cluster-option values of an SSH fleet, checked and spread per host."""
    hosts = options.get("hosts")
    if isinstance(hosts, str):
        hosts = [h.strip() for h in hosts.split(",") if h.strip()]
    if not isinstance(hosts, list) or not all(isinstance(h, str) and h for h in hosts):
        raise UsageError("--cluster ssh needs --cluster-option hosts='[\"SCHEDULER\", \"WORKER\", "
                         "...]': the first host runs the scheduler, each other one a worker")
    if len(hosts) < 2:
        raise UsageError(f"--cluster ssh: hosts {hosts} has no worker host: the first host runs "
                         "the scheduler; list it again to give it a worker too")
    n = len(hosts)
    common = {k: v for k, v in options.items() if k not in OWN_KEYS}
    per_host = _per_host("connect_options", options.get("connect_options", {}), n, dict)
    connect = [{**common, **own} for own in per_host]
    python = _per_host("remote_python", options.get("remote_python", local_python), n, str)

    worker = options.get("worker_options", {})
    scheduler = options.get("scheduler_options", {})
    for name, value in (("worker_options", worker), ("scheduler_options", scheduler)):
        if not isinstance(value, dict):
            raise UsageError(f"--cluster ssh: {name} must be a JSON object, not {value!r}")
    for key, want in (("nthreads", 1), ("n_workers", 1)):
        if worker.get(key, want) != want:
            raise UsageError(f"--cluster ssh: worker_options {key} is the fleet's: one worker of "
                             "one thread per host (the bench uses the whole machine)")
    resources = worker.get("resources", {})
    if not isinstance(resources, dict):
        raise UsageError("--cluster ssh: worker_options resources must be a JSON object")
    # death_timeout: a worker that has lost its scheduler (the fleet was
    # interrupted while SSHCluster was still starting) ends instead of
    # retrying for ever on its host.
    worker = {"death_timeout": WORKER_DEATH_TIMEOUT_S, **worker, "nthreads": 1,
              "resources": {**resources, SLOT: 1}}
    worker.pop("n_workers", None)
    scheduler = {"dashboard": False, **scheduler}
    return SshSpec(hosts, connect, python, worker, scheduler)


def _why(e: BaseException) -> str:
    import asyncssh

    if isinstance(e, asyncssh.PermissionDenied):
        return "authentication refused (check username and client_keys)"
    if isinstance(e, asyncssh.HostKeyNotVerifiable):
        return "its host key is not in known_hosts (check known_hosts)"
    if isinstance(e, asyncssh.Error):
        return f"SSH error: {e.reason}"
    if isinstance(e, TypeError):  # an asyncssh.connect keyword it does not know
        return f"bad connect option: {e}"
    if isinstance(e, (asyncio.TimeoutError, TimeoutError)):
        return "no answer"
    return f"cannot connect ({type(e).__name__}: {e})"


async def _check_host(spec: SshSpec, i: int, timeout_s: float) -> str | None:
    """None when host i can be used, else why not. `timeout_s` bounds the
    login; the remote Python gets at least IMPORT_TIMEOUT_S for its imports."""
    import asyncssh

    imports = SCHEDULER_IMPORTS if i == 0 else WORKER_IMPORTS
    python = spec.remote_python[i]
    try:
        conn = await asyncio.wait_for(asyncssh.connect(spec.hosts[i], **spec.connect_options[i]),
                                      timeout_s)
    except (asyncio.TimeoutError, TimeoutError) as e:
        return f"{_why(e)} within {timeout_s:g} s"
    except (OSError, asyncssh.Error, TypeError, ValueError) as e:
        return _why(e)
    limit = max(timeout_s, IMPORT_TIMEOUT_S)
    try:
        async with conn:
            result = await asyncio.wait_for(
                conn.run(f"{shlex.quote(python)} -c {shlex.quote(imports)}"), limit)
    except (asyncio.TimeoutError, TimeoutError):
        return f"its Python {python} did not import Dask within {limit:g} s"
    except (OSError, asyncssh.Error) as e:
        return _why(e)
    if result.exit_status != 0:
        err = (str(result.stderr or "").strip().splitlines() or ["exit status "
                                                                 f"{result.exit_status}"])[-1]
        return (f"its Python {python} cannot run the fleet ({err}); set remote_python to a Python "
                "with the project and distributed installed")
    return None


def check_hosts(spec: SshSpec, timeout_s: float) -> None:
    """Every host at once; any that cannot be used is a UsageError: the
    first with its reason, the others named after it."""

    async def all_hosts() -> list[str | None]:
        return await asyncio.gather(*(_check_host(spec, i, timeout_s)
                                      for i in range(len(spec.hosts))))

    # In a thread of its own: a Ctrl-C or SIGTERM (a KeyboardInterrupt in the
    # main thread, __main__.py) then ends the run at once instead of tearing
    # through the event loop, and the logins die with the process.
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["why"] = asyncio.run(all_hosts())
        except BaseException as e:  # handed to the main thread
            box["error"] = e

    thread = threading.Thread(target=work, name="worthit-ssh-check", daemon=True)
    thread.start()
    while thread.is_alive():
        thread.join(0.1)
    if "error" in box:
        raise box["error"]
    failed = [(i, why) for i, why in enumerate(box["why"]) if why is not None]
    if failed:
        (first, why), others = failed[0], [spec.label(i) for i, _ in failed[1:]]
        also = f"; also {', '.join(others)}" if others else ""
        raise UsageError(f"--cluster ssh: {spec.label(first)}: {why}{also}")


def ssh_cluster(options: dict[str, Any], connect_timeout_s: float) -> tuple[Any, SshSpec]:
    """A started SSHCluster, and what it was made of."""
    try:
        import asyncssh  # noqa: F401
    except ImportError:
        raise UsageError("--cluster ssh needs asyncssh on this machine: "
                         "pip install 'worthit[fleet-ssh]'") from None
    from distributed.deploy.ssh import SSHCluster

    quiet_dask_logs()  # importing Dask set its loggers anew; SSHCluster relays every remote line
    spec = ssh_spec(options, sys.executable)
    check_hosts(spec, connect_timeout_s)
    try:
        cluster = SSHCluster(spec.hosts, connect_options=spec.connect_options,
                             worker_options=spec.worker_options,
                             scheduler_options=spec.scheduler_options,
                             remote_python=spec.remote_python)
    except Exception as e:  # Dask says "Cluster failed to start: <why>"
        raise UsageError(f"--cluster ssh: {e}") from None
    return cluster, spec
