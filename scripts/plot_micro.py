"""Plot hammertime-micro's results: what each model pays per task (PNG and SVG, 16:9).

    $ /usr/bin/python3 scripts/plot_micro.py results/latest
    wrote results/latest/plots/micro.png (+ .svg)

Reads DIR/micro.json (Google Benchmark's JSON, as `make micro` writes it) and draws
one horizontal bar per benchmark, time per operation on a log scale, grouped by
family: spawn (start and finish one), switch (there and back between two), wake (an
event loop woken), request (one keep-alive GET at zero delay). A bar is the median of
the repetitions, its whisker their min and max. A benchmark is named
FAMILY/MODEL/WHAT (spawn/thread_pool/tbb_task): its bar takes the colour of the model
that pays that cost, as in plot_results.py; a name without a model (FAMILY/WHAT, as
older runs wrote them) is drawn grey. Benchmarks that failed are left out and named in
the footer.
"""

import sys
from collections import defaultdict

import matplotlib.pyplot as plt
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, LogLocator

from model_catalog import colour_of, label_of, order_of
from plot_results import FONT_SIZE, footer_text, new_figure, read_results, save, start_plots

FAMILIES = {
    "spawn": "start and finish one",
    "switch": "there and back between two",
    "wake": "an idle event loop woken",
    "request": "one keep-alive GET, zero delay",
}
NS_PER_UNIT = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def short_name(run_name):
    """"spawn/thread/real_time" -> "spawn/thread"."""
    return run_name.removesuffix("/real_time").removesuffix("/process_time")


def load_times(results):
    """Per benchmark: (median, min, max) nanoseconds per operation; and the failed ones."""
    medians, repetitions, failed = {}, defaultdict(list), []
    for bench in results["benchmarks"]:
        name = short_name(bench.get("run_name", bench["name"]))
        if bench.get("error_occurred"):
            failed.append(f"{name} ({bench.get('error_message', 'failed')})")
            continue
        ns = bench["real_time"] * NS_PER_UNIT[bench.get("time_unit", "ns")]
        if bench.get("run_type") == "aggregate":
            if bench.get("aggregate_name") == "median":
                medians[name] = ns
        else:
            repetitions[name].append(ns)
    times = {}
    for name, runs in repetitions.items():
        middle = medians.get(name, sorted(runs)[len(runs) // 2])
        times[name] = (middle, min(runs), max(runs))
    return times, sorted(set(failed))


def readable_time(ns):
    if ns < 1e3:
        return f"{ns:,.3g} ns"
    if ns < 1e6:
        return f"{ns / 1e3:,.3g} µs"
    return f"{ns / 1e6:,.3g} ms"


def parts(name):
    """"spawn/thread_pool/tbb_task" -> ("spawn", "thread_pool", "tbb_task"); an older
    name without its model, "spawn/tbb_task" -> ("spawn", None, "tbb_task")."""
    pieces = name.split("/", 2)
    if len(pieces) == 3:
        return tuple(pieces)
    return pieces[0], None, pieces[-1]


def family_order(name):
    family, model, what = parts(name)
    families = list(FAMILIES)
    return (families.index(family) if family in families else len(families),
            order_of(model) if model else order_of(""), what)


def plot_micro(times, footer, plots_dir):
    figure, axes = new_figure("What each model pays per task", grid_axis="x")
    rows, labels, headers = [], [], []
    family = None
    for name in sorted(times, key=family_order):
        if name.split("/")[0] != family:
            family = name.split("/")[0]
            headers.append(len(labels))
            labels.append(f"{family}: {FAMILIES.get(family, '')}")
            rows.append(None)
        labels.append(parts(name)[2].replace("_", " "))
        rows.append(name)
    positions = range(len(rows))
    for position, name in zip(positions, rows):
        if name is None:
            continue
        middle, low, high = times[name]
        axes.barh(position, middle, color=colour_of(parts(name)[1] or ""), height=0.75)
        if high > low:
            axes.errorbar(middle, position, xerr=[[middle - low], [high - middle]],
                          color="#333333", capsize=4, linewidth=1.5)
        axes.text(high * 1.12, position, readable_time(middle), va="center",
                  fontsize=FONT_SIZE * 0.65)
    axes.set_yticks(list(positions), labels, fontsize=FONT_SIZE * 0.7)
    for index in headers:
        axes.get_yticklabels()[index].set_fontweight("bold")
    axes.invert_yaxis()
    axes.tick_params(axis="y", length=0)
    axes.set_xscale("log")
    smallest = min(low for _, low, _ in times.values())
    largest = max(high for _, _, high in times.values())
    axes.set_xlim(smallest / 2, largest * 8)  # room for the value labels
    axes.xaxis.set_major_locator(LogLocator(base=10))
    axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _: readable_time(value)))
    axes.tick_params(axis="x", labelsize=FONT_SIZE * 0.75)
    axes.set_xlabel("time per operation (log scale; median, whiskers min to max)",
                    fontsize=FONT_SIZE * 0.8)
    used = sorted({parts(name)[1] for name in times} - {None}, key=order_of)
    if used:
        axes.legend(handles=[Patch(color=colour_of(model), label=label_of(model))
                             for model in used],
                    loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=FONT_SIZE * 0.6,
                    frameon=False)
    save(figure, footer, plots_dir, "micro")


def main(argv):
    results_dir, results = read_results(argv, "micro.json")
    times, failed = load_times(results)
    if not times:
        print(f"plot_micro.py: no benchmark ran in {results_dir / 'micro.json'}",
              file=sys.stderr)
        return 1
    plots_dir = start_plots(results_dir)
    plot_micro(times, footer_text(results.get("context", {}), failed), plots_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
