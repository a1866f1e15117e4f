"""The plots and tables of the workloads where the models differ (make bench-workloads).

    $ /usr/bin/python3 scripts/plot_workloads.py results/latest
    wrote results/latest/plots/hammer.png (+ .svg)
    wrote results/latest/plots/chained_lines_of_code.png (+ .svg)
    wrote results/latest/plots/loop_lag.png (+ .svg)
    wrote results/latest/workloads.md

Reads DIR/results.json and writes, from the median of each cell's repetitions:
  1. hammer                 items/s against X (the CPU each item spends on its body),
                            one line per model, and the limits of one core (1e6 / X)
                            and of the machine's cores
  2. chained_lines_of_code  per model, the lines of code of its chained function
                            (between its tag::chained[] markers in models/) beside the
                            chained workload's items/s
  3. loop_lag               the ticker's lateness per model (p50, p99, max), pure waiting
                            beside the hammer
and DIR/workloads.md, the same figures as tables. A plot with nothing to show is
skipped with a message.
"""

import re
import sys
from collections import defaultdict
from pathlib import Path

import matplotlib.pyplot as plt
from plot_results import (DPI, FIGURE_SIZE, FONT_SIZE, colour_of, model_sort_key, new_figure,
                          open_run, readable_log_scale, save)

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
# A blocking model whose chained items are shared code names the file in a comment.
POINTER = re.compile(r"//\s*chained items: \S+, (\S+) \(tag::chained\[\]\)")


def model_file(model):
    """The models/*.cpp that defines `extern const model MODEL_model`, or None."""
    definition = re.compile(rf"extern const model {re.escape(model)}_model\b")
    for path in sorted(MODELS_DIR.glob("*.cpp")):
        if definition.search(path.read_text()):
            return path
    return None


def tagged_lines(path, tag="chained"):
    """Non-blank lines between every `// tag::TAG[]` line and its `// end::TAG[]` in
    path, or None when it has none."""
    count, inside, found = 0, False, False
    for line in path.read_text().splitlines():
        if line.strip() == f"// end::{tag}[]":
            inside = False
        elif line.strip() == f"// tag::{tag}[]":
            inside = found = True
        elif inside and line.strip():
            count += 1
    return count if found else None


def chained_lines(model):
    """Lines of code of the model's chained items: its own tagged code, or the shared
    code its file points to ("// chained items: fetch_chained, wire/blocking_client.cpp")."""
    path = model_file(model)
    if path is None:
        return None
    pointer = POINTER.search(path.read_text())
    return tagged_lines(MODELS_DIR / pointer.group(1) if pointer else path)


def by_model(cells):
    grouped = defaultdict(list)
    for cell in cells:
        grouped[cell["model"]].append(cell)
    return {model: grouped[model] for model in sorted(grouped, key=model_sort_key)}


def hammer_cells(cells):
    return [c for c in cells if c["workload"] == "hammer" and not c["ticker_ms"]]


def plot_hammer(cells, footer, plots_dir, cores):
    models = by_model(hammer_cells(cells))
    if not any(len({c["work_us"] for c in points}) > 1 for points in models.values()):
        print("skipped hammer: no model was run at more than one X")
        return
    figure, axes = new_figure("The hammer: items/s against the CPU work per item",
                              grid_axis="both")
    every_x = sorted({c["work_us"] for points in models.values() for c in points})
    values = []
    for model, points in models.items():
        points = sorted(points, key=lambda c: c["work_us"])
        rates = [c["items_per_second"] for c in points]
        values += rates
        axes.plot([c["work_us"] for c in points], rates, marker="o", markersize=12,
                  linewidth=4, color=colour_of(model), label=model)
    one_core = [x for x in every_x if x > 0]
    if one_core:
        axes.plot(one_core, [1e6 / x for x in one_core], color="#333333", linestyle="dashed",
                  linewidth=2, label="one core: 1e6 / X")
    if one_core and cores > 1:
        axes.plot(one_core, [cores * 1e6 / x for x in one_core], color="#333333",
                  linestyle="dotted", linewidth=2, label=f"{cores} cores: {cores}e6 / X")
    axes.set_yscale("log")
    readable_log_scale(axes.yaxis, values)
    axes.set_xticks(every_x, [f"{x:,}" for x in every_x])
    axes.set_xlabel("X: microseconds of CPU on each body")
    axes.set_ylabel("items/s (log scale)")
    axes.legend(frameon=False, fontsize=FONT_SIZE * 0.65, ncol=2)
    save(figure, footer, plots_dir, "hammer")


