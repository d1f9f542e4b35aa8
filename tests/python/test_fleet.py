"""`worthit fleet run` on a real Dask scheduler with two real workers on
loopback, standing for the hosts alpha and beta (WORTHIT_HOST), each
offering the bench slot worthit-bench=1 (docs/fleet.md).

alpha's worker runs the bench through a wrapper that, while a marker file
exists, sleeps before the real bench: that makes "kill the worker mid-run"
and "the bench times out" deterministic. Benches are `--quick -w gelu -b
'cpp-*'`-sized; every process started here is killed at the end.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import PACKAGE_DIR, have

if not have("distributed"):
    pytest.skip("distributed (Dask) is not installed: pip install the pin in scripts/requirements.txt",
                allow_module_level=True)

from fleet_cluster import LocalFleet, run_in_session  # noqa: E402

BENCH = ["--", "--quick", "-w", "gelu", "-b", "cpp-*"]
RUN_TIMEOUT = 300


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for our purposes.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


@pytest.fixture(scope="module")
def fleet(tmp_path_factory, request):
    real = os.environ.get("WORTHIT_BIN") or str(Path(PACKAGE_DIR).parent / "cli" / "worthit")
    if not Path(real).exists():
        pytest.skip(f"the worthit binary is not built at {real}")
    tmp = tmp_path_factory.mktemp("fleet")
    wrapper = tmp / "slow-worthit"
    wrapper.write_text(
        "#!/bin/sh\n"
        "# A host whose bench fails, or hangs, while a marker exists (the fleet tests).\n"
        'if [ -e "$WORTHIT_TEST_FAIL_MARKER" ]; then\n'
        '  echo "worthit bench: the test made this bench fail" >&2\n'
        "  exit 3\n"
        "fi\n"
        'if [ -e "$WORTHIT_TEST_SLOW_MARKER" ]; then\n'
        "  sleep 300 &\n"
        '  echo $! > "$WORTHIT_TEST_SLOW_PIDFILE.tmp" && mv "$WORTHIT_TEST_SLOW_PIDFILE.tmp" '
        '"$WORTHIT_TEST_SLOW_PIDFILE"\n'
        "  wait\n"
        "fi\n"
        'exec "$WORTHIT_TEST_REAL_BIN" "$@"\n')
    wrapper.chmod(0o755)
    marker, pidfile, fail_marker = tmp / "slow", tmp / "sleep.pid", tmp / "fail"
    alpha_tmp = tmp / "alpha-tmp"  # where alpha's jobs make their scratch folders
    alpha_tmp.mkdir()
    env = {"PYTHONPATH": PACKAGE_DIR + os.pathsep + os.environ.get("PYTHONPATH", ""),
           "WORTHIT_NO_CALIBRATE": "1", "WORTHIT_BIN": real}
    hosts = {"alpha": {"WORTHIT_BIN": str(wrapper), "WORTHIT_TEST_REAL_BIN": real,
                       "WORTHIT_TEST_SLOW_MARKER": str(marker),
                       "WORTHIT_TEST_FAIL_MARKER": str(fail_marker),
                       "WORTHIT_TEST_SLOW_PIDFILE": str(pidfile), "TMPDIR": str(alpha_tmp)},
             "beta": {}}
    with LocalFleet(tmp / "dask", hosts, env) as f:
        f.marker, f.pidfile, f.fail_marker, f.real, f.tmp = marker, pidfile, fail_marker, real, tmp
        f.alpha_tmp = alpha_tmp
        yield f


def fleet_cmd(f, out: Path, *extra: str) -> list[str]:
    return [f.real, "fleet", "run", "--scheduler", f.address, "--hosts", "2", "-o", str(out),
            *extra, *BENCH]


def run(cmd: list[str], timeout: float = RUN_TIMEOUT,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return run_in_session(cmd, timeout, env)


def wait_for(path: Path, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None:
            pytest.fail(f"the fleet ended before {path} appeared:\n{proc.stderr.read()[-3000:]}")
        if time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            pytest.fail(f"{path} did not appear within {timeout} s")
        time.sleep(0.1)


def results_of(path: Path) -> dict:
    doc = json.loads(path.read_text())
    assert doc["schema"] == "worthit.results"
    return doc


def test_two_hosts_write_their_results_and_the_report_prints_the_matrix(fleet, tmp_path):
    out = tmp_path / "run"
    start = time.monotonic()
    r = run(fleet_cmd(fleet, out))
    wall = time.monotonic() - start
    assert r.returncode == 0, r.stderr[-3000:]
    for host in ("alpha", "beta"):
        doc = results_of(out / f"{host}.results.json")
        assert doc["machine"]["host"] == host  # the host's own fingerprint names it
        assert {x["backend"] for x in doc["results"] if x["status"] == "ok"} >= {"cpp-simd"}
        assert f"[{host}] " in r.stderr  # progress per host
        assert f"worthit fleet: {host}: done in" in r.stderr
    manifest = json.loads((out / "fleet.json").read_text())
    assert manifest["bench_args"] == BENCH[1:]
    assert {h: v["status"] for h, v in manifest["hosts"].items()} == {"alpha": "done",
                                                                       "beta": "done"}
    # The fleet's own cost beyond the benches, for the record (never asserted on).
    print(f"fleet wall {wall:.1f} s, longest bench {manifest['runs'][-1]['longest_bench_s']:.1f} s")
    assert not list(out.glob(".*"))  # no temporaries left

    rep = run([fleet.real, "report", str(out), "-o", str(tmp_path / "fleet.json"),
               "--md", str(tmp_path / "fleet.md")])
    assert rep.returncode == 0, rep.stderr
    # Both hosts are this machine: one class, its two hosts pooled as processes.
    assert "Fleet: 2 hosts in 1 machine class" in rep.stdout, rep.stdout
    assert ": alpha, beta (2 bench processes)" in rep.stdout, rep.stdout
    assert "gelu" in rep.stdout and "n=" in rep.stdout
    report = json.loads((tmp_path / "fleet.json").read_text())
    assert report["schema"] == "worthit.fleet-report"
    assert report["classes"][0]["hosts"] == ["alpha", "beta"]
    assert report["matrix"]["rows"] and report["matrix"]["rows"][0]["workload"] == "gelu"
    assert "## Matrix" in (tmp_path / "fleet.md").read_text()


def test_a_killed_worker_costs_its_host_only_and_a_rerun_resumes(fleet, tmp_path):
    out = tmp_path / "run"
    fleet.marker.touch()
    fleet.pidfile.unlink(missing_ok=True)
    proc = subprocess.Popen(fleet_cmd(fleet, out, "--retries", "0"), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        wait_for(fleet.pidfile, proc)  # alpha's bench is running (asleep)
        sleeper = int(fleet.pidfile.read_text())
        os.kill(fleet.worker_pids()["alpha"], signal.SIGKILL)
        _, err = proc.communicate(timeout=RUN_TIMEOUT)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        fleet.marker.unlink(missing_ok=True)
    assert proc.returncode == 1, err[-3000:]
    error = json.loads((out / "alpha.error.json").read_text())
    assert error["schema"] == "worthit.fleet-error"
    assert "left the cluster" in error["reason"] or "died" in error["reason"], error
    assert error["attempts"] == 1
    assert not (out / "alpha.results.json").exists()
    results_of(out / "beta.results.json")  # the other host finished
    assert "alpha: FAILED after 1 attempt(s)" in err
    # The guard took the bench down with its worker: nothing of it is left.
    deadline = time.monotonic() + 10
    while pid_alive(sleeper) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not pid_alive(sleeper), "alpha's bench outlived its killed worker"
    # ...and its scratch folder, which the killed job could not remove itself.
    while list(fleet.alpha_tmp.glob("worthit-fleet-*")) and time.monotonic() < deadline + 10:
        time.sleep(0.1)
    assert not list(fleet.alpha_tmp.glob("worthit-fleet-*")), "the killed job's scratch was left"

    # The nanny restarts alpha's worker; the same -o folder resumes alpha only.
    fleet.wait_for_workers(2)
    beta_before = (out / "beta.results.json").read_bytes()
    r = run(fleet_cmd(fleet, out))
    assert r.returncode == 0, r.stderr[-3000:]
    assert "already done, skipped: beta" in r.stderr, r.stderr[-2000:]
    results_of(out / "alpha.results.json")
    assert not (out / "alpha.error.json").exists()
    assert (out / "beta.results.json").read_bytes() == beta_before
    manifest = json.loads((out / "fleet.json").read_text())
    assert manifest["hosts"]["alpha"]["status"] == "done"
    assert manifest["hosts"]["beta"]["attempts"] == 1  # from the first run, kept
    assert len(manifest["runs"]) == 2

    # Other bench arguments in the same folder would mix two runs: refused.
    other = run([fleet.real, "fleet", "run", "--scheduler", fleet.address, "-o", str(out), "--",
                 "--quick", "-w", "gelu", "-b", "cpp-simd"])
    assert other.returncode == 2
    assert "holds a fleet run of `worthit bench --processes 1 --quick -w gelu -b cpp-*`" in \
        other.stderr, other.stderr


def test_a_retry_runs_on_the_restarted_worker(fleet, tmp_path):
    out = tmp_path / "run"
    fleet.marker.touch()
    fleet.pidfile.unlink(missing_ok=True)
    proc = subprocess.Popen(fleet_cmd(fleet, out, "--retries", "1"), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        wait_for(fleet.pidfile, proc)
        fleet.marker.unlink()  # the next attempt runs the real bench at once
        os.kill(fleet.worker_pids()["alpha"], signal.SIGKILL)
        _, err = proc.communicate(timeout=RUN_TIMEOUT)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        fleet.marker.unlink(missing_ok=True)
    assert proc.returncode == 0, err[-3000:]
    assert "alpha: attempt 1 failed:" in err and "retrying" in err, err[-3000:]
    assert "alpha: attempt 2 of 2" in err
    results_of(out / "alpha.results.json")
    manifest = json.loads((out / "fleet.json").read_text())
    assert manifest["hosts"]["alpha"]["attempts"] == 2
    assert manifest["hosts"]["beta"]["attempts"] == 1


def test_a_bench_that_times_out_is_killed_and_recorded(fleet, tmp_path):
    out = tmp_path / "run"
    fleet.marker.touch()
    fleet.pidfile.unlink(missing_ok=True)
    try:
        r = run(fleet_cmd(fleet, out, "--retries", "0", "--timeout", "30"))
    finally:
        fleet.marker.unlink(missing_ok=True)
    assert r.returncode == 1, r.stderr[-3000:]
    error = json.loads((out / "alpha.error.json").read_text())
    assert error["reason"] == "the bench timed out after 30 s (--timeout) and was killed"
    results_of(out / "beta.results.json")
    assert not pid_alive(int(fleet.pidfile.read_text()))
    assert not list(fleet.alpha_tmp.glob("worthit-fleet-*")), "the timed-out job's scratch was left"


def test_a_failing_bench_is_retried_then_recorded_with_its_reason(fleet, tmp_path):
    out = tmp_path / "run"
    fleet.fail_marker.touch()
    try:
        r = run(fleet_cmd(fleet, out, "--retries", "1"))
    finally:
        fleet.fail_marker.unlink(missing_ok=True)
    assert r.returncode == 1, r.stderr[-3000:]
    error = json.loads((out / "alpha.error.json").read_text())
    assert error["reason"] == ("worthit bench exited with status 3: worthit bench: the test "
                               "made this bench fail"), error
    assert error["attempts"] == 2  # --retries 1: tried twice
    assert not (out / "alpha.results.json").exists()
    results_of(out / "beta.results.json")
    manifest = json.loads((out / "fleet.json").read_text())
    assert manifest["hosts"]["alpha"]["status"] != "done"
    # The report decides on the host that finished and names the one that did not.
    rep = run([fleet.real, "report", str(out), "-o", "-", "--md", "-"])
    assert rep.returncode == 0, rep.stderr
    assert "alpha" in rep.stdout and "made this bench fail" in rep.stdout, rep.stdout


def test_bad_arguments_fail_before_any_cluster(worthit_bin, tmp_path):
    r = run([str(worthit_bin), "fleet", "run", "-o", str(tmp_path / "x"), "--", "--quick",
             "--no-such-option"], timeout=60)
    assert r.returncode == 2
    assert r.stderr.startswith("worthit fleet: bench arguments after '--':"), r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    r = run([str(worthit_bin), "fleet", "run", "-o", str(tmp_path / "x"), "--", "-o", "a.json"],
            timeout=60)
    assert r.returncode == 2 and "is the fleet's" in r.stderr, r.stderr
    assert not (tmp_path / "x").exists()
    h = run([str(worthit_bin), "fleet", "run", "--help"], timeout=60)
    assert h.returncode == 0 and "worthit-bench=1" in h.stdout


def test_without_a_scheduler_a_local_cluster_of_one_worker_runs_the_bench(worthit_bin, tmp_path):
    out = tmp_path / "local"
    env = dict(os.environ, WORTHIT_HOST="solo", WORTHIT_NO_CALIBRATE="1")
    proc = run([str(worthit_bin), "fleet", "run", "-q", "-o", str(out), *BENCH], env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert results_of(out / "solo.results.json")["machine"]["host"] == "solo"
    assert "[solo]" not in proc.stderr  # --quiet: no bench lines, only the host's state
    assert "solo: done in" in proc.stderr


# --cluster ssh's options, spread per host (worthit.fleet.ssh.ssh_spec): a table.
SSH_SPEC_CASES = [
    ("one dict for every host, a shared key merged in",
     {"hosts": ["s", "w"], "connect_options": {"port": 22}, "username": "bench"},
     {"connect_options": [{"port": 22, "username": "bench"}] * 2, "remote_python": ["PY"] * 2}),
    ("a host's own dict wins over a shared key",
     {"hosts": "s, w1,w2", "port": 22, "connect_options": [{}, {"port": 2201}, {}]},
     {"hosts": ["s", "w1", "w2"],
      "connect_options": [{"port": 22}, {"port": 2201}, {"port": 22}]}),
    ("remote_python per host; the fleet owns the worker's thread and slot",
     {"hosts": ["s", "w"], "remote_python": ["/a/python", "/b/python"],
      "worker_options": {"host": "127.0.0.1", "resources": {"GPU": 1}}},
     {"remote_python": ["/a/python", "/b/python"],
      "worker_options": {"death_timeout": 60, "host": "127.0.0.1", "nthreads": 1,
                         "resources": {"GPU": 1, "worthit-bench": 1}},
      "scheduler_options": {"dashboard": False}}),
    ("no hosts", {}, "needs --cluster-option hosts="),
    ("only a scheduler", {"hosts": ["s"]}, "has no worker host"),
    ("connect_options of the wrong length", {"hosts": ["s", "w"], "connect_options": [{}]},
     "connect_options has 1 entries but hosts has 2"),
    ("remote_python not a path", {"hosts": ["s", "w"], "remote_python": 3},
     "remote_python must be a str"),
    ("more than one thread", {"hosts": ["s", "w"], "worker_options": {"nthreads": 4}},
     "worker_options nthreads is the fleet's"),
    ("worker_options not an object", {"hosts": ["s", "w"], "worker_options": [1]},
     "worker_options must be a JSON object"),
]


@pytest.mark.parametrize("case, options, want", SSH_SPEC_CASES, ids=[c[0] for c in SSH_SPEC_CASES])
def test_ssh_cluster_options_are_checked_and_spread_per_host(case, options, want):
    from worthit.fleet.client import UsageError
    from worthit.fleet.ssh import ssh_spec

    if isinstance(want, str):
        with pytest.raises(UsageError, match=re.escape(want)):
            ssh_spec(options, "PY")
        return
    spec = ssh_spec(options, "PY")
    for key, value in want.items():
        assert getattr(spec, key) == value, key


def test_ssh_worker_machines_count_address_and_port():
    from worthit.fleet.ssh import ssh_spec

    spec = ssh_spec({"hosts": ["a", "a", "a", "b"],
                     "connect_options": [{}, {"port": 1}, {"port": 2}, {"port": 1}]}, "PY")
    assert spec.worker_machines() == 3
    assert spec.label(0) == "scheduler host a"
    assert spec.label(3) == "worker host 3 of 3 b port 1"
    assert ssh_spec({"hosts": ["a", "a", "a"]}, "PY").worker_machines() == 1
