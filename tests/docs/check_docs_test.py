"""scripts/check-docs finds each kind of broken reference, and only those.

Plain unittest (no pytest), so it runs in every build, cpu-only included:
    python3 tests/docs/check_docs_test.py
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import subprocess
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "..", "..", "scripts", "check-docs")


def load_checker():
    loader = importlib.machinery.SourceFileLoader("check_docs", SCRIPT)
    spec = importlib.util.spec_from_loader("check_docs", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


class CheckDocsTest(unittest.TestCase):
    def setUp(self):
        self.checker = load_checker()
        self.tmp = tempfile.TemporaryDirectory()
        self.root = self.tmp.name
        subprocess.run(["git", "init", "-q", self.root], check=True)
        self.write("docs/guide.md", "# Guide\n\n## Two words\n\ntext\n")
        self.write("reports/src/decision.cpp", "// see docs/guide.md\n")
        self.write("kernels/csv/csv_parser.cpp", "\n")

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, rel: str, text: str) -> None:
        path = os.path.join(self.root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)

    def problems(self) -> list[str]:
        return self.checker.check(self.root)

    def test_a_clean_tree_has_no_problems(self):
        self.write("README.md", "[guide](docs/guide.md#two-words), reports/src/decision.cpp, "
                                "kernels/csv/csv_parser (any extension), cmake/Worthit*.cmake\n")
        self.assertEqual(self.problems(), [])

    def test_each_broken_kind_is_reported_with_file_and_line(self):
        self.write("README.md", "ok\n[gone](docs/missing.md)\n[anchor](docs/guide.md#no-such)\n"
                                "reports/src/gone.cpp and DESIGN.md\n")
        self.assertEqual(self.problems(), [
            "README.md:2: link to docs/missing.md: no such file",
            "README.md:3: link to docs/guide.md#no-such: no heading '#no-such' there",
            "README.md:4: mentions reports/src/gone.cpp, which does not exist",
            "README.md:4: mentions DESIGN.md, which is not in the repository",
        ])

    def test_urls_and_written_files_are_not_references(self):
        self.write("docs/more.md", "[site](https://example.com/docs/x.md) writes report.md\n")
        self.assertEqual(self.problems(), [])


if __name__ == "__main__":
    unittest.main()