def chained_rows(cells):
    rows = []
    for cell in cells:
        if cell["workload"] == "chained" and not cell["ticker_ms"]:
            rows.append({**cell, "lines": chained_lines(cell["model"])})
    return sorted(rows, key=lambda c: model_sort_key(c["model"]))


def plot_chained(cells, footer, plots_dir):
    rows = [r for r in chained_rows(cells) if r["lines"] is not None]
    if not rows:
        print("skipped chained_lines_of_code: no chained cells")
        return
    rows.sort(key=lambda r: (r["lines"], r["model"]), reverse=True)
    figure, (lines_axes, rate_axes) = plt.subplots(1, 2, sharey=True, figsize=FIGURE_SIZE,
                                                   dpi=DPI)
    figure.suptitle("Chained requests: lines of code against items/s", x=0.01,
                    ha="left", fontweight="bold", fontsize=FONT_SIZE * 1.25)
    names = [f"{r['model']} (C={r['concurrency']})" for r in rows]
    colours = [colour_of(r["model"]) for r in rows]
    for axes, values, title, text in (
            (lines_axes, [r["lines"] for r in rows], "lines of the chained function",
             "{:,.0f}"),
            (rate_axes, [r["items_per_second"] for r in rows], "items/s (dashed: ideal)",
             "{:,.0f}")):
        bars = axes.barh(names, values, color=colours)
        axes.set_title(title, loc="left", fontsize=FONT_SIZE * 0.9)
        axes.grid(True, axis="x", alpha=0.25)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        for bar, value in zip(bars, values):
            axes.annotate(text.format(value), (bar.get_width(), bar.get_y() +
                          bar.get_height() / 2), xytext=(6, 0), textcoords="offset points",
                          va="center", fontsize=FONT_SIZE * 0.65)
        axes.set_xlim(0, max(values) * 1.2)
    for bar, row in zip(rate_axes.patches, rows):
        if row["ideal_items_per_second"]:
            rate_axes.vlines(row["ideal_items_per_second"], bar.get_y() - 0.05,
                             bar.get_y() + bar.get_height() + 0.05, colors="#333333",
                             linestyles="dashed", linewidth=2)
    lines_axes.tick_params(axis="y", labelsize=FONT_SIZE * 0.7)
    save(figure, footer, plots_dir, "chained_lines_of_code")


def lag_rows(cells):
    """Per model, its ticker cells: (label, cell), pure waiting first."""
    rows = defaultdict(list)
    for cell in cells:
        if cell["ticker_ms"] and cell["loop_lag_p50_ms"] is not None:
            label = (f"{cell['workload']} X={cell['work_us']:,} µs"
                     if cell["workload"] == "hammer" else cell["workload"])
            rows[cell["model"]].append((label, cell))
    for model in rows:
        rows[model].sort(key=lambda row: (row[1]["workload"] == "hammer",
                                          row[1]["work_us"] or 0))
    return {model: rows[model] for model in sorted(rows, key=model_sort_key)}


