"""The Python scripts a talk's figures come from: plot_results.py, plot_micro.py,
reproduce_table.py and compare_results.sh, run as `make plots`, `make micro`,
`make reproduce` and `make compare` run them, on the committed reference results.

    $ /usr/bin/python3 tests/scripts_test.py        (CTest runs it as `scripts`)

Each plot must come out as PNG and SVG at 16:9; the reproduction table must carry the
medians that results.json holds; bad input is one line on stderr and exit 2.
"""

import json
import os
import shutil
import statistics
import struct
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


def run(*command, cwd=None):
    return subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=cwd)


def catalog_colour(name):
    """A model's colour as `hammertime list --json` gives it (scripts/model_catalog.py)."""
    sys.path.insert(0, str(SCRIPTS))
    import model_catalog
    return model_catalog.colour_of(name)


def run_script(name, *args):
    return run(PYTHON, str(SCRIPTS / name), *args)


def png_size(path):
    """(width, height) from a PNG's IHDR chunk."""
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", header[16:24])


class scripts_test(unittest.TestCase):
    def setUp(self):
        scratch = tempfile.TemporaryDirectory(prefix="hammertime-scripts-")
        self.addCleanup(scratch.cleanup)
        self.scratch = Path(scratch.name)

    def copy_of(self, reference_run, *files):
        """A scratch results folder holding only `files` of results/reference/<run>."""
        folder = self.scratch / reference_run
        folder.mkdir()
        for name in files:
            shutil.copy(REFERENCE / reference_run / name, folder / name)
        return folder

    def assert_plots(self, folder, names):
        plots = folder / "plots"
        self.assertEqual(sorted(p.name for p in plots.iterdir()),
                         sorted(f"{n}.{kind}" for n in names for kind in ("png", "svg")))
        for name in names:
            width, height = png_size(plots / f"{name}.png")
            self.assertAlmostEqual(width / height, 16 / 9, places=2, msg=name)
            self.assertIn("<svg", (plots / f"{name}.svg").read_text()[:2000], name)

    def assert_one_line_and_exit_2(self, finished, *words):
        self.assertEqual(finished.returncode, 2, finished.stderr)
        self.assertEqual(finished.stdout, "")
        self.assertEqual(len(finished.stderr.splitlines()), 1, finished.stderr)
        for word in words:
            self.assertIn(word, finished.stderr)

    def test_plot_results_draws_the_five_plots_of_a_bench_run_as_png_and_svg(self):
        folder = self.copy_of("bench", "results.json")
        finished = run_script("plot_results.py", str(folder))
        self.assertEqual(finished.returncode, 0, finished.stderr)
        self.assert_plots(folder, ["items_per_second", "concurrency_sweep", "memory_per_task",
                                   "cpu_per_item", "latency"])

    def test_plot_results_puts_each_bars_share_of_ideal_and_of_attainable_over_it(self):
        folder = self.copy_of("bench", "results.json")
        as_if_before_attainable(folder / "results.json")
        self.assertEqual(run_script("plot_results.py", str(folder)).returncode, 0)
        plot = folder / "plots" / "items_per_second.svg"
        self.assertIn("%·—", plot.read_text())  # a run that predates of_attainable
        results = json.loads((folder / "results.json").read_text())
        for bench in results["benchmarks"]:
            if "efficiency" in bench:
                bench["of_attainable"] = 0.123
                bench["attainable_items_per_second"] = bench["items_per_second"] / 0.123
        (folder / "results.json").write_text(json.dumps(results))
        finished = run_script("plot_results.py", str(folder))
        self.assertEqual(finished.returncode, 0, finished.stderr)
        svg = plot.read_text()
        self.assertIn("%·12%", svg)
        self.assertNotIn("·—", svg)
        self.assertIn("dotted: attainable", svg)

    def test_plot_results_draws_the_link_delay_pairs_apart_from_the_other_cells(self):
        folder = self.copy_of("link-delay", "results.json")
        finished = run_script("plot_results.py", str(folder))
        self.assertEqual(finished.returncode, 0, finished.stderr)
        self.assertIn("skipped memory_per_task", finished.stdout)
        self.assert_plots(folder, ["items_per_second", "concurrency_sweep",
                                   "cpu_per_item", "latency", "link_delay"])

    def test_plot_results_draws_the_peers_in_a_style_of_their_own_with_a_legend(self):
        folder = self.copy_of("published", "results.json")
        finished = run_script("plot_results.py", str(folder))
        self.assertEqual(finished.returncode, 0, finished.stderr)
        bars = (folder / "plots" / "cpu_per_item.svg").read_text()
        lines = (folder / "plots" / "memory_per_task.svg").read_text()
        self.assertIn("peers: Python, Node.js, Go", bars)
        self.assertIn("C++ models", bars)
        self.assertIn("node (peer)", lines)
        self.assertNotIn("callbacks (peer)", lines)
        # Without a runtime, results.json has no peers: no such legend, no "(peer)".
        results = json.loads((folder / "results.json").read_text())
        for bench in results["benchmarks"]:
            bench.pop("runtime", None)
        (folder / "results.json").write_text(json.dumps(results))
        finished = run_script("plot_results.py", str(folder))
        self.assertEqual(finished.returncode, 0, finished.stderr)
        self.assertNotIn("peers: Python", (folder / "plots" / "cpu_per_item.svg").read_text())
        self.assertNotIn("(peer)", (folder / "plots" / "memory_per_task.svg").read_text())

    def test_plot_results_without_a_folder_prints_its_usage_and_exits_2(self):
        self.assert_one_line_and_exit_2(run_script("plot_results.py"), "usage:")

    def test_plot_results_on_a_folder_without_results_json_says_so_and_exits_2(self):
        self.assert_one_line_and_exit_2(run_script("plot_results.py", str(self.scratch)),
                                        "no results.json", str(self.scratch))
        self.assertFalse((self.scratch / "plots").exists())

    def test_plot_results_with_no_valid_cell_draws_nothing_and_exits_1(self):
        folder = self.copy_of("reproduce", "results.json")
        results = json.loads((folder / "results.json").read_text())
        for bench in results["benchmarks"]:
            bench["valid"] = False
        (folder / "results.json").write_text(json.dumps(results))
        finished = run_script("plot_results.py", str(folder))
        self.assertEqual(finished.returncode, 1)
        self.assertIn("no valid cells", finished.stderr)
        self.assertFalse((folder / "plots").exists())

    def test_plot_workloads_draws_the_three_workload_plots_and_their_tables(self):
        folder = self.copy_of("workloads", "results.json")
        finished = run_script("plot_workloads.py", str(folder))
        self.assertEqual(finished.returncode, 0, finished.stderr)
        self.assert_plots(folder, ["hammer", "chained_lines_of_code", "loop_lag"])
        tables = (folder / "workloads.md").read_text()
        for heading in ("## hammer", "## chained", "## ticker"):
            self.assertIn(heading, tables)
        # The lines of code come from the models' tag::chained[] markers: the blocking
        # models share blocking_client.cpp's fetch_chained, callbacks has its own.
        chained = tables[tables.index("## chained"):tables.index("## ticker")]
        rows = {line.split(" | ")[0].strip("| "): line.split(" | ")[3]
                for line in chained.splitlines() if line.startswith("| ") and "---" not in line}
        self.assertEqual(rows["sequential"], rows["process_pool"])
        self.assertGreater(int(rows["callbacks"]), int(rows["sequential"]))

    def test_plot_micro_draws_one_log_scale_plot_from_micro_json(self):
        folder = self.copy_of("micro", "micro.json")
        finished = run_script("plot_micro.py", str(folder))
        self.assertEqual(finished.returncode, 0, finished.stderr)
        self.assert_plots(folder, ["micro"])

    def test_plot_micro_colours_a_bar_by_the_model_its_benchmark_name_carries(self):
        folder = self.copy_of("micro", "micro.json")
        micro = json.loads((folder / "micro.json").read_text())
        for bench in micro["benchmarks"]:  # FAMILY/WHAT (older runs) -> FAMILY/MODEL/WHAT
            for key in ("name", "run_name"):
                if bench.get(key, "").startswith("spawn/tbb_task"):
                    bench[key] = bench[key].replace("spawn/", "spawn/thread_pool/", 1)
        (folder / "micro.json").write_text(json.dumps(micro))
        finished = run_script("plot_micro.py", str(folder))
        self.assertEqual(finished.returncode, 0, finished.stderr)
        svg = (folder / "plots" / "micro.svg").read_text()
        self.assertIn(catalog_colour("thread_pool").lower(), svg.lower())
        self.assertIn("thread pool", svg)

    def test_model_catalog_gives_every_model_and_peer_in_table_order(self):
        finished = run(PYTHON, "-c", "import json, model_catalog as m; print(json.dumps("
                       "[[e['name'], e['kind'], m.colour_of(e['name'])] for e in m.catalog()]"
                       " + [m.colour_of('no_such_model'), m.order_of('no_such_model'), "
                       "m.label_of('thread_pool'), m.order_of('sequential')]))",
                       cwd=SCRIPTS)
        self.assertEqual(finished.returncode, 0, finished.stderr)
        *entries, unknown_colour, unknown_order, label, first = json.loads(finished.stdout)
        self.assertEqual(entries[0][:2], ["sequential", "model"])
        self.assertIn(["go", "peer", "#6699CC"], entries)
        kinds = [kind for _, kind, _ in entries]
        self.assertEqual(kinds, sorted(kinds))  # the models, then the peers
        self.assertTrue(all(colour.startswith("#") for _, _, colour in entries))
        self.assertEqual(unknown_colour, "#999999")
        self.assertEqual(unknown_order, len(entries))
        self.assertEqual(label, "thread pool")
        self.assertEqual(first, 0)

    def test_plot_micro_on_a_folder_without_micro_json_says_so_and_exits_2(self):
        self.assert_one_line_and_exit_2(run_script("plot_micro.py", str(self.scratch)),
                                        "no micro.json")

    def test_published_table_gives_each_rows_memory_at_each_task_count_and_the_published_figures(self):
        folder = self.copy_of("published", "results.json")
        finished = run_script("published_table.py", str(folder))
        self.assertEqual(finished.returncode, 0, finished.stderr)
        self.assertTrue(finished.stdout.startswith((folder / "published.md").read_text()))
        results = json.loads((folder / "results.json").read_text())
        models = {b["model"] for b in results["benchmarks"]}
        rows = [line.split(" | ") for line in finished.stdout.splitlines()
                if line.startswith("| ") and " | model | " in line or " | peer | " in line]
        self.assertEqual(len(rows), len(models))
        at_1m = {b["model"]: b for b in results["benchmarks"]  # valid 1M cells only
                 if b["items"] == 1_000_000 and b.get("valid", True)}
        for row in rows:
            if len(row) < 8:
                continue
            if row[-1].strip(" |") == "":  # a 1M cell: its peak in MiB and bytes/task
                self.assertNotEqual(row[5], "–", row)
            else:  # no 1M cell: says where it stopped
                self.assertTrue(row[-1].startswith("stops at"), row)
        self.assertEqual(sum(1 for r in rows if r[-1].startswith("stops at")),
                         len(models) - len(at_1m))
        self.assertIn("stops at 10k tasks", finished.stdout)
        for figure in ("196.6", "207.4", "213.6", "439.0", "494–564", "1,095–1,154",
                       "2,586–2,658", "1,276–2,232", "pkolaczk 2023", "hez2010 2024"):
            self.assertIn(figure, finished.stdout)
        self.assert_plots(folder, ["published"])

    def test_the_plots_mark_each_flag_of_a_cell(self):
        sys.path.insert(0, str(SCRIPTS))
        import plot_results
        cell = {"unstable": True, "server_bound": False, "proxy_bound": True}
        self.assertEqual(plot_results.flags_of(cell), ["unstable", "proxy-bound"])
        self.assertEqual(plot_results.flag_marks(cell), " †¶")
        self.assertEqual(plot_results.flag_marks({}), "")

    def test_published_labels_are_spread_apart_without_losing_their_order(self):
        sys.path.insert(0, str(SCRIPTS))
        import published_table
        values = [196.6, 207.4, 213.6, 439.0, 529.0]
        placed = published_table.spread_apart(values, 1.18)
        self.assertEqual(placed[0], 196.6)  # the lowest stays where it is
        for below, above in zip(placed, placed[1:]):
            self.assertGreaterEqual(above / below, 1.18 - 1e-9)
        self.assertEqual(placed[3:], [439.0, 529.0])  # far enough apart already
        self.assertEqual(published_table.spread_apart([5.0, 1.0], 2.0), [5.0, 1.0])

    def test_reproduce_table_carries_each_models_median_beside_the_talks_figure(self):
        folder = self.copy_of("reproduce", "results.json")
        as_if_before_attainable(folder / "results.json")  # the columns below: no "of attainable"
        finished = run_script("reproduce_table.py", str(folder))
        self.assertEqual(finished.returncode, 0, finished.stderr)
        rows = {line.split(" | ")[0].lstrip("| "): line.split(" | ")
                for line in finished.stdout.splitlines()[2:]}
        results = json.loads((folder / "results.json").read_text())
        models = {bench["model"] for bench in results["benchmarks"]}
        self.assertEqual(set(rows), models)
        for model in models:
            ours = statistics.median(b["items_per_second"] for b in results["benchmarks"]
                                     if b["model"] == model)
            self.assertEqual(rows[model][2], f"{ours:,.2f}", model)
            self.assertEqual(rows[model][-1], "yes |", model)
        self.assertEqual(rows["sequential"][5], "1.92")
        self.assertEqual(rows["coroutines"][5], "150.00")
        self.assertEqual(rows["thread_pool"][5], "not quoted")
        self.assertEqual((folder / "reproduction.md").read_text(), finished.stdout)
        self.assertEqual(sorted(p.name for p in folder.iterdir()),
                         ["reproduction.md", "results.json"])  # no temporary left behind

    def test_reproduce_table_puts_the_python_peers_beside_the_talks_python_figures(self):
        folder = self.copy_of("reproduce", "results.json")
        as_if_before_attainable(folder / "results.json")  # the columns below: no "of attainable"
        results = json.loads((folder / "results.json").read_text())
        sequential = next(b for b in results["benchmarks"] if b["model"] == "sequential")
        # The figure follows the descriptor: a blocking row at C = 1 stands beside the
        # sequential script's, one at C = 30 beside none.
        for peer, concurrency in (("python_sequential", 1), ("python_threads", 30)):
            results["benchmarks"].append(dict(sequential, model=peer, concurrency=concurrency,
                                              runtime="Python 3.11.2"))
        (folder / "results.json").write_text(json.dumps(results))
        finished = run_script("reproduce_table.py", str(folder))
        self.assertEqual(finished.returncode, 0, finished.stderr)
        rows = {line.split(" | ")[0].lstrip("| "): line.split(" | ")
                for line in finished.stdout.splitlines()[2:]}
        self.assertEqual(rows["python_sequential"][5:], ["1.92", "Python 3.11.2", "yes |"])
        self.assertEqual(rows["python_threads"][5:], ["not quoted", "Python 3.11.2", "yes |"])
        self.assertEqual(rows["sequential"][6], "C++")

    def test_reproduce_table_puts_of_attainable_beside_efficiency_where_recorded(self):
        folder = self.copy_of("reproduce", "results.json")
        as_if_before_attainable(folder / "results.json")
        finished = run_script("reproduce_table.py", str(folder))
        self.assertNotIn("attainable", finished.stdout)  # a run that predates it
        results = json.loads((folder / "results.json").read_text())
        for bench in results["benchmarks"]:
            bench["attainable_items_per_second"] = bench["items_per_second"] / 0.8
        results["benchmarks"][-1].update(error_occurred=True, error_message="killed")
        (folder / "results.json").write_text(json.dumps(results))
        finished = run_script("reproduce_table.py", str(folder))
        self.assertEqual(finished.returncode, 0, finished.stderr)
        lines = finished.stdout.splitlines()
        self.assertEqual(lines[0].split(" | ")[4:6], ["efficiency", "of attainable"])
        rows = {line.split(" | ")[0].lstrip("| "): line.split(" | ") for line in lines[2:]}
        self.assertEqual(rows["sequential"][5], "80.0 %")
        widths = {len(line.split("|")) for line in lines}
        self.assertEqual(len(widths), 1, lines)  # the invalid row too: one cell each

    def test_reproduce_table_names_the_reason_a_row_is_invalid(self):
        folder = self.copy_of("reproduce", "results.json")
        results = json.loads((folder / "results.json").read_text())
        for bench in results["benchmarks"]:
            if bench["model"] == "sequential":
                bench.update(error_occurred=True, error_message="the child was killed")
        (folder / "results.json").write_text(json.dumps(results))
        finished = run_script("reproduce_table.py", str(folder))
        self.assertEqual(finished.returncode, 0, finished.stderr)
        (row,) = [line for line in finished.stdout.splitlines() if "| sequential |" in line]
        self.assertIn("invalid: the child was killed", row)
        self.assertTrue(row.endswith("| no |"), row)

    def test_compare_with_one_folder_prints_its_usage_and_exits_2(self):
        finished = run("bash", str(SCRIPTS / "compare_results.sh"), str(self.scratch))
        self.assert_one_line_and_exit_2(finished, "usage:")

    def test_compare_of_a_folder_without_results_json_says_so_and_exits_2(self):
        folder = self.copy_of("bench", "results.json")
        finished = run("bash", str(SCRIPTS / "compare_results.sh"), str(folder),
                       str(self.scratch / "missing"))
        self.assert_one_line_and_exit_2(finished, "no results.json", "missing")

    def test_compare_keeps_only_valid_entries_and_names_the_ones_it_left_out(self):
        a = self.copy_of("bench", "results.json")
        b = self.scratch / "b"
        shutil.copytree(a, b)
        results = json.loads((b / "results.json").read_text())
        broken = results["benchmarks"][0]
        broken.update(valid=False, error_occurred=True, error_message="crashed: SIGSEGV")
        median = next(e for e in results["benchmarks"]
                      if e["run_type"] == "aggregate" and e["run_name"] == broken["run_name"])
        median["items_per_second"] *= 1.5  # apart, but its own row stays valid
        (b / "results.json").write_text(json.dumps(results))
        out = self.scratch / "out"
        out.mkdir()
        finished = run_script("compare_valid.py", str(a), str(b), str(out))
        self.assertEqual(finished.returncode, 0, finished.stderr)
        self.assertIn(f"B: {broken['name']}: crashed: SIGSEGV", finished.stdout)
        kept = json.loads((out / "b.json").read_text())["benchmarks"]
        self.assertNotIn(broken, kept)
        self.assertTrue(all(entry["valid"] is True for entry in kept))
        self.assertEqual(len(kept), len(results["benchmarks"]) - 1)
        stable = sum(1 for entry in results["benchmarks"]
                     if entry["run_type"] == "aggregate" and not entry.get("unstable"))
        self.assertFalse(median.get("unstable"))
        self.assertIn(f"Agreement on items/s: {stable - 1} of {stable}", finished.stdout)
        self.assertIn(f"{broken['run_name']}:", finished.stdout)
        self.assertIn("(+50.0%)", finished.stdout)
        self.assertNotIn("different machines", finished.stdout)

    def test_compare_warns_when_the_two_runs_machines_differ(self):
        a = self.copy_of("bench", "results.json")
        b = self.scratch / "b"
        shutil.copytree(a, b)
        results = json.loads((b / "results.json").read_text())
        results["context"]["kernel"] = "Linux 6.18.44-fc-v769 x86_64"
        results["context"]["calibration"] = {"fork_exit_ms": 4.0}
        (b / "results.json").write_text(json.dumps(results))
        results = json.loads((a / "results.json").read_text())
        results["context"]["calibration"] = {"fork_exit_ms": 0.4}
        (a / "results.json").write_text(json.dumps(results))
        out = self.scratch / "out"
        out.mkdir()
        finished = run_script("compare_valid.py", str(a), str(b), str(out))
        self.assertEqual(finished.returncode, 0, finished.stderr)
        self.assertIn("different machines", finished.stdout)
        self.assertIn("kernel: Linux", finished.stdout)
        self.assertIn("calibration fork_exit_ms: 0.4 vs 4", finished.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
