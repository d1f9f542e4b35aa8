# Run by test_profile_hardening under `worthit profile`, without importing
# worthit: 4 multiprocessing workers (fork start method) and 4 plain
# os.fork children, each writing 200 NVTX ranges and leaving through
# os._exit, which skips atexit. Every range must reach the merged trace.
import multiprocessing
import os

import nvtx

RANGES = 200


def work(i):
    for _ in range(RANGES):
        with nvtx.annotate(f"child {i}"):
            pass


def main():
    with nvtx.annotate("parent"):
        ctx = multiprocessing.get_context("fork")
        workers = [ctx.Process(target=work, args=(i,)) for i in range(4)]
        for w in workers:
            w.start()
        forked = []
        for i in range(4, 8):
            pid = os.fork()
            if pid == 0:
                work(i)
                os._exit(0)
            forked.append(pid)
        for w in workers:
            w.join()
        for pid in forked:
            os.waitpid(pid, 0)


if __name__ == "__main__":
    main()
