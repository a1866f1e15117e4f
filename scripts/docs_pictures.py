"""The docs' two pictures, from the committed reference (make docs runs it):

    $ /usr/bin/python3 scripts/docs_pictures.py
    wrote docs/pictures/reproduce_timelines.png (from results/reference/reproduce)
    wrote docs/pictures/report_top.png (from results/reference/bench/report.html)

- reproduce_timelines.png: where the time goes in the classic demo, the three cells a
  talk draws by hand, one above the other, each on its own time axis: sequential (a
  staircase), the thread pool at C = 30 (its waves), the generator loop at C = 676
  (one wave). Read from the reproduce run's item_times, as plot_timeline.py does.
- report_top.png: the top of the bench reference's report.html, as headless Chromium
  shows it in a 1400 x 1000 window.

A picture whose source is missing (no such cell kept its item times, no chromium) is
one line on stderr and exit 1; nothing is half-written (each goes through a temporary
file).
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import plot_results
import plot_timeline

TOP = Path(__file__).resolve().parent.parent
PICTURES = TOP / "docs" / "pictures"
REPRODUCE = TOP / "results" / "reference" / "reproduce"
BENCH_REPORT = TOP / "results" / "reference" / "bench" / "report.html"
# (model, concurrency): the talk's three pictures.
TALK_CELLS = [("sequential", 1), ("thread_pool", 30), ("generator_loop", 676)]
WINDOW = "1400,1000"
CHROMIUM_SECONDS = 120


def fail(message):
    print(f"docs_pictures.py: {message}", file=sys.stderr)
    sys.exit(1)


def talk_timelines():
    timelines = plot_timeline.load_timelines(REPRODUCE)
    chosen = []
    for model, concurrency in TALK_CELLS:
        found = [t for t in timelines.values()
                 if t["model"] == model and int(t["concurrency"]) == concurrency]
        if not found:
            fail(f"{REPRODUCE}/item_times holds no {model} cell at C={concurrency}")
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
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        fail("chromium is not installed (make deps installs it)")
    if not BENCH_REPORT.is_file():
        fail(f"no {BENCH_REPORT.relative_to(TOP)}: make reference writes it")
    target = PICTURES / "report_top.png"
    temporary = target.with_name(f".{target.name}.tmp.png")
    with tempfile.TemporaryDirectory(prefix="hammertime-chromium-") as profile:
        # A session of its own, so that the whole group (renderers, helpers) ends with it.
        process = subprocess.Popen(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--hide-scrollbars", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", f"--window-size={WINDOW}",
             f"--user-data-dir={profile}", f"--screenshot={temporary}",
             BENCH_REPORT.as_uri()],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            process.wait(timeout=CHROMIUM_SECONDS)
        except subprocess.TimeoutExpired:
            pass
        finally:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()
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
