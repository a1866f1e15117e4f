"""Turn a hammertime results.json into slide-ready plots (PNG and SVG, 16:9).

    $ /usr/bin/python3 scripts/plot_results.py results/latest
    wrote results/latest/plots/items_per_second.png (+ .svg)
    ...

Reads DIR/results.json (Google Benchmark's layout, one entry per cell and
repetition) and writes DIR/plots/:
  1. items_per_second      items/s per model, with the ideal and the attainable rate
                           marked and the share of each reached
  2. concurrency_sweep     items/s against concurrency, one line per model
  3. memory_per_task       bytes per task against tasks in flight (log-log)
  4. cpu_per_item          the work's CPU per item, in microseconds, per model
  5. latency               per-item latency p50 and p99 per model
  6. link_delay            p50 per model straight to the server and through
                           hammertime-proxy (--link-delay), when a run has both

The peers (peers/: Python, Node.js, Go; results.json gives them a "runtime") stand
beside the C++ models in a style of their own: hatched, lighter bars and dashed lines
with hollow markers, and a legend that says which is which.
Each figure is drawn from the median of the repetitions of each cell; invalid
cells (tally does not add up, crashed, timed out) are left out and listed in the
footer. A plot with nothing to show is skipped with a message, not drawn empty.
"""

import json
import math
import statistics
import sys
import textwrap
from collections import defaultdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter, LogLocator  # noqa: E402

import model_catalog  # noqa: E402

FIGURE_SIZE = (16, 9)  # inches: 16:9 at 120 dpi = 1920 x 1080
DPI = 120
FONT_SIZE = 22
PEER_HATCH = "//"
PEER_LINE = {"linestyle": "dashed", "markerfacecolor": "white", "markeredgewidth": 3}


def colour_of(model):
    """A model's one colour in every plot, from its descriptor (model_catalog); grey for
    a name the catalogue does not know."""
    return model_catalog.colour_of(model)


def label_of(cell):
    """A tick label that fits under a bar: "generator\nloop busy\nC=676"."""
    name = "\n".join(textwrap.wrap(model_catalog.label_of(cell["model"]), 10))
    return f"{name}\nC={plain_number(cell['concurrency'])}"


def style_peer_bars(axes, bars, rows):
    """Hatched, lighter bars for the peers, and a legend saying which bars are which."""
    peers = [bar for bar, cell in zip(bars, rows) if cell["peer"]]
    for bar in peers:
        colour = bar.get_facecolor()
        bar.set_facecolor((*colour[:3], 0.35))
        bar.set_edgecolor(colour[:3])
        bar.set_hatch(PEER_HATCH)
    if peers:
        from matplotlib.patches import Patch
        axes.legend(handles=[Patch(facecolor="#555555", label="C++ models"),
                             Patch(facecolor="#55555559", edgecolor="#555555", hatch=PEER_HATCH,
                                   label="peers: Python, Node.js, Go")],
                    frameon=False, fontsize=FONT_SIZE * 0.8, loc="best")


def line_style(cell):
    """A peer's line is dashed with hollow markers; its legend entry says "(peer)"."""
    label = model_catalog.label_of(cell["model"])
    if not cell["peer"]:
        return {"label": label}
    return {"label": f"{label} (peer)", **PEER_LINE}


def bar_text_size(axes, count):
    """The size of the values over the bars; with the peers beside the C++ models a
    plot can hold 17 bars, whose labels then get smaller type."""
    if count <= 11:
        return FONT_SIZE * 0.8
    axes.tick_params(axis="x", labelsize=FONT_SIZE * 0.42)
    return FONT_SIZE * 0.42


def line_legend(axes):
    """The lines' legend: inside the plot, or beside it when C++ models and peers make
    too many lines to leave room for them."""
    if len(axes.get_lines()) <= 11:
        axes.legend(frameon=False, fontsize=FONT_SIZE * 0.8)
    else:
        axes.legend(frameon=False, fontsize=FONT_SIZE * 0.6, loc="upper left",
                    bbox_to_anchor=(1.01, 1.0))


def model_sort_key(model):
    return (model_catalog.order_of(model), model)


