"""`worthit fleet run --cluster ssh` against real OpenSSH servers: two sshd on
127.0.0.1, each on a free port with a temporary host key and client key, and
each giving its sessions WORTHIT_HOST=alpha or beta (SetEnv), so two hosts
appear. Dask's SSHCluster logs in to them with asyncssh: the scheduler and
alpha's worker through alpha's server, beta's worker through beta's (per-host
connect options). Skipped, with the reason, where sshd, asyncssh or Dask is
missing -- except under WORTHIT_REQUIRE_ALL=1 (CI), where that fails. Every
process the servers started is checked to be gone at the end.
"""

from __future__ import annotations

import getpass
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from conftest import PACKAGE_DIR, binary, have, require_or_skip
from fleet_cluster import LoopbackSshd, free_port, run_in_session

if not have("distributed"):
    require_or_skip("distributed (Dask) is not installed: pip install the pin in "
                    "scripts/requirements.txt")
if not Path(LoopbackSshd.SSHD).exists() or shutil.which("ssh-keygen") is None:
    require_or_skip(f"OpenSSH's server is not installed ({LoopbackSshd.SSHD} or ssh-keygen "
                    "missing; Debian: openssh-server, scripts/debian-packages.txt)")
if not have("asyncssh"):
    require_or_skip("asyncssh is not installed (the pin in scripts/requirements.txt, or pip "
                    "install 'worthit[fleet-ssh]')")

BENCH = ["--", "--quick", "-w", "gelu", "-b", "cpp-*"]
RUN_TIMEOUT = 180


@pytest.fixture(scope="module")
def sshd(tmp_path_factory):
    real = binary()
    if not real.exists():
        pytest.skip(f"the worthit binary is not built at {real}")
    env = {"PYTHONPATH": PACKAGE_DIR, "WORTHIT_BIN": str(real), "WORTHIT_NO_CALIBRATE": "1"}
    with LoopbackSshd(tmp_path_factory.mktemp("ssh"), ["alpha", "beta"], env) as s:
        # Every process the servers start, seen while it lives: none may outlive the fleet.
        s.seen, s.real = set(), real
        stop = threading.Event()

        def watch() -> None:
            while not stop.wait(0.1):
                s.seen |= s.descendants()

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        try:
            yield s
        finally:
            stop.set()
            watcher.join()
            for pid in s.seen:  # left over from a failed test: end it (by pid, its own)
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass


def cluster_args(s: LoopbackSshd, **override) -> list[str]:
    """--cluster ssh options: the scheduler and alpha's worker behind alpha's
    server, beta's worker behind beta's; everything on loopback."""
    a, b = s.ports["alpha"], s.ports["beta"]
    options = {
        "hosts": ["127.0.0.1"] * 3,
        "connect_options": [{"port": a}, {"port": a}, {"port": b}],
        "username": getpass.getuser(),
        "client_keys": [str(s.client_key)],
        "known_hosts": str(s.known_hosts),
        "scheduler_options": {"host": "127.0.0.1"},
        "worker_options": {"host": "127.0.0.1"},
    }
    options.update(override)
    args = ["--cluster", "ssh"]
    for key, value in options.items():
        args += ["--cluster-option", f"{key}={json.dumps(value)}"]
    return args


