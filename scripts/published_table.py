#!/usr/bin/env python3
"""The published "how much memory do a million concurrent tasks need" table, from a
results folder of `make bench-published` (sleep cells at 1, 10k, 100k and 1M tasks,
each sleeping 10 s): one row per model and peer, its peak memory at each task count in
MiB and its bytes per task at 1M where it was measured, beside the published figures
at 1M. Writes DIR/published.md (and prints it) and DIR/plots/published.png/.svg (memory
at each task count, one line per runtime, log-log, the published figures as marks).

    $ /usr/bin/python3 scripts/published_table.py results/latest

A row with no 1M cell (platform threads stop at the machine's thread limit, a process
pool at one task) says where it stopped. The scripts name no model: labels, colours
and order come from model_catalog.
"""

import json
import statistics
import sys
from collections import defaultdict
from pathlib import Path

import plot_results  # noqa: E402  (sets matplotlib's backend and the house style)
from plot_results import plt  # noqa: E402

import model_catalog  # noqa: E402

TASK_COUNTS = (1, 10_000, 100_000, 1_000_000)
MIB = 1 << 20

# The published figures at 1M tasks, MiB (a range where the two disagree or a runtime
# has several rows). pkolaczk 2023: "How Much Memory Do You Need to Run 1 Million
# Concurrent Tasks?" (pkolaczk.github.io/memory-consumption-of-async); hez2010 2024:
# "How Much Memory Do You Need in 2024 to Run 1 Million Concurrent Tasks?"
# (hez2010.github.io/async-runtimes-benchmarks-2024).
PUBLISHED_AT_1M = [
    # (runtime, low MiB, high MiB, source)
    ("C# NativeAOT", 196.6, 196.6, "hez2010 2024"),
    ("Rust futures", 207.4, 207.4, "hez2010 2024"),
    ("Rust tokio", 213.6, 213.6, "pkolaczk 2023 (MB)"),
    ("Rust tokio", 439.0, 439.0, "hez2010 2024"),
    ("Node.js", 494.0, 564.0, "pkolaczk 2023, hez2010 2024"),
    ("Java virtual threads", 1095.0, 1154.0, "pkolaczk 2023, hez2010 2024"),
    ("Go", 2586.0, 2658.0, "pkolaczk 2023, hez2010 2024"),
    ("Python asyncio", 1276.0, 2232.0, "pkolaczk 2023, hez2010 2024"),
]


# Labels closer than this factor on the log axis would overlap at the plot's font size.
LABEL_RATIO = 1.18


def spread_apart(values, ratio):
    """The values, each moved up as little as needed to sit at least `ratio` times above
    the one below it (on a log axis: an even gap), in the order given."""
    placed = {}
    previous = None
    for index in sorted(range(len(values)), key=lambda i: values[i]):
        at = values[index] if previous is None else max(values[index], previous * ratio)
        placed[index] = previous = at
    return [placed[i] for i in range(len(values))]


def say_and_exit(message):
    print(message, file=sys.stderr)
    sys.exit(2)


def load_rows(folder):
    """{model: {tasks: [cells]}} of the sleep cells, and every model seen."""
    results = folder / "results.json"
    if not results.exists():
        say_and_exit(f"{folder}: no results.json (run make bench-published first)")
    rows = defaultdict(lambda: defaultdict(list))
    for cell in json.loads(results.read_text()).get("benchmarks", []):
        if cell.get("workload") != "sleep" or cell.get("run_type") == "aggregate":
            continue
        rows[cell["model"]][cell["items"]].append(cell)
    if not rows:
        say_and_exit(f"{folder}/results.json: no sleep cells")
    return rows


def median_of(cells, key):
    values = [c[key] for c in cells if c.get("valid") and c.get(key) is not None]
    return statistics.median(values) if values else None


def mib(value):
    return "–" if value is None else f"{value / MIB:,.1f}"


def stopped_at(by_tasks):
    """Where a row with no valid 1M cell stopped: its largest valid task count."""
    valid = [n for n, cells in by_tasks.items() if any(c.get("valid") for c in cells)]
    if 1_000_000 in valid:
        return ""
    if not valid:
        return "no valid cell"
    most = max(valid)
    return f"stops at {plot_results.plain_number(most)} task{'s' if most > 1 else ''}"