def plot_loop_lag(cells, footer, plots_dir):
    rows = lag_rows(cells)
    if not rows:
        print("skipped loop_lag: no cells ran with a ticker")
        return
    labels = sorted({label for model_rows in rows.values() for label, _ in model_rows},
                    key=lambda label: (label.startswith("hammer"), label))
    figure, axes = new_figure("The ticker: how late it wakes, per model")
    width = 0.8 / len(labels)
    values = []
    for m, (model, model_rows) in enumerate(rows.items()):
        for label, cell in model_rows:
            x = m + (labels.index(label) - (len(labels) - 1) / 2) * width
            hatch = "//" if label.startswith("hammer") else None
            for field, alpha in (("loop_lag_p99_ms", 0.45), ("loop_lag_p50_ms", 1.0)):
                value = max(cell[field], 0.01)
                values.append(value)
                axes.bar(x, value, width * 0.9, color=colour_of(model), alpha=alpha,
                         hatch=hatch, edgecolor="white")
            axes.scatter(x, max(cell["loop_lag_max_ms"], 0.01), marker="^", s=160,
                         color="#333333", zorder=3)
            values.append(cell["loop_lag_max_ms"])
    axes.set_xticks(range(len(rows)), [m.replace("_", "\n", 1) for m in rows],
                    fontsize=FONT_SIZE * 0.6)
    axes.set_yscale("log")
    readable_log_scale(axes.yaxis, [v for v in values if v > 0])
    axes.set_ylabel("ticker lateness, ms (log scale)")
    axes.annotate("p50 solid, p99 light, max ▲;  plain: " + labels[0] + ",  hatched: " +
                  ", ".join(labels[1:]),
                  (0.01, 0.97), xycoords="axes fraction", va="top",
                  fontsize=FONT_SIZE * 0.65)
    save(figure, footer, plots_dir, "loop_lag")


def number(value, digits=1):
    return "—" if value is None else f"{value:,.{digits}f}"


def tables(cells):
    lines = ["# The workloads where the models differ", ""]
    models = by_model(hammer_cells(cells))
    if models:
        every_x = sorted({c["work_us"] for points in models.values() for c in points})
        lines += ["## hammer: items/s against X (µs of CPU per item)", "",
                  "| model | C | " + " | ".join(f"X = {x:,}" for x in every_x) + " |",
                  "|---|--:|" + "--:|" * len(every_x)]
        for model, points in models.items():
            at = {c["work_us"]: c for c in points}
            lines.append(f"| {model} | {points[0]['concurrency']} | " + " | ".join(
                f"{number(at[x]['items_per_second'])} ({number(100 * at[x]['items_per_second'] / at[x]['ideal_items_per_second'], 0)} %)"  # noqa: E501
                if x in at else "—" for x in every_x) + " |")
        lines += ["", "In brackets: the share of the ideal, max(ceil(N/C) × delay, "
                  "N × X / the cores the model can use).", ""]
    rows = chained_rows(cells)
    if rows:
        lines += ["## chained: lines of code against items/s", "",
                  "| model | C | N | lines of the chained function | items/s | ideal | "
                  "p50 / p99 ms |", "|---|--:|--:|--:|--:|--:|--:|"]
        for row in rows:
            lines.append(f"| {row['model']} | {row['concurrency']} | {row['items']} | "
                         f"{row['lines'] if row['lines'] is not None else '—'} | "
                         f"{number(row['items_per_second'])} | "
                         f"{number(row['ideal_items_per_second'])} | "
                         f"{number(row['p50_ms'])} / {number(row['p99_ms'])} |")
        lines.append("")
    lag = lag_rows(cells)
    if lag:
        lines += ["## ticker: its lateness, p50 / p99 / max ms", "",
                  "| model | workload | C | loop lag p50 / p99 / max ms | items/s |",
                  "|---|---|--:|--:|--:|"]
        for model, model_rows in lag.items():
            for label, cell in model_rows:
                lines.append(f"| {model} | {label} | {cell['concurrency']} | "
                             f"{number(cell['loop_lag_p50_ms'])} / "
                             f"{number(cell['loop_lag_p99_ms'])} / "
                             f"{number(cell['loop_lag_max_ms'])} | "
                             f"{number(cell['items_per_second'])} |")
        lines.append("")
    return "\n".join(lines)


def main(argv):
    run = open_run(argv, "plot_workloads.py")
    if run is None:
        return 1
    results_dir, results, cells, plots_dir, footer = run
    plot_hammer(cells, footer, plots_dir, int(results.get("context", {}).get("num_cpus", 1)))
    plot_chained(cells, footer, plots_dir)
    plot_loop_lag(cells, footer, plots_dir)
    table = results_dir / "workloads.md"
    temporary = table.with_name(".workloads.md.tmp")
    temporary.write_text(tables(cells))
    temporary.replace(table)
    print(f"wrote {table}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