def run(cmd: list[str], timeout: float = RUN_TIMEOUT) -> subprocess.CompletedProcess:
    return run_in_session(cmd, timeout)


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def test_ssh_cluster_runs_one_bench_per_host_and_leaves_nothing_running(sshd, tmp_path):
    out = tmp_path / "run"
    r = run([str(sshd.real), "fleet", "run", "-q", "-o", str(out), *cluster_args(sshd), *BENCH])
    logs = "".join(p.read_text(errors="replace")[-1500:] for p in sshd.folder.glob("*.log"))
    assert r.returncode == 0, r.stderr[-3000:] + "\nsshd logs:\n" + logs
    assert "started Dask's SSHCluster: the scheduler on 127.0.0.1 port " in r.stderr
    # --hosts defaulted to the two worker hosts: both ran before the fleet went on.
    assert "2 host(s): alpha, beta" in r.stderr
    for host in ("alpha", "beta"):
        doc = json.loads((out / f"{host}.results.json").read_text())
        assert doc["schema"] == "worthit.results"
        assert doc["machine"]["host"] == host  # the name came from that host's sshd (SetEnv)
        assert any(x["backend"] == "cpp-simd" and x["status"] == "ok" for x in doc["results"])
    manifest = json.loads((out / "fleet.json").read_text())
    assert {h: v["status"] for h, v in manifest["hosts"].items()} == {"alpha": "done",
                                                                       "beta": "done"}
    # Both workers were SSH sessions: the scheduler's and two workers' at least.
    assert len(sshd.seen) >= 3

    rep = run([str(sshd.real), "report", str(out), "-o", str(tmp_path / "report.json")])
    assert rep.returncode == 0, rep.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["schema"] == "worthit.fleet-report"
    assert report["classes"][0]["hosts"] == ["alpha", "beta"]

    # Closing the cluster ended the scheduler, the workers and their sessions.
    deadline = time.monotonic() + 15
    while any(alive(p) for p in sshd.seen) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [p for p in sshd.seen if alive(p)]
    assert not left, "still running after the fleet: " + ", ".join(
        Path(f"/proc/{p}/cmdline").read_text().replace("\0", " ")[:200] for p in left
        if Path(f"/proc/{p}/cmdline").exists())


@pytest.mark.parametrize("case, override, expect", [
    ("a refused key, beta's only", {"connect_options": [{"port": "ALPHA"}, {"port": "ALPHA"},
                                                         {"port": "BETA", "client_keys": ["KEY"]}]},
     "worker host 2 of 2 127.0.0.1 port BETA: authentication refused (check username and "
     "client_keys)"),
    ("an unknown host key, every host's", {"known_hosts": "EMPTY"},
     "scheduler host 127.0.0.1 port ALPHA: its host key is not in known_hosts (check "
     "known_hosts); also worker host 1 of 2 127.0.0.1 port ALPHA, worker host 2 of 2 "
     "127.0.0.1 port BETA"),
    ("no server on the port", {"connect_options": [{"port": "ALPHA"}, {"port": "ALPHA"},
                                                   {"port": "CLOSED"}]},
     "worker host 2 of 2 127.0.0.1 port CLOSED: cannot connect (ConnectionRefusedError"),
    ("a server that never answers", {"connect_options": [{"port": "ALPHA"}, {"port": "SILENT"},
                                                          {"port": "BETA"}]},
     "worker host 1 of 2 127.0.0.1 port SILENT: no answer within 2 s"),
    ("a Python that is not there", {"remote_python": "/nonexistent/python3"},
     "scheduler host 127.0.0.1 port ALPHA: its Python /nonexistent/python3 cannot run the fleet"),
    ("no hosts", {"hosts": ["127.0.0.1"], "connect_options": {}},
     "--cluster ssh: hosts ['127.0.0.1'] has no worker host"),
])
def test_an_unusable_host_is_one_line_naming_it_exit_2(sshd, tmp_path, case, override, expect):
    other_key = tmp_path / "other_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(other_key)],
                   check=True, capture_output=True)
    (tmp_path / "empty_known_hosts").write_text("")
    closed = free_port()
    silent = socket.socket()  # accepts connections (the kernel does) but never says a word
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    names = {"KEY": str(other_key), "EMPTY": str(tmp_path / "empty_known_hosts"),
             "ALPHA": sshd.ports["alpha"], "BETA": sshd.ports["beta"], "CLOSED": closed,
             "SILENT": silent.getsockname()[1]}

    def fill(value):
        if isinstance(value, list):
            return [fill(v) for v in value]
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        return names.get(value, value) if isinstance(value, str) else value

    want = expect
    for name in ("ALPHA", "BETA", "CLOSED", "SILENT"):
        want = want.replace(f"port {name}", f"port {names[name]}")
    out = tmp_path / "run"
    with silent:  # --wait bounds the check of each host too
        r = run([str(sshd.real), "fleet", "run", "-o", str(out), "--wait", "2",
                 *cluster_args(sshd, **{k: fill(v) for k, v in override.items()}), *BENCH],
                timeout=60)
    assert r.returncode == 2, f"{case}: {r.stderr[-2000:]}"
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, f"{case}: {r.stderr}"
    assert lines[0].startswith("worthit fleet run: --cluster ssh: "), lines[0]
    assert want in lines[0], lines[0]
    assert not list(out.glob("*.results.json"))
