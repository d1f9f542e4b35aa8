"""Shared setup for the Python-side tests (tests/python/).

The package under test is the build tree's (PYTHONPATH=build/<dir>/python, or
WORTHIT_BUILD_DIR=build/<dir>, which sets it up here); the `worthit` binary is
$WORTHIT_BIN, else <build dir>/cli/worthit. See docs/python.md.
"""

from __future__ import annotations

import glob
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _build_dir() -> Path | None:
    if os.environ.get("WORTHIT_BUILD_DIR"):
        return Path(os.environ["WORTHIT_BUILD_DIR"]).resolve()
    spec = importlib.util.find_spec("worthit")
    if spec and spec.origin:
        # build/<dir>/python/worthit/__init__.py -> build/<dir>
        return Path(spec.origin).resolve().parents[2]
    return None


BUILD = _build_dir()
if BUILD is not None and str(BUILD / "python") not in sys.path:
    sys.path.insert(0, str(BUILD / "python"))
if importlib.util.find_spec("worthit") is None or not glob.glob(str(BUILD / "python" / "worthit" / "_native*")):
    pytest.exit("the worthit package is not built or not on PYTHONPATH: build with CMake and set "
                "PYTHONPATH=build/<dir>/python (or WORTHIT_BUILD_DIR=build/<dir>)", returncode=4)

PACKAGE_DIR = str(Path(importlib.util.find_spec("worthit").origin).resolve().parents[1])


def have(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def require_or_skip(reason: str) -> None:
    """Skips the calling test module with the reason, except under
    WORTHIT_REQUIRE_ALL=1 (CI's full build, .ci/run), where nothing may be
    skipped: there the missing piece fails the module instead."""
    module = Path(sys._getframe(1).f_code.co_filename).name  # the skip's line is this file's
    reason = f"{module}: {reason}"
    if os.environ.get("WORTHIT_REQUIRE_ALL") == "1":
        pytest.fail(f"{reason}; WORTHIT_REQUIRE_ALL=1 runs every test, so install it "
                    "(scripts/setup)", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


def binary() -> Path:
    return Path(os.environ["WORTHIT_BIN"]) if os.environ.get("WORTHIT_BIN") else (BUILD / "cli" / "worthit")


def run_workers(req: dict, tmp_path: Path, env: dict | None = None, timeout: float = 900,
                extra_args: list[str] | None = None) -> list[dict]:
    """Runs `worthit bench` (the C++ binary drives the Python workers) with
    the options of `req` (workload_globs, backend_globs, sizes, plugins,
    repetitions, min_time_s, quick, timeout_s) and returns its rows."""
    path = binary()
    if not path.exists():
        pytest.skip(f"the worthit binary is not built at {path} (set WORTHIT_BIN)")
    base = {"threads": 2, "repetitions": 2, "min_time_s": 0.001, "quick": True,
            "workload_globs": ["*"], "backend_globs": ["*"], "sizes": [], "plugins": []}
    base.update(req)
    tmp_path.mkdir(parents=True, exist_ok=True)
    output = tmp_path / "out.json"
    args = [str(path), "bench", "--no-table", "-o", str(output), "-t", str(base["threads"]),
            "-r", str(base["repetitions"]), "--min-time", str(base["min_time_s"])]
    if base["quick"]:
        args.append("--quick")
    for g in base["workload_globs"]:
        args += ["-w", g]
    for g in base["backend_globs"]:
        args += ["-b", g]
    for sz in base["sizes"]:
        args += ["-s", sz]
    for p in base["plugins"]:
        args += ["--plugin", p]
    args += extra_args or []
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = PACKAGE_DIR + os.pathsep + full_env.get("PYTHONPATH", "")
    if "timeout_s" in base:
        full_env["WORTHIT_WORKER_TIMEOUT"] = str(base["timeout_s"])
    full_env.update(env or {})
    proc = subprocess.run(args, env=full_env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode in (0, 1), proc.stderr[-3000:]
    run_workers.last_stderr = proc.stderr
    return json.loads(output.read_text())["results"]


@pytest.fixture
def worthit_bin() -> Path:
    path = binary()
    if not path.exists():
        pytest.skip(f"the worthit binary is not built at {path} (set WORTHIT_BIN)")
    return path
