"""scripts/docs_tables.py, the docs' generated tables: `make docs-check` fails on a
hand-edited figure, on an unknown block or a missing end marker (one clear line each), and
on a figure in prose without its results file; the generator works on a fresh run of
today's harness as well as on the committed references.

    $ /usr/bin/python3 tests/docs_tables_test.py [BUILD_BIN]   (CTest runs it as docs_tables)

BUILD_BIN (or $HAMMERTIME_BIN_DIR) holds the hammertime binary for the fresh run; without
it that test is skipped.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

from older_run import as_if_before_attainable

TOP = Path(__file__).resolve().parent.parent
SCRIPT = TOP / "scripts" / "docs_tables.py"
REFERENCE = TOP / "results" / "reference"
PYTHON = os.environ.get("HAMMERTIME_PYTHON", "/usr/bin/python3")
BIN_DIR = Path(sys.argv.pop(1) if len(sys.argv) > 1 else
               os.environ.get("HAMMERTIME_BIN_DIR", TOP / "build" / "bin"))
PAGES = ("README.md", "docs")


def docs_tables(*args):
    return subprocess.run([PYTHON, str(SCRIPT), *args], capture_output=True, text=True,
                          timeout=120)


class docs_tables_test(unittest.TestCase):
    def setUp(self):
        self.root = Path(tempfile.mkdtemp(prefix="docs_tables_"))
        shutil.copy(TOP / "README.md", self.root / "README.md")
        shutil.copytree(TOP / "docs", self.root / "docs")

    def tearDown(self):
        shutil.rmtree(self.root)

    def check(self, reference=REFERENCE):
        return docs_tables("--check", "--root", str(self.root), "--reference", str(reference))

    def edit(self, page, old, new):
        path = self.root / page
        text = path.read_text()
        self.assertIn(old, text)
        path.write_text(text.replace(old, new, 1))

    def test_the_committed_pages_pass_the_check(self):
        result = self.check()
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_changing_one_digit_in_a_generated_block_fails_naming_block_and_line(self):
        page = self.root / "docs" / "results.md"
        lines = page.read_text().split("\n")
        start = lines.index("<!-- generated: bench-flags -->")
        row = start + 3  # the header, the rule, then the first row
        cells = lines[row].split("|")
        digit = re.search(r"\d", cells[6]).start()  # the first digit of items/s
        cells[6] = (cells[6][:digit] + str((int(cells[6][digit]) + 1) % 10)
                    + cells[6][digit + 1:])
        lines[row] = "|".join(cells)
        page.write_text("\n".join(lines))
        result = self.check()
        self.assertEqual(result.returncode, 1)
        self.assertIn(f"docs/results.md:{row + 1}: block bench-flags differs", result.stderr)

    def test_make_docs_writes_back_what_the_check_expects(self):
        self.edit("README.md", "| valid | flags |", "| valid | flag |")
        self.assertEqual(self.check().returncode, 1)
        wrote = docs_tables("--root", str(self.root), "--reference", str(REFERENCE))
        self.assertEqual(wrote.returncode, 0, wrote.stderr)
        self.assertEqual(self.check().returncode, 0)

    def test_an_unknown_block_name_is_one_clear_error(self):
        self.edit("docs/results.md", "<!-- generated: micro -->", "<!-- generated: macro -->")
        self.edit("docs/results.md", "<!-- end generated: micro -->",
                  "<!-- end generated: macro -->")
        result = self.check()
        self.assertEqual(result.returncode, 1)
        errors = result.stderr.strip().splitlines()
        self.assertEqual(len(errors), 1, result.stderr)
        self.assertIn("unknown generated block 'macro'", errors[0])

    def test_a_missing_end_marker_is_one_clear_error(self):
        self.edit("docs/results.md", "<!-- end generated: peers -->\n", "")
        result = self.check()
        self.assertEqual(result.returncode, 1)
        errors = result.stderr.strip().splitlines()
        self.assertEqual(len(errors), 1, result.stderr)
        self.assertRegex(errors[0], r"docs/results\.md:\d+: generated block peers has no "
                                    r"`<!-- end generated: peers -->`")

    def test_a_figure_in_prose_must_name_its_results_file(self):
        self.edit("docs/columns.md", "## Flags\n", "## Flags\n\nThe pool got 1,234 items/s.\n")
        result = self.check()
        self.assertEqual(result.returncode, 1)
        self.assertIn("the figure '1,234 items/s' is quoted outside a generated block",
                      result.stderr)
        self.edit("docs/columns.md", "1,234 items/s.",
                  "1,234 items/s (`results/reference/bench/results.json`).")
        self.assertEqual(self.check().returncode, 0)

    def test_a_run_that_records_the_attainable_rate_shows_it_beside_efficiency(self):
        sys.path.insert(0, str(TOP / "scripts"))
        import docs_tables
        reference = self.root / "reference"
        (reference / "reproduce").mkdir(parents=True)
        copied = reference / "reproduce" / "results.json"
        shutil.copy(REFERENCE / "reproduce" / "results.json", copied)
        results = as_if_before_attainable(copied)
        older = docs_tables.summary_table(reference, "reproduce")
        self.assertNotIn("attainable", older[0])  # a run that predates it: no column
        for bench in results["benchmarks"]:
            if "items_per_second" in bench:
                bench["attainable_items_per_second"] = bench["items_per_second"] / 0.8
        (reference / "reproduce" / "results.json").write_text(json.dumps(results))
        lines = docs_tables.summary_table(reference, "reproduce")

        def cells(line):
            return [cell.strip() for cell in line.strip().strip("|").split("|")]

        header = cells(lines[0])
        at = header.index("of attainable")
        self.assertEqual(header[at - 2:at + 1],
                         ["efficiency", "attainable items/s", "of attainable"])
        self.assertEqual(len(cells(lines[1])), len(header))
        self.assertEqual(cells(lines[2])[at], "80.0 %")
        self.assertEqual(len(cells(lines[2])), len(header))

    def test_a_row_without_its_flag_is_server_bound_by_lateness_or_own_queue(self):
        sys.path.insert(0, str(TOP / "scripts"))
        from docs_tables import server_bound
        row = {"delay_ms": 10, "server_lateness_p99_ms": 0.1, "server_own_queue_p99_ms": 0.1,
               "client_send_wait_p99_ms": 40}  # 1 % each; the client's part never counts
        self.assertFalse(server_bound(row))
        self.assertTrue(server_bound(dict(row, server_own_queue_p99_ms=0.25)))
        self.assertTrue(server_bound(dict(row, server_lateness_p99_ms=0.25)))
        self.assertTrue(server_bound({"delay_ms": 10, "server_lateness_p99_ms": 0.25}))
        self.assertFalse(server_bound(dict(row, server_own_queue_p99_ms=0.25,
                                           server_bound=False)))  # the row's own flag

    def test_a_scripts_text_output_is_quoted_whole_and_checked(self):
        reference = self.root / "results" / "reference"
        reference.mkdir(parents=True)
        for run in REFERENCE.iterdir():  # every run as it is, but the one edited
            (reference / run.name).symlink_to(run)
        (reference / "fresh-deps").unlink()
        shutil.copytree(REFERENCE / "fresh-deps", reference / "fresh-deps")
        output = reference / "fresh-deps" / "fresh_deps.txt"
        output.write_text("fresh Debian 12\n  make deps                    81 s, 3 packages\n")
        result = self.check(reference)
        self.assertEqual(result.returncode, 1)
        self.assertIn("block fresh-deps differs", result.stderr)
        wrote = docs_tables("--root", str(self.root), "--reference", str(reference))
        self.assertEqual(wrote.returncode, 0, wrote.stderr)
        results = (self.root / "docs" / "results.md").read_text()
        self.assertIn("```\nfresh Debian 12\n  make deps                    81 s, 3 packages\n"
                      "```\n\nFrom `results/reference/fresh-deps/fresh_deps.txt`.", results)

    def test_a_fresh_run_of_todays_harness_fills_every_block(self):
        hammertime = BIN_DIR / "hammertime"
        if not hammertime.is_file():
            self.skipTest(f"no {hammertime}: build first")
        fresh = self.root / "fresh"
        run = subprocess.run(
            [str(hammertime), "run", "--workload", "flags", "--models", "all", "--items", "20",
             "--concurrency", "10", "--delay", "5ms", "--repetitions", "2",
             "--out", str(fresh)], capture_output=True, text=True, timeout=300)
        self.assertEqual(run.returncode, 0, run.stderr)
        reference = self.root / "results" / "reference"
        for name in ("reproduce", "bench", "peers", "workloads", "link-delay", "published"):
            shutil.copytree(fresh, reference / name)
        for name in ("micro", "server-load", "fresh-deps"):
            shutil.copytree(REFERENCE / name, reference / name)
        table = subprocess.run([PYTHON, str(TOP / "scripts" / "reproduce_table.py"),
                                str(reference / "reproduce")], capture_output=True, text=True)
        self.assertEqual(table.returncode, 0, table.stderr)
        wrote = docs_tables("--root", str(self.root), "--reference", str(reference))
        self.assertEqual(wrote.returncode, 0, wrote.stderr)
        self.assertEqual(self.check(reference).returncode, 0)
        results = (self.root / "docs" / "results.md").read_text()
        self.assertIn("| flags | coroutines | 10 | 20 | 5 |", results)
        self.assertIn("| efficiency | attainable items/s | of attainable |", results)
        self.assertIn("| own queue / send wait p99 ms |", results)
        self.assertIn("From `results/reference/bench/results.json`", results)
        headline = (self.root / "README.md").read_text()
        self.assertIn("flags from `results/reference/reproduce/results.json`", headline)


if __name__ == "__main__":
    unittest.main()