def load_cells(results):
    """Median of each (workload, model, concurrency, items, delay, the hammer's X, ticker,
    link delay) over its repetitions."""
    groups = defaultdict(list)
    invalid = set()
    peers = set()  # the models results.json gives a runtime: the peers
    for bench in results["benchmarks"]:
        if bench.get("run_type", "iteration") != "iteration":
            continue
        key = (bench["workload"], bench["model"], int(bench["concurrency"]),
               int(bench["items"]), int(bench["delay_ms"]), bench.get("work_us"),
               bench.get("ticker_ms"), int(bench.get("link_delay_ms", 0)))
        if "runtime" in bench:
            peers.add(bench["model"])
        if bench.get("error_occurred") or not bench.get("valid", True):
            invalid.add(bench.get("run_name") or
                        f"{bench['workload']}/{bench['model']}/C:{bench['concurrency']}")
            continue
        groups[key].append(bench)
    cells = []
    for key, runs in groups.items():
        workload, model, concurrency, items, delay_ms, work_us, ticker_ms, link_delay_ms = key
        def median(field):
            values = [r[field] for r in runs if r.get(field) is not None]
            return statistics.median(values) if values else None
        cpu_seconds = [to_seconds(r["cpu_time"], r.get("time_unit", "ms")) for r in runs]
        speeds = [r["items_per_second"] for r in runs]
        middle = statistics.median(speeds)
        cells.append({
            "workload": workload, "model": model, "concurrency": concurrency,
            "items": items, "delay_ms": delay_ms, "link_delay_ms": link_delay_ms,
            "peer": model in peers,
            "items_per_second": median("items_per_second"),
            "items_per_second_min": min(r["items_per_second"] for r in runs),
            "items_per_second_max": max(r["items_per_second"] for r in runs),
            "bytes_per_task": median("bytes_per_task"),
            "cpu_seconds": statistics.median(cpu_seconds),
            "p50_ms": median("p50_ms"), "p99_ms": median("p99_ms"),
            "ideal_items_per_second": median("ideal_items_per_second"),
            # Absent (None) in a run of an older harness.
            "attainable_items_per_second": median("attainable_items_per_second"),
            "efficiency": median("efficiency"), "of_attainable": median("of_attainable"),
            # As the harness flags them: a spread above 10 % of the median, a server
            # whose lateness or own queue exceeded 2 % of the delay in any repetition.
            "unstable": (max(speeds) - min(speeds)) > 0.10 * middle,
            "server_bound": any(r.get("server_bound") for r in runs),
            "proxy_bound": any(r.get("proxy_bound") for r in runs),
            # The repetitions' CPU per item spread above 25 % of its median.
            "cpu_unstable": len(runs) > 1 and statistics.median(cpu_seconds) > 0 and
            (max(cpu_seconds) - min(cpu_seconds)) > 0.25 * statistics.median(cpu_seconds),
            "memory_doubt": next((r["memory_doubt"] for r in runs if r.get("memory_doubt")),
                                 None),
            "work_us": work_us, "ticker_ms": ticker_ms,
            "loop_lag_p50_ms": median("loop_lag_p50_ms"),
            "loop_lag_p99_ms": median("loop_lag_p99_ms"),
            "loop_lag_max_ms": median("loop_lag_max_ms"),
        })
    return cells, sorted(invalid)


