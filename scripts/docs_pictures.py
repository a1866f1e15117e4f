"""The docs' two pictures, from the committed reference (make docs runs it):

    $ /usr/bin/python3 scripts/docs_pictures.py
    wrote docs/pictures/reproduce_timelines.png (from results/reference/reproduce)
    wrote docs/pictures/report_top.png (from results/reference/bench/report.html)

- reproduce_timelines.png: where the time goes in the classic demo, the three cells a
  talk draws by hand, one above the other, each on its own time axis: the C++ model
  that runs one item at a time (a staircase), the one whose every task holds a thread
  at the thread-pool script's C = 30 (its waves), and the first event-loop model with
  all 676 in flight (one wave). Each is chosen by its descriptor (`hammertime list
  --json`), in the catalogue's order. Read from the reproduce run's item_times, as
  plot_timeline.py does.
- report_top.png: the top of the bench reference's report.html, as headless Chromium
  shows it in its window (headless_chromium.WINDOW).

A picture whose source is missing (no such cell kept its item times, no chromium) is
one line on stderr and exit 1; nothing is half-written (each goes through a temporary
file).
"""

import subprocess
import sys
import tempfile
from pathlib import Path

import headless_chromium
import model_catalog
import plot_results
import plot_timeline

TOP = Path(__file__).resolve().parent.parent
PICTURES = TOP / "docs" / "pictures"
REPRODUCE = TOP / "results" / "reference" / "reproduce"
BENCH_REPORT = TOP / "results" / "reference" / "bench" / "report.html"
# The talk's three scripts, as a C++ model's descriptor and a cell's C say them: (what
# the panel shows, does this (catalogue entry, C) fit it).
TALK_CELLS = [
    ("one item at a time", lambda entry, c: entry["max_concurrency"] == 1),
    ("a thread a task, 30 of them",
     lambda entry, c: entry["each_task_holds"] == "thread" and not entry["knobs"]
     and c == 30),
    ("all 676 in flight on one loop",
     lambda entry, c: entry["family"] == "event_loop" and c == 676),
]
CHROMIUM_SECONDS = 120


def fail(message):
    print(f"docs_pictures.py: {message}", file=sys.stderr)
    sys.exit(1)


def talk_timelines():
    """For each of TALK_CELLS, the first C++ model in the catalogue's order whose cell
    fits it."""
    timelines = list(plot_timeline.load_timelines(REPRODUCE).values())
    chosen = []
    for what, fits in TALK_CELLS:
        found = [t for entry in model_catalog.catalog() if entry["kind"] == "model"
                 for t in timelines
                 if t["model"] == entry["name"] and fits(entry, int(t["concurrency"]))]
        if not found:
            fail(f"{REPRODUCE}/item_times holds no cell of a model that runs {what}")
        chosen.append(found[0])
    return chosen


def draw_reproduce_timelines():
    _, results = plot_results.read_results(["", str(REPRODUCE)], "results.json")
    footer = plot_results.footer_text(results.get("context", {}), [])
    # The slides' style, a size smaller: three panels share the picture.
    plot_results.start_plots(REPRODUCE, {"font.size": 16, "axes.titlesize": 18})
    figure, rows = plot_results.plt.subplots(
        len(TALK_CELLS), 1, figsize=(plot_results.FIGURE_SIZE[0], 12), dpi=plot_results.DPI)
    for axes, timeline in zip(rows, talk_timelines()):
        span = plot_timeline.draw_timeline(axes, timeline,
                                           plot_results.colour_of(timeline["model"]))
        axes.set_xlim(0, span * 1.02 or 1)
        axes.set_title(f"{timeline['model']}, C={timeline['concurrency']}: "
                       f"{timeline['items']} flags at {timeline['delay_ms']} ms, "
                       f"{span:.2f} s", loc="left", fontweight="bold")
        axes.set_ylabel("items")
        axes.grid(True, axis="x", alpha=0.25)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
    rows[-1].set_xlabel("seconds from the cell's start (each row its own scale)")
    figure.suptitle("Where the time goes: one bar per item, from its start to its end",
                    x=0.01, ha="left", fontweight="bold")
    figure.text(0.01, 0.01, footer, fontsize=11, color="#666666")
    figure.tight_layout(rect=(0, 0.03, 1, 0.97))
    target = PICTURES / "reproduce_timelines.png"
    temporary = target.with_name(f".{target.name}.tmp")
    figure.savefig(temporary, format="png")
    plot_results.plt.close(figure)
    temporary.replace(target)
    print(f"wrote {target.relative_to(TOP)} (from {REPRODUCE.relative_to(TOP)})")


def screenshot_report_top():
    if headless_chromium.binary() is None:
        fail("chromium is not installed (make deps installs it)")
    if not BENCH_REPORT.is_file():
        fail(f"no {BENCH_REPORT.relative_to(TOP)}: make reference writes it")
    target = PICTURES / "report_top.png"
    temporary = target.with_name(f".{target.name}.tmp.png")
    with tempfile.TemporaryDirectory(prefix="hammertime-chromium-") as profile:
        process = headless_chromium.start(profile, "--hide-scrollbars",
                                          f"--screenshot={temporary}", BENCH_REPORT.as_uri())
        try:
            process.wait(timeout=CHROMIUM_SECONDS)
        except subprocess.TimeoutExpired:
            pass
        finally:
            headless_chromium.stop(process)
    if not temporary.is_file() or temporary.stat().st_size == 0:
        temporary.unlink(missing_ok=True)
        fail("chromium wrote no screenshot of the report")
    temporary.replace(target)
    print(f"wrote {target.relative_to(TOP)} (from {BENCH_REPORT.relative_to(TOP)})")


def main():
    PICTURES.mkdir(parents=True, exist_ok=True)
    draw_reproduce_timelines()
    screenshot_report_top()
    return 0


if __name__ == "__main__":
    sys.exit(main())