def table(rows):
    lines = ["| row | kind | " + " | ".join(
        f"{plot_results.plain_number(n)} task{'s' if n > 1 else ''}, MiB"
        for n in TASK_COUNTS)
             + " | bytes/task at 1M | note |",
             "|---|---|" + "--:|" * len(TASK_COUNTS) + "--:|---|"]
    for model in sorted(rows, key=model_catalog.order_of):
        by_tasks = rows[model]
        entry = model_catalog.entry_of(model) or {}
        peaks = [mib(median_of(by_tasks.get(n, []), "peak_memory_bytes"))
                 for n in TASK_COUNTS]
        per_task = median_of(by_tasks.get(1_000_000, []), "bytes_per_task")
        per_task = "–" if per_task is None else f"{per_task:,.0f}"
        lines.append(f"| {model_catalog.label_of(model)} | {entry.get('kind', '')} | "
                     + " | ".join(peaks) + f" | {per_task} | {stopped_at(by_tasks)} |")
    lines += ["", "Published figures at 1M tasks (sleep 10 s, one process):", "",
              "| runtime | MiB at 1M | source |", "|---|--:|---|"]
    for runtime, low, high, source in PUBLISHED_AT_1M:
        figure = f"{low:,.1f}" if low == high else f"{low:,.0f}–{high:,.0f}"
        lines.append(f"| {runtime} | {figure} | {source} |")
    return "\n".join(lines) + "\n"


def plot(rows, plots_dir):
    figure, axes = plot_results.new_figure(
        "Peak memory of N tasks sleeping 10 s, beside the published figures at 1M",
        grid_axis="both")
    every_value = []
    for model in sorted(rows, key=model_catalog.order_of):
        points = [(n, median_of(rows[model].get(n, []), "peak_memory_bytes"))
                  for n in TASK_COUNTS]
        points = [(n, v / MIB) for n, v in points if v]
        if not points:
            continue
        every_value += [v for _, v in points]
        style = plot_results.PEER_LINE if (model_catalog.entry_of(model) or {}).get(
            "kind") == "peer" else {}
        axes.plot([n for n, _ in points], [v for _, v in points], marker="o",
                  linewidth=3, markersize=9, color=plot_results.colour_of(model),
                  label=model_catalog.label_of(model), **style)
    middles = [(low + high) / 2 for _, low, high, _ in PUBLISHED_AT_1M]
    for (runtime, low, high, source), middle, label_at in zip(
            PUBLISHED_AT_1M, middles, spread_apart(middles, LABEL_RATIO)):
        axes.plot([1_000_000], [middle], marker="x", color="#000000",
                  markersize=14, markeredgewidth=3, linestyle="none")
        axes.annotate(f"{runtime} ({source})", (1_000_000, middle),
                      xytext=(1_400_000, label_at), textcoords="data", va="center",
                      fontsize=plot_results.FONT_SIZE * 0.45,
                      arrowprops={"arrowstyle": "-", "color": "#888888", "linewidth": 0.8})
        every_value += [low, high]
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlim(0.5, 2e7)
    plot_results.readable_log_scale(axes.xaxis, list(TASK_COUNTS))
    plot_results.readable_log_scale(axes.yaxis, every_value)
    axes.set_xlabel("tasks")
    axes.set_ylabel("peak memory, MiB")
    axes.legend(fontsize=plot_results.FONT_SIZE * 0.45, ncol=2, loc="upper left")
    plots_dir.mkdir(exist_ok=True)
    plot_results.save(figure, "x: the published figures at 1M (PUBLISHED_AT_1M in "
                      "scripts/published_table.py names their sources)", plots_dir,
                      "published")


def main(argv):
    if len(argv) != 2:
        say_and_exit("usage: published_table.py RESULTS_DIR")
    folder = Path(argv[1])
    rows = load_rows(folder)
    text = table(rows)
    path = folder / "published.md"
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text)
    temporary.replace(path)
    print(text, end="")
    plot(rows, folder / "plots")


if __name__ == "__main__":
    main(sys.argv)
