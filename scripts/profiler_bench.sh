#!/usr/bin/env bash
# Every profiler overhead bar in one run (docs/profiler.md):
#   scripts/profiler_bench.sh build/<dir> [python]
set -euo pipefail
build=${1:?usage: scripts/profiler_bench.sh build/<dir> [python]}
python=${2:-${WORTHIT_PYTHON:-/root/.cache/worthit/venv/bin/python}}
repo=$(cd "$(dirname "$0")/.." && pwd)

echo "== scope, NVTX, RECORD_FUNCTION, trace write/read (Google Benchmark; compare ratios within this run)"
"$build/profiler/bench/profiler_bench" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
  --benchmark_display_aggregates_only=true

echo "== CPU PyTorch training step: worthit profile vs torch.profiler slowdown"
PYTHONPATH="$build/python:$repo/python${PYTHONPATH:+:$PYTHONPATH}" \
  "$python" "$repo/profiler/bench/train_step_overhead.py" --worthit "$build/cli/worthit" --rounds "${ROUNDS:-5}"
