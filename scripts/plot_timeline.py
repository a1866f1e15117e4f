"""Where the time goes: one timeline per flags cell of at most 2,000 items.

    $ /usr/bin/python3 scripts/plot_timeline.py results/latest
    wrote results/latest/plots/timeline_flags_sequential_C1.png (+ .svg)
    ...

Reads DIR/item_times/*.json (the harness writes one per cell run: each sampled item's
[index, start_us, end_us], µs from the work's clock start) and draws, per cell, x = time
from the cell's start, one horizontal bar per item from its start to its end, rows in
start order: sequential shows a staircase, a pool of 30 threads its waves, an event
loop one wave. Of a cell's repetitions it draws the median one (by its last end).
Writes nothing, and says so, when the run kept no timeline.
"""

import json
import statistics
import sys
from collections import defaultdict
from pathlib import Path

import plot_results

TIMELINE_MOST_ITEMS = 2000  # a bar per item stays readable up to here
TIMELINE_WORKLOAD = "flags"
BAR_HEIGHT = 1.0  # of a row: neighbours touch, so a wave reads as one block


def load_timelines(results_dir):
    """{file stem without .repK: the median repetition's item_times file, parsed}."""
    by_cell = defaultdict(list)
    for path in sorted((results_dir / "item_times").glob("*.json")):
        timeline = json.loads(path.read_text())
        if timeline.get("workload") != TIMELINE_WORKLOAD or not timeline.get("item_times"):
            continue
        if int(timeline.get("items", 0)) > TIMELINE_MOST_ITEMS:
            continue
        by_cell[path.name.split(".rep")[0]].append(timeline)
    chosen = {}
    for stem, runs in by_cell.items():
        ends = [max(end for _, _, end in run["item_times"]) for run in runs]
        middle = statistics.median_low(ends)
        chosen[stem] = runs[ends.index(middle)]
    return chosen


def timeline_name(stem):
    return f"timeline_{stem}"


def draw_timeline(axes, timeline, colour):
    """The bars, rows in start order; returns the cell's span in seconds."""
    rows = sorted(timeline["item_times"], key=lambda item: (item[1], item[2]))
    starts = [start / 1e6 for _, start, _ in rows]
    widths = [max(end - start, 0) / 1e6 for _, start, end in rows]
    axes.barh(range(len(rows)), widths, left=starts, height=BAR_HEIGHT, color=colour,
              linewidth=0)
    axes.set_ylim(len(rows), -1)  # the first item on top
    return max((s + w for s, w in zip(starts, widths)), default=0)


def plot_timelines(results_dir, plots_dir, footer):
    timelines = load_timelines(results_dir)
    if not timelines:
        print("skipped timeline: no flags cell of at most "
              f"{TIMELINE_MOST_ITEMS} items kept item_times")
        return []
    written = []
    for stem, timeline in sorted(timelines.items()):
        figure, axes = plot_results.new_figure(
            f"Where the time goes: {timeline['model']}, C={timeline['concurrency']}, "
            f"N={timeline['items']}, {timeline['delay_ms']} ms", grid_axis="x")
        span = draw_timeline(axes, timeline, plot_results.colour_of(timeline["model"]))
        sampled = "" if timeline.get("stride", 1) == 1 else \
            f" (every {timeline['stride']}th item)"
        axes.set_xlabel("seconds from the cell's start")
        axes.set_ylabel(f"items in start order{sampled}")
        axes.set_xlim(0, span * 1.02 or 1)
        plot_results.save(figure, footer, plots_dir, timeline_name(stem))
        written.append(timeline_name(stem))
    return written


def main(argv):
    run = plot_results.open_run(argv, "plot_timeline.py")
    if run is None:
        return 1
    results_dir, _, _, plots_dir, footer = run
    plot_timelines(results_dir, plots_dir, footer)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
