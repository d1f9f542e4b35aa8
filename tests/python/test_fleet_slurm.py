"""`worthit fleet run --cluster slurm` against a real Slurm: Debian's
slurmctld and slurmd (slurm-wlm), configured and started here on loopback
with auth/none (one node: this machine), and dask-jobqueue submitting the
worker as a batch job. Skipped, with the reason, where Slurm, root or
dask-jobqueue is missing. Every job is cancelled and both daemons are killed
at the end.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from conftest import PACKAGE_DIR, have

MISSING = [tool for tool in ("slurmctld", "slurmd", "sbatch", "sinfo", "scancel", "squeue")
           if shutil.which(tool) is None]
if MISSING:
    pytest.skip(f"Slurm is not installed ({', '.join(MISSING)} missing; Debian: slurmctld slurmd, "
                "scripts/debian-packages.txt)", allow_module_level=True)
if os.geteuid() != 0:
    pytest.skip("slurmd must run as root to start jobs (SlurmdUser=root)", allow_module_level=True)
if not have("dask_jobqueue"):
    pytest.skip("dask-jobqueue is not installed (scripts/requirements.txt, or pip install "
                "'worthit[fleet-jobqueue]')", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} within {timeout} s")
        time.sleep(0.2)


@pytest.fixture
def slurm(tmp_path):
    node = socket.gethostname().split(".")[0]
    for d in ("state", "spool"):
        (tmp_path / d).mkdir()
    conf = tmp_path / "slurm.conf"
    conf.write_text(f"""# One-node test cluster on loopback (tests/python/test_fleet_slurm.py).
ClusterName=worthittest
SlurmctldHost={node}(127.0.0.1)
SlurmctldPort={free_port()}
SlurmdPort={free_port()}
SlurmUser=root
SlurmdUser=root
AuthType=auth/none
CredType=cred/none
StateSaveLocation={tmp_path}/state
SlurmdSpoolDir={tmp_path}/spool
SlurmctldPidFile={tmp_path}/slurmctld.pid
SlurmdPidFile={tmp_path}/slurmd.pid
SlurmctldLogFile={tmp_path}/slurmctld.log
SlurmdLogFile={tmp_path}/slurmd.log
ProctrackType=proctrack/pgid
TaskPlugin=task/none
SelectType=select/linear
MpiDefault=none
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/builtin
NodeName={node} NodeAddr=127.0.0.1 CPUs={os.cpu_count()} RealMemory=4096 State=UNKNOWN
PartitionName=fleettest Nodes={node} Default=YES MaxTime=INFINITE State=UP
""")
    env = dict(os.environ, SLURM_CONF=str(conf))
    daemons = []
    try:
        for cmd in (["slurmctld", "-D", "-i", "-f", str(conf)], ["slurmd", "-D", "-f", str(conf)]):
            with open(tmp_path / f"{cmd[0]}.out", "wb") as out:
                daemons.append(subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                                stdin=subprocess.DEVNULL, start_new_session=True))
            time.sleep(0.5)

        def idle() -> bool:
            r = subprocess.run(["sinfo", "-h", "-o", "%t"], env=env, capture_output=True, text=True)
            return r.stdout.strip() == "idle"

        wait_until(idle, 60, "the Slurm node did not come up idle")
        yield env
    finally:
        subprocess.run(["scancel", "--user", "root", "--partition", "fleettest"], env=env,
                       capture_output=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            q = subprocess.run(["squeue", "-h", "-p", "fleettest"], env=env, capture_output=True,
                               text=True)
            if q.returncode != 0 or not q.stdout.strip():
                break
            time.sleep(0.3)
        for d in daemons:
            try:
                os.killpg(d.pid, signal.SIGTERM)
                d.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(d.pid, signal.SIGKILL)


def test_fleet_run_submits_its_worker_as_a_slurm_job(slurm, worthit_bin, tmp_path):
    out = tmp_path / "fleet"
    env = dict(slurm, WORTHIT_NO_CALIBRATE="1",
               PYTHONPATH=PACKAGE_DIR + os.pathsep + os.environ.get("PYTHONPATH", ""))
    cmd = [str(worthit_bin), "fleet", "run", "-q", "--cluster", "slurm", "--jobs", "1",
           "--wait", "120", "-o", str(out),
           "--cluster-option", "queue=fleettest",
           "--cluster-option", "interface=lo",  # scheduler and worker on loopback
           "--cluster-option", "memory=1GiB",
           "--cluster-option", "walltime=00:10:00",
           "--cluster-option", f"log_directory={tmp_path / 'jobs'}",
           "--cluster-option", 'job_script_prologue=["export WORTHIT_HOST=slurm-node"]',
           "--", "--quick", "-w", "gelu", "-b", "cpp-*"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    try:
        _, err = proc.communicate(timeout=400)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        _, err = proc.communicate()
        pytest.fail("fleet run --cluster slurm took over 400 s:\n" + err[-3000:])
    logs = "".join(p.read_text(errors="replace")[-1500:] for p in (tmp_path / "jobs").glob("*"))
    assert proc.returncode == 0, err[-3000:] + "\njob logs:\n" + logs
    assert "submitted 1 slurm job(s)" in err
    doc = json.loads((out / "slurm-node.results.json").read_text())
    assert doc["machine"]["host"] == "slurm-node"
    assert any(r["backend"] == "cpp-simd" and r["status"] == "ok" for r in doc["results"])