def to_seconds(value, unit):
    return value * {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[unit]


def ideal_items_per_second(cell):
    """The harness's own ideal where the run recorded it (it knows a model that waits for
    fewer than C at once, as the executor bridge's B threads); else N / (ceil(N/C) x delay)."""
    if cell.get("ideal_items_per_second"):
        return cell["ideal_items_per_second"]
    batches = math.ceil(cell["items"] / cell["concurrency"])
    return cell["items"] / (batches * cell["delay_ms"] / 1000.0) if cell["delay_ms"] else None


def shares_text(cell):
    """"91%·97%": the share of the ideal, then of the attainable rate, reached; "—" for
    one the run did not record. Short enough to sit under a bar's tick label."""
    shares = [cell.get("efficiency"), cell.get("of_attainable")]
    return "·".join("—" if s is None else f"{100 * s:.0f}%" for s in shares)


def footer_text(context, invalid):
    machine = context.get("cpu_model") or context.get("host_name", "unknown machine")
    cores = context.get("num_cpus", "?")
    commit = str(context.get("build_commit") or context.get("git_commit", "unknown"))[:10]
    text = f"{machine}, {cores} cores  ·  {context.get('date', '')[:10]}  ·  commit {commit}"
    if context.get("warnings"):
        text += f"  ·  {len(context['warnings'])} system warning(s): see summary.md"
    if invalid:
        text += f"  ·  left out (invalid): {', '.join(invalid[:4])}"
        if len(invalid) > 4:
            text += f" and {len(invalid) - 4} more"
    return text


def new_figure(title, grid_axis="y"):
    figure, axes = plt.subplots(figsize=FIGURE_SIZE, dpi=DPI)
    axes.grid(True, axis=grid_axis, alpha=0.25)
    axes.set_title(title, loc="left", fontweight="bold", pad=20)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    return figure, axes


def plain_number(value, _position=None):
    """1, 20, 500, 2k, 10k, 1M: short enough that ticks never run into each other."""
    for limit, suffix in ((1e6, "M"), (1e3, "k")):
        if value >= limit:
            return f"{value / limit:g}{suffix}"
    return f"{value:g}"


def readable_log_scale(axis, values):
    """Log scale with plain numbers; 1-2-5 ticks over a few decades, powers of ten beyond."""
    values = [v for v in values if v and v > 0]
    decades = math.log10(max(values) / min(values)) if values else 0
    axis.set_major_locator(LogLocator(base=10, subs=(1, 2, 5) if decades <= 3 else (1,)))
    axis.set_major_formatter(FuncFormatter(plain_number))
    axis.set_minor_formatter(FuncFormatter(lambda value, _: ""))


def save(figure, footer, plots_dir, name):
    figure.text(0.01, 0.01, footer, fontsize=FONT_SIZE * 0.55, color="#666666")
    figure.tight_layout(rect=(0, 0.04, 1, 1))
    for suffix in ("png", "svg"):
        path = plots_dir / f"{name}.{suffix}"
        temporary = path.with_name(f".{path.name}.tmp")
        figure.savefig(temporary, format=suffix)
        temporary.replace(path)
    plt.close(figure)
    print(f"wrote {plots_dir / name}.png (+ .svg)")


def straight_to_the_server(cells):
    """The cells with no link delay, when there are any: the plots of a run compare like
    with like, and plot_link_delay shows the others."""
    straight = [c for c in cells if not c.get("link_delay_ms")]
    return straight or cells


def waiting(cells):
    """The cells whose items wait a delay: a zero-delay cell (each model's own cost per
    request, N far past 676) is no point on the delay's plots, unless nothing else ran."""
    delayed = [c for c in cells if c["delay_ms"] > 0]
    return delayed or cells


def headline_cells(cells, workload):
    """Per model, the cell of this workload at the model's highest concurrency."""
    best = {}
    for cell in waiting(straight_to_the_server(cells)):
        if cell["workload"] != workload:
            continue
        current = best.get(cell["model"])
        rank = (cell["concurrency"], cell["items"])
        if current is None or rank > (current["concurrency"], current["items"]):
            best[cell["model"]] = cell
    return [best[m] for m in sorted(best, key=model_sort_key)]


def headline_workload(cells):
    workloads = {c["workload"] for c in cells}
    return "flags" if "flags" in workloads else sorted(workloads)[0]


FLAGGED_COLOUR = "#cc0000"  # a figure flagged unstable, server-bound or proxy-bound


def flags_of(cell):
    """The warnings a plot shows beside a cell's items/s."""
    return [flag for flag, on in (("unstable", cell.get("unstable")),
                                  ("server-bound", cell.get("server_bound")),
                                  ("proxy-bound", cell.get("proxy_bound"))) if on]


def cpu_flags_of(cell):
    """The warnings beside a cell's CPU figure."""
    return (["CPU unstable"] if cell.get("cpu_unstable") else []) + flags_of(cell)


def memory_flags_of(cell):
    """The warnings beside a cell's memory figure."""
    return ["memory doubt"] if cell.get("memory_doubt") else []


def flag_marks(cell, flags=None):
    """" †" unstable, " ‡" server-bound, " ¶" proxy-bound, " §" CPU unstable, " ?"
    memory doubt: short enough to sit above a bar."""
    marks = {"unstable": "†", "server-bound": "‡", "proxy-bound": "¶", "CPU unstable": "§",
             "memory doubt": "?"}
    flags = flags_of(cell) if flags is None else flags
    return " " + "".join(marks[f] for f in flags) if flags else ""


def mark_flagged_bars(axes, bars, rows, flags_for):
    """Red edges on the bars of flagged cells, and a legend line naming the marks."""
    flagged = False
    for bar, cell in zip(bars, rows):
        if flags_for(cell):
            bar.set_edgecolor(FLAGGED_COLOUR)
            bar.set_linewidth(3)
            flagged = True
    if flagged:
        axes.annotate("red edge: flagged (§ CPU unstable, † unstable, ‡ server-bound, "
                      "¶ proxy-bound)",
                      (0, 1), xycoords="axes fraction", xytext=(0, 4),
                      textcoords="offset points", fontsize=FONT_SIZE * 0.55,
                      color=FLAGGED_COLOUR)


def plot_items_per_second(cells, footer, plots_dir):
    workload = headline_workload(cells)
    rows = headline_cells(cells, workload)
    figure, axes = new_figure(f"Items per second, {workload} workload (higher is better)")
    names = [f"{label_of(c)}\n{shares_text(c)}" for c in rows]
    values = [c["items_per_second"] for c in rows]
    errors = [[v - c["items_per_second_min"] for v, c in zip(values, rows)],
              [c["items_per_second_max"] - v for v, c in zip(values, rows)]]
    bars = axes.bar(names, values, color=[colour_of(c["model"]) for c in rows],
                    yerr=errors, capsize=8)
    style_peer_bars(axes, bars, rows)
    text_size = bar_text_size(axes, len(rows))
    for bar, cell in zip(bars, rows):
        if flags_of(cell):  # a figure not to quote as it stands: outlined, and said why
            bar.set_edgecolor(FLAGGED_COLOUR)
            bar.set_linewidth(3)
            bar.set_linestyle("--")
        x = bar.get_x()
        for limit, style in ((ideal_items_per_second(cell), "dashed"),
                             (cell.get("attainable_items_per_second"), "dotted")):
            if limit:
                axes.hlines(limit, x - 0.05, x + bar.get_width() + 0.05, colors="#333333",
                            linestyles=style, linewidth=2)
        label = f"{cell['items_per_second']:,.1f}" + flag_marks(cell)
        axes.annotate(label, (bar.get_x() + bar.get_width() / 2,
                      bar.get_height()), ha="center", va="bottom", fontsize=text_size,
                      xytext=(0, 6), textcoords="offset points")
    axes.set_yscale("log")
    readable_log_scale(axes.yaxis, values + [ideal_items_per_second(c) for c in rows] +
                       [c.get("attainable_items_per_second") for c in rows])
    axes.set_ylabel("items/s (log; dashed: ideal, dotted: attainable)\n"
                    "under each bar: % of ideal·% of attainable" +
                    ("\nred outline: † unstable, ‡ server-bound, ¶ proxy-bound"
                     if any(flags_of(c) for c in rows) else ""))
    save(figure, footer, plots_dir, "items_per_second")


def plot_concurrency_sweep(cells, footer, plots_dir):
    workload = headline_workload(cells)
    by_model = defaultdict(list)
    cells = waiting(straight_to_the_server(cells))
    items = max((c["items"] for c in cells if c["workload"] == workload), default=0)
    for cell in cells:
        if cell["workload"] == workload and cell["items"] == items:
            by_model[cell["model"]].append(cell)
    if not any(len(points) > 1 for points in by_model.values()):
        print("skipped concurrency_sweep: no model was run at more than one concurrency")
        return
    figure, axes = new_figure(f"Items per second against concurrency, {workload}, N={items}",
                              grid_axis="both")
    for model in sorted(by_model, key=model_sort_key):
        points = sorted(by_model[model], key=lambda c: c["concurrency"])
        axes.plot([c["concurrency"] for c in points], [c["items_per_second"] for c in points],
                  marker="o", markersize=12, linewidth=4, color=colour_of(model),
                  **line_style(points[0]))
        flagged = [c for c in points if flags_of(c)]
        axes.plot([c["concurrency"] for c in flagged], [c["items_per_second"] for c in flagged],
                  linestyle="none", marker="o", markersize=24, markerfacecolor="none",
                  markeredgecolor=FLAGGED_COLOUR, markeredgewidth=2)
    if any(flags_of(c) for points in by_model.values() for c in points):
        axes.plot([], [], linestyle="none", marker="o", markersize=16, markerfacecolor="none",
                  markeredgecolor=FLAGGED_COLOUR, label="ringed: unstable or server-bound")
    sweep = sorted({c["concurrency"] for points in by_model.values() for c in points})
    delay_ms = next(iter(by_model.values()))[0]["delay_ms"]
    generic = [ideal_items_per_second({"items": items, "concurrency": c, "delay_ms": delay_ms})
               for c in sweep]
    ideal = list(generic)
    if delay_ms:
        axes.plot(sweep, generic, color="#333333", linestyle="dashed", linewidth=2,
                  label=f"ideal at {delay_ms} ms")
        # A model whose own ideal is not the generic one (the bridge waits for min(C, B)
        # at once) gets its own dotted ideal, in its colour.
        for model in sorted(by_model, key=model_sort_key):
            points = sorted(by_model[model], key=lambda c: c["concurrency"])
            own = [ideal_items_per_second(c) for c in points]
            if any(o and abs(o - ideal_items_per_second(
                    {"items": c["items"], "concurrency": c["concurrency"],
                     "delay_ms": c["delay_ms"]})) > 1e-6 * o for o, c in zip(own, points)):
                axes.plot([c["concurrency"] for c in points], own, color=colour_of(model),
                          linestyle="dotted", linewidth=2, marker="_", markersize=30,
                          label=f"{model}'s own ideal")
                ideal += [o for o in own if o]
    axes.set_xscale("log")
    axes.set_yscale("log")
    readable_log_scale(axes.xaxis, sweep)
    readable_log_scale(axes.yaxis, ideal + [c["items_per_second"] for points in
                                             by_model.values() for c in points])
    axes.set_xlabel("concurrency (items in flight at most)")
    axes.set_ylabel("items/s")
    line_legend(axes)
    save(figure, footer, plots_dir, "concurrency_sweep")


def plot_memory_per_task(cells, footer, plots_dir):
    by_model = defaultdict(list)
    for cell in cells:
        if cell["workload"] == "sleep" and cell["bytes_per_task"] is not None:
            by_model[cell["model"]].append(cell)
    if not by_model:
        print("skipped memory_per_task: no sleep cells with a memory figure")
        return
    figure, axes = new_figure("Memory per task against tasks in flight (sleep workload)",
                              grid_axis="both")
    all_points = [c for cells_of_model in by_model.values() for c in cells_of_model]
    positive = [c["bytes_per_task"] for c in all_points if c["bytes_per_task"] > 0]
    # 0 B (no rise measured) cannot sit on a log axis: drawn at the floor, labelled.
    floor = min(positive) / 4 if positive else 1.0
    tasks = lambda c: min(c["concurrency"], c["items"])  # noqa: E731
    for model in sorted(by_model, key=model_sort_key):
        points = sorted(by_model[model], key=tasks)
        axes.plot([tasks(c) for c in points],
                  [c["bytes_per_task"] if c["bytes_per_task"] > 0 else floor for c in points],
                  marker="o", markersize=12, linewidth=4, color=colour_of(model),
                  **line_style(points[0]))
    zeros = [c for c in all_points if c["bytes_per_task"] <= 0]
    doubted = [c for c in all_points if memory_flags_of(c)]
    if zeros:
        axes.axhline(floor, color="#999999", linestyle="dotted", linewidth=1)
        axes.annotate("0 B: no rise measured", (0, floor), xycoords=("axes fraction", "data"),
                      xytext=(4, 4), textcoords="offset points", fontsize=FONT_SIZE * 0.6,
                      color="#666666")
    if doubted:
        axes.plot([tasks(c) for c in doubted],
                  [c["bytes_per_task"] if c["bytes_per_task"] > 0 else floor for c in doubted],
                  linestyle="none", marker="o", markersize=24, markerfacecolor="none",
                  markeredgecolor=FLAGGED_COLOUR, markeredgewidth=2,
                  label="ringed: memory doubt (a bound, not exact)")
    axes.set_xscale("log")
    axes.set_yscale("log")
    readable_log_scale(axes.xaxis, [tasks(c) for c in all_points])
    readable_log_scale(axes.yaxis, positive + ([floor] if zeros else []))
    axes.set_xlabel("tasks in flight")
    axes.set_ylabel("bytes per task (peak − idle) / tasks")
    line_legend(axes)
    save(figure, footer, plots_dir, "memory_per_task")


def plot_cpu_per_item(cells, footer, plots_dir):
    workload = headline_workload(cells)
    rows = headline_cells(cells, workload)
    figure, axes = new_figure(f"The work's CPU per item, {workload} (lower is better)")
    names = [label_of(c) for c in rows]
    values = [c["cpu_seconds"] / c["items"] * 1e6 for c in rows]
    bars = axes.bar(names, values, color=[colour_of(c["model"]) for c in rows])
    style_peer_bars(axes, bars, rows)
    text_size = bar_text_size(axes, len(rows))
    if min(values) > 0 and max(values) / min(values) > 1000:  # a peer's interpreter start
        axes.set_yscale("log")
        readable_log_scale(axes.yaxis, values)
    mark_flagged_bars(axes, bars, rows, cpu_flags_of)
    for bar, value, cell in zip(bars, values, rows):
        axes.annotate(f"{value:.3g} µs{flag_marks(cell, cpu_flags_of(cell))}",
                      (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                      ha="center", va="bottom", fontsize=text_size, xytext=(0, 6),
                      textcoords="offset points")
    axes.set_ylabel("CPU µs (user + system, workers included) per item")
    save(figure, footer, plots_dir, "cpu_per_item")


def plot_latency(cells, footer, plots_dir):
    workload = headline_workload(cells)
    rows = [c for c in headline_cells(cells, workload) if c["p50_ms"] is not None]
    figure, axes = new_figure(f"Per-item latency, {workload} (p50 solid, p99 light)")
    positions = range(len(rows))
    width = 0.38
    for offset, field, alpha in ((-width / 2, "p50_ms", 1.0), (width / 2, "p99_ms", 0.45)):
        bars = axes.bar([p + offset for p in positions], [c[field] for c in rows], width,
                        color=[colour_of(c["model"]) for c in rows], alpha=alpha)
        style_peer_bars(axes, bars, rows)
        mark_flagged_bars(axes, bars, rows, flags_of)
    axes.set_xticks(list(positions), [label_of(c) for c in rows])
    bar_text_size(axes, len(rows))
    axes.set_ylabel("milliseconds per item")
    delay = rows[0]["delay_ms"] if rows else 0
    if delay and all(c["delay_ms"] == delay for c in rows):
        axes.axhline(delay, color="#333333", linestyle="dashed", linewidth=2)
        axes.annotate(f"injected delay {delay} ms", (1, delay), xycoords=("axes fraction",
                      "data"), xytext=(0, 6), textcoords="offset points", ha="right",
                      fontsize=FONT_SIZE * 0.7)
    save(figure, footer, plots_dir, "latency")


def plot_link_delay(cells, footer, plots_dir):
    """Per model, its p50 straight to the server and through the proxy, at the highest
    concurrency the model ran both ways; dashed: the delay, and delay + 2 x link delay."""
    straight = {(c["workload"], c["model"], c["concurrency"], c["items"], c["delay_ms"]): c
                for c in cells if not c["link_delay_ms"]}
    pairs = {}
    for cell in cells:
        twin = straight.get((cell["workload"], cell["model"], cell["concurrency"],
                             cell["items"], cell["delay_ms"]))
        if not cell["link_delay_ms"] or twin is None or cell["p50_ms"] is None:
            continue
        best = pairs.get(cell["model"])
        if best is None or cell["concurrency"] > best[1]["concurrency"]:
            pairs[cell["model"]] = (twin, cell)
    if not pairs:
        print("skipped link_delay: no cell run both with and without --link-delay")
        return
    rows = [pairs[m] for m in sorted(pairs, key=model_sort_key)]
    figure, axes = new_figure("Per-item latency p50, straight and through the delay proxy")
    positions = range(len(rows))
    width = 0.38
    for offset, which, alpha in ((-width / 2, 0, 0.45), (width / 2, 1, 1.0)):
        axes.bar([p + offset for p in positions], [pair[which]["p50_ms"] for pair in rows],
                 width, color=[colour_of(pair[1]["model"]) for pair in rows], alpha=alpha)
    axes.set_xticks(list(positions), [label_of(pair[1]) for pair in rows])
    axes.set_ylabel("p50 ms (light: straight; solid: proxy)")
    delays = {(pair[1]["delay_ms"], pair[1]["link_delay_ms"]) for pair in rows}
    if len(delays) == 1:
        delay, link = delays.pop()
        axes.axhline(delay, color="#333333", linestyle="dotted", linewidth=2,
                     label=f"delay {delay} ms")
        axes.axhline(delay + 2 * link, color="#333333", linestyle="dashed", linewidth=2,
                     label=f"delay + 2 × {link} ms link delay")
        # Headroom above the bars for the legend.
        axes.set_ylim(top=1.35 * max(pair[1]["p50_ms"] for pair in rows))
        axes.legend(loc="upper left", frameon=False, fontsize=FONT_SIZE * 0.8, ncol=2)
    save(figure, footer, plots_dir, "link_delay")


def read_results(argv, file_name):
    """The RESULTS_DIR the command line names and its file_name, parsed; bad usage or a
    missing file is one line on stderr and exit 2."""
    script = Path(argv[0]).name
    if len(argv) != 2:
        print(f"usage: {script} RESULTS_DIR", file=sys.stderr)
        raise SystemExit(2)
    results_dir = Path(argv[1])
    results_file = results_dir / file_name
    if not results_file.is_file():
        print(f"{script}: no {file_name} in {results_dir}", file=sys.stderr)
        raise SystemExit(2)
    return results_dir, json.loads(results_file.read_text())


def start_plots(results_dir, more_rc_params=None):
    """Sets the slide style (large type, SVG text left as text) and makes RESULTS_DIR/plots;
    returns that folder."""
    plt.rcParams.update({"font.size": FONT_SIZE, "axes.titlesize": FONT_SIZE * 1.25,
                         "svg.fonttype": "none", **(more_rc_params or {})})
    plots_dir = results_dir / "plots"
    plots_dir.mkdir(exist_ok=True)
    return plots_dir


def open_run(argv, script):
    """A run's valid cells, its plots/ folder and the footer every plot carries; None
    (said on stderr) when the run has no valid cell."""
    results_dir, results = read_results(argv, "results.json")
    cells, invalid = load_cells(results)
    if not cells:
        print(f"{script}: no valid cells in {results_dir / 'results.json'}", file=sys.stderr)
        return None
    plots_dir = start_plots(results_dir, {"xtick.labelsize": FONT_SIZE * 0.75})
    footer = footer_text(results.get("context", {}), invalid)
    return results_dir, results, cells, plots_dir, footer


def main(argv):
    run = open_run(argv, "plot_results.py")
    if run is None:
        return 1
    _, _, cells, plots_dir, footer = run
    plot_items_per_second(cells, footer, plots_dir)
    plot_concurrency_sweep(cells, footer, plots_dir)
    plot_memory_per_task(cells, footer, plots_dir)
    plot_cpu_per_item(cells, footer, plots_dir)
    plot_latency(cells, footer, plots_dir)
    plot_link_delay(cells, footer, plots_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
