# Run by test_profiler_processes under NVTX injection: nested ranges, marks,
# domains and start/end ranges from the `nvtx` package.
import sys
import time

import nvtx

with nvtx.annotate("py outer"):
    time.sleep(0.001)
    with nvtx.annotate("py inner", domain="pydomain"):
        time.sleep(0.001)
    nvtx.mark("py mark")
nvtx.push_range("py pushed")
nvtx.pop_range()
rng = nvtx.start_range("py started")
time.sleep(0.0005)
nvtx.end_range(rng)


@nvtx.annotate("py decorated")
def work():
    return sum(range(1000))


work()
sys.exit(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
