"""The report page, the timelines, cell identity and make reference, on copies of the
committed reference results (nothing is measured, nothing is timed).

    $ /usr/bin/python3 tests/report_test.py -v
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
SCRIPTS = TOP / "scripts"
REFERENCE = TOP / "results" / "reference"
PYTHON = os.environ.get("HAMMERTIME_PYTHON", "/usr/bin/python3")
FAKE_HARNESS = """#!/bin/sh
# hammertime run ... --out DIR: copies the prepared results.json into DIR.
while [ $# -gt 0 ]; do [ "$1" = --out ] && out=$2; shift; done
mkdir -p "$out" && cp "{results}" "$out/results.json"
"""


def run(*command, **options):
    return subprocess.run([str(c) for c in command], capture_output=True, text=True,
                          cwd=TOP, **options)


def staircase(concurrency, items=60, delay_us=50_000):
    """item_times as a model with C in flight would send them: waves of C items."""
    return [[i, (i // concurrency) * delay_us, (i // concurrency + 1) * delay_us]
            for i in range(items)]


def write_timeline(folder, stem, model, concurrency):
    (folder / "item_times").mkdir(exist_ok=True)
    (folder / "item_times" / f"{stem}.rep1.json").write_text(json.dumps({
        "name": stem, "repetition_index": 0, "model": model, "workload": "flags",
        "items": 60, "concurrency": concurrency, "delay_ms": 50, "stride": 1,
        "item_times": staircase(concurrency)}))


class report_test(unittest.TestCase):
    def setUp(self):
        scratch = tempfile.TemporaryDirectory(prefix="hammertime-report-")
        self.addCleanup(scratch.cleanup)
        self.scratch = Path(scratch.name)

    def copy_of(self, reference_run):
        folder = self.scratch / reference_run
        folder.mkdir()
        shutil.copy(REFERENCE / reference_run / "results.json", folder / "results.json")
        return folder

    def test_the_report_is_one_page_with_flags_plots_and_timelines_and_nothing_outside(self):
        folder = self.copy_of("reproduce")
        write_timeline(folder, "flags_sequential_C1", "sequential", 1)
        write_timeline(folder, "flags_thread_pool_C30", "thread_pool", 30)
        self.assertEqual(run(PYTHON, SCRIPTS / "plot_results.py", folder).returncode, 0)
        finished = run(PYTHON, SCRIPTS / "report.py", folder)
        self.assertEqual(finished.returncode, 0, finished.stderr)
        page = (folder / "report.html").read_text()
        for stem in ("flags_sequential_C1", "flags_thread_pool_C30"):
            self.assertTrue((folder / "plots" / f"timeline_{stem}.png").is_file())
            self.assertIn(f'id="plot-timeline_{stem}"', page)
        for plot in (folder / "plots").glob("*.svg"):
            self.assertIn(f'id="plot-{plot.stem}"', page)
        self.assertIn(">1 run<", page)  # one repetition: no spread, never a range
        self.assertIn("memory doubt", page)
        self.assertIn("bench/suites/reproduce.plan", page)  # the command
        self.assertIn("fork_exit_ms", page)  # the calibration
        self.assertIsNone(re.search(r'(src|href)="(https?:)?//', page))
        self.assertNotIn("@import", page)

    def test_a_flagged_cell_shows_its_flag_where_its_number_stands(self):
        folder = self.copy_of("reproduce")
        results = json.loads((folder / "results.json").read_text())
        first = results["benchmarks"][0]
        twin = dict(first, repetition_index=1, items_per_second=first["items_per_second"] / 2,
                    cpu_us_per_item=first["cpu_us_per_item"] * 2, server_bound=True,
                    proxy_bound=True)
        results["benchmarks"].insert(1, twin)
        results["context"]["warnings"] = ["the machine was busy"]
        (folder / "results.json").write_text(json.dumps(results))
        self.assertEqual(run(PYTHON, SCRIPTS / "report.py", folder).returncode, 0)
        page = (folder / "report.html").read_text()
        row = next(line for line in page.splitlines() if ">sequential<" in line)
        self.assertIn(">unstable<", row)
        self.assertIn(">CPU unstable<", row)
        self.assertIn("server-bound (1 of 2)", row)
        self.assertIn("proxy-bound (1 of 2)", row)
        self.assertIn("the machine was busy", page)

    def test_the_summary_shows_of_attainable_beside_efficiency_and_a_dash_where_unrecorded(self):
        folder = self.copy_of("reproduce")
        as_if_before_attainable(folder / "results.json")
        results = json.loads((folder / "results.json").read_text())
        first = results["benchmarks"][0]  # the sequential row; the run predates the field
        first.update(attainable_items_per_second=1.96, of_attainable=0.75)
        (folder / "results.json").write_text(json.dumps(results))
        self.assertEqual(run(PYTHON, SCRIPTS / "report.py", folder).returncode, 0)
        page = (folder / "report.html").read_text()
        table = page[page.index('id="summary"'):]
        head = re.findall(r"<th[^>]*>(.*?)</th>", table[:table.index("</thead>")])
        at = head.index("of attainable")
        self.assertEqual(head[at - 3:at + 1],
                         ["ideal items/s", "efficiency", "attainable items/s",
                          "of attainable"])

        def cells_of(model):
            row = next(line for line in table.splitlines() if f">{model}<" in line)
            return re.findall(r"<td[^>]*>(.*?)</td>", row)

        self.assertEqual(cells_of("sequential")[at - 1:at + 1], ["1.96", "75.0 %"])
        self.assertEqual(cells_of("thread_pool")[at - 1:at + 1], ["—", "—"])

    def test_a_row_shows_the_servers_lateness_and_both_parts_of_the_queue(self):
        folder = self.copy_of("reproduce")
        results = json.loads((folder / "results.json").read_text())
        results["benchmarks"][0].update(server_lateness_p99_ms=0.125,
                                        server_own_queue_p99_ms=0.25,
                                        client_send_wait_p99_ms=40.5)
        (folder / "results.json").write_text(json.dumps(results))
        self.assertEqual(run(PYTHON, SCRIPTS / "report.py", folder).returncode, 0)
        page = (folder / "report.html").read_text()
        self.assertIn(">own queue / send wait p99 ms<", page)
        row = next(line for line in page.splitlines() if ">sequential<" in line)
        self.assertIn("<td>0.125</td><td>0.25 / 40.5</td>", row)

    def test_compare_pairs_no_two_cells_with_different_delays(self):
        out = self.scratch / "compare"
        out.mkdir()
        finished = run(PYTHON, SCRIPTS / "compare_valid.py", REFERENCE / "reproduce",
                       REFERENCE / "bench", out)
        self.assertEqual(finished.returncode, 0, finished.stderr)
        self.assertIn("flags/sequential/C:1: delay 500 ms vs delay 50 ms", finished.stdout)
        a = json.loads((out / "a.json").read_text())["benchmarks"]
        b = json.loads((out / "b.json").read_text())["benchmarks"]
        delays = {}
        for entry in a + b:
            delays.setdefault(entry["name"], set()).add(entry["delay_ms"])
        self.assertTrue(all(len(d) == 1 for d in delays.values()), delays)

    def fake_reference(self, warnings):
        results = json.loads((REFERENCE / "reproduce" / "results.json").read_text())
        results["context"]["warnings"] = warnings
        prepared = self.scratch / "prepared.json"
        prepared.write_text(json.dumps(results))
        harness = self.scratch / "hammertime"
        harness.write_text(FAKE_HARNESS.format(results=prepared))
        harness.chmod(0o755)
        reference = self.scratch / "reference"
        (reference / "reproduce").mkdir(parents=True, exist_ok=True)
        (reference / "reproduce" / "kept").write_text("the old reference")
        return dict(os.environ, HAMMERTIME=str(harness), REFERENCE_DIR=str(reference),
                    PYTHON=PYTHON), reference

    def test_make_reference_refuses_a_run_that_warned_unless_forced(self):
        environment, reference = self.fake_reference(["the machine was busy"])
        finished = run(SCRIPTS / "make_reference.sh", "reproduce", env=environment)
        self.assertNotEqual(finished.returncode, 0)
        self.assertIn("refused", finished.stdout)
        self.assertIn("the machine was busy", finished.stdout)
        self.assertTrue((reference / "reproduce" / "kept").is_file())
        forced = run(SCRIPTS / "make_reference.sh", "reproduce",
                     env=dict(environment, FORCE="1"))
        self.assertEqual(forced.returncode, 0, forced.stdout + forced.stderr)
        self.assertTrue((reference / "reproduce" / "report.html").is_file())
        self.assertTrue((reference / "reproduce" / "reproduction.md").is_file())
        self.assertFalse((reference / "reproduce" / "kept").exists())
        self.assertRegex(forced.stdout, r"reference: 1 suite\(s\) in \d+h \d+m \d+s")

    def test_make_reference_replaces_a_quiet_run_and_names_an_unknown_suite(self):
        environment, reference = self.fake_reference([])
        finished = run(SCRIPTS / "make_reference.sh", "reproduce", env=environment)
        self.assertEqual(finished.returncode, 0, finished.stdout + finished.stderr)
        self.assertTrue((reference / "reproduce" / "report.html").is_file())
        unknown = run(SCRIPTS / "make_reference.sh", "nope", env=environment)
        self.assertEqual(unknown.returncode, 2)
        self.assertIn("no suite 'nope'", unknown.stderr)


if __name__ == "__main__":
    unittest.main(argv=sys.argv)
