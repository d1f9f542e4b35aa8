"""A real Dask scheduler and workers on loopback, for the fleet tests and
scripts/fleet-overhead: each worker stands for one host (``WORTHIT_HOST``)
and offers the bench slot (``worthit-bench=1``). Every process is started in
a session of its own and its whole process group is killed on close, so
nothing outlives the test, even when it fails.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


def run_in_session(cmd: list[str], timeout: float,
                   env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Runs a command in its own session; on timeout kills the whole group and
    fails the test with the command's last stderr."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, env=env)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        import pytest  # only the tests call this; scripts/fleet-overhead imports the module too

        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        pytest.fail(f"{cmd} took over {timeout} s:\n{err[-3000:]}")
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


class _StartedInWith:
    """``with X(...) as x``: start() on enter (closing what started if it fails), close() on exit."""

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class LocalFleet(_StartedInWith):
    """``with LocalFleet(tmp, {"alpha": {...env}, "beta": {}}) as f: f.address``"""

    def __init__(self, folder: Path, hosts: dict[str, dict[str, str]], env: dict[str, str],
                 start_timeout: float = 120.0) -> None:
        self.folder = Path(folder)
        self.hosts = hosts
        self.env = env
        self.start_timeout = start_timeout
        self.scheduler: subprocess.Popen | None = None
        self.workers: dict[str, subprocess.Popen] = {}
        self.address = ""

    def _spawn(self, args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
        full = dict(os.environ)
        full.update(self.env)
        full.update(env)
        with open(log, "ab") as out:
            return subprocess.Popen([sys.executable, "-m", *args], env=full, stdout=out,
                                    stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    start_new_session=True)

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        sched_file = self.folder / "scheduler.json"
        self.scheduler = self._spawn(
            ["distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0",
             "--no-dashboard", "--scheduler-file", str(sched_file)], {},
            self.folder / "scheduler.log")
        deadline = time.monotonic() + self.start_timeout
        while not sched_file.exists():
            if self.scheduler.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the Dask scheduler did not start: " +
                                   (self.folder / "scheduler.log").read_text()[-2000:])
            time.sleep(0.1)
        time.sleep(0.1)  # the file is written in one go, but let it land
        self.address = json.loads(sched_file.read_text())["address"]
        for host, env in self.hosts.items():
            self.start_worker(host, env)
        self.wait_for_workers(len(self.hosts), deadline)

    def start_worker(self, host: str, env: dict[str, str] | None = None) -> None:
        worker_env = {"WORTHIT_HOST": host, **(env if env is not None else self.hosts[host])}
        self.workers[host] = self._spawn(
            ["distributed.cli.dask_worker", self.address, "--host", "127.0.0.1", "--nthreads", "1",
             "--resources", "worthit-bench=1", "--no-dashboard", "--name", host], worker_env,
            self.folder / f"worker-{host}.log")

    def client(self):
        from distributed import Client

        return Client(self.address, timeout=30)

    def wait_for_workers(self, n: int, deadline: float | None = None) -> None:
        deadline = deadline or time.monotonic() + self.start_timeout
        with self.client() as c:
            while len(c.scheduler_info(n_workers=-1)["workers"]) < n:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"fewer than {n} Dask workers joined")
                time.sleep(0.2)

    def worker_pids(self) -> dict[str, int]:
        """Host -> pid of its worker process (not its nanny)."""
        with self.client() as c:
            names = {a: w["name"] for a, w in c.scheduler_info(n_workers=-1)["workers"].items()}
            pids = c.run(os.getpid)
        return {names[a]: pid for a, pid in pids.items()}

    def close(self) -> None:
        for proc in self.workers.values():
            _kill_group(proc)
        if self.scheduler is not None:
            _kill_group(self.scheduler)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LoopbackSshd(_StartedInWith):
    """OpenSSH servers on 127.0.0.1, one per host name, each on a free port:
    a temporary host key, a temporary client key (the only one in their
    authorized_keys), no PAM, and ``SetEnv`` giving each session the host's
    environment (``WORTHIT_HOST`` and ``env``). They run as the current user
    (root needs OpenSSH's privilege separation folder, /run/sshd).

    ``with LoopbackSshd(tmp, ["alpha", "beta"], env) as s: s.ports["alpha"]``;
    ``s.client_key`` and ``s.known_hosts`` are the files a client uses."""

    SSHD = "/usr/sbin/sshd"

    def __init__(self, folder: Path, hosts: list[str], env: dict[str, str],
                 start_timeout: float = 20.0) -> None:
        self.folder = Path(folder)
        self.hosts = hosts
        self.env = env
        self.start_timeout = start_timeout
        self.ports: dict[str, int] = {}
        self.daemons: dict[str, subprocess.Popen] = {}
        self.client_key = self.folder / "client_key"
        self.known_hosts = self.folder / "known_hosts"

    def start(self) -> None:
        import socket

        self.folder.mkdir(parents=True, exist_ok=True)
        host_key = self.folder / "host_key"
        for key in (host_key, self.client_key):
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "worthit-test",
                            "-f", str(key)], check=True, capture_output=True)
        (self.folder / "authorized_keys").write_text(
            Path(str(self.client_key) + ".pub").read_text())
        public_host_key = " ".join(Path(str(host_key) + ".pub").read_text().split()[:2])
        if os.geteuid() == 0:
            os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
        known = []
        for host in self.hosts:
            port = free_port()
            self.ports[host] = port
            known.append(f"[127.0.0.1]:{port} {public_host_key}\n")
            env = " ".join(f'"{k}={v}"' for k, v in {"WORTHIT_HOST": host, **self.env}.items())
            conf = self.folder / f"sshd-{host}.conf"
            conf.write_text(f"""# A test host on loopback (tests/python/fleet_cluster.py).
ListenAddress 127.0.0.1
Port {port}
HostKey {host_key}
PidFile {self.folder}/sshd-{host}.pid
AuthorizedKeysFile {self.folder}/authorized_keys
UsePAM no
StrictModes no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
AllowTcpForwarding no
X11Forwarding no
SetEnv {env}
""")
            with open(self.folder / f"sshd-{host}.log", "ab") as log:
                # -D: stays in the foreground (its pid is ours); -e: logs to the file.
                self.daemons[host] = subprocess.Popen(
                    [self.SSHD, "-D", "-e", "-f", str(conf)], stdout=log, stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL, start_new_session=True)
        self.known_hosts.write_text("".join(known))
        deadline = time.monotonic() + self.start_timeout
        for host, port in self.ports.items():
            while True:
                if self.daemons[host].poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"sshd for {host} did not start: " + (
                        self.folder / f"sshd-{host}.log").read_text()[-2000:])
                with socket.socket() as s:
                    if s.connect_ex(("127.0.0.1", port)) == 0:
                        break
                time.sleep(0.05)

    def descendants(self) -> set[int]:
        """The pids of every process the servers started (sessions and what
        they run), found through /proc."""
        parents: dict[int, int] = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
                parents[int(stat.parent.name)] = int(fields[1])
            except (OSError, IndexError, ValueError):
                pass
        found: set[int] = set()
        frontier = {d.pid for d in self.daemons.values()}
        while frontier:
            children = {pid for pid, ppid in parents.items() if ppid in frontier} - found
            found |= children
            frontier = children
        return found

    def close(self) -> None:
        for proc in self.daemons.values():
            _kill_group(proc)
