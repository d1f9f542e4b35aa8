"""``python -m worthit`` and the ``worthit`` console script of the wheel.

Both run the C++ command-line tool installed inside this package
(``worthit/_bin/worthit``, with the profiler libraries beside it), telling it
which interpreter and package its Python workers use: this one.
"""

from __future__ import annotations

import os
import sys


def _binary() -> str:
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "_bin", "worthit")


def main() -> int:
    exe = _binary()
    if not os.access(exe, os.X_OK):
        sys.stderr.write(
            f"worthit: the command-line tool is not part of this installation ({exe} is missing); "
            "install the wheel with `pip install .` from the repository, or run build/dev/cli/worthit\n"
        )
        return 2
    env = dict(os.environ)
    env["WORTHIT_PYTHON"] = sys.executable
    env["WORTHIT_PYTHON_PACKAGE_DIR"] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    os.execve(exe, ["worthit", *sys.argv[1:]], env)
    return 127  # not reached: execve replaces this process or raises


if __name__ == "__main__":
    sys.exit(main())
