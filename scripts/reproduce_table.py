"""The classic flags demo's table: our items/s beside the figures the talk quoted.

    $ /usr/bin/python3 scripts/reproduce_table.py results/latest
    | model | C | ours (items/s) | ideal | efficiency | the talk | runtime | valid |
    |---|---:|---:|---:|---:|---:|---|---|
    | sequential | 1 | 1.99 | 2.00 | 99.5 % | 1.92 | C++ | yes |
    ...

Reads DIR/results.json of a `make reproduce` run (676 codes, 0.5 s per request) and
writes the same table to DIR/reproduction.md; "of attainable" follows "efficiency" where
the run records the attainable rate (a harness that calibrates the machine's floors).
The talk quoted two figures: the sequential script (1.92 items/s) and the asynchronous
one (150 items/s, asyncio behind a delay proxy); the thread-pool script's figure was not
quoted. Which figure a row stands beside follows its model's family (hammertime list
--json): a blocking row at C = 1 beside the sequential script's, an event-loop row
beside the asynchronous one, the C++ models and the peers (and the runtime column says
which) alike.
"""

import statistics
import sys
from collections import defaultdict

from cell_identity import identity_of, knobs_text
import model_catalog
from plot_results import read_results

TALK_SEQUENTIAL = 1.92
TALK_ASYNCHRONOUS = 150.0


def talk_figure(model, concurrency):
    """The talk's figure a row stands beside, from the model's descriptor: a blocking
    row at C = 1 beside the sequential script's, an event-loop row beside the
    asynchronous one; None for the rest (the pools, the bridge)."""
    entry = model_catalog.entry_of(model)
    if entry is None:
        return None
    if entry["family"] == "blocking" and concurrency == 1:
        return TALK_SEQUENTIAL
    if entry["family"] == "event_loop":
        return TALK_ASYNCHRONOUS
    return None


def table(results):
    runs = defaultdict(list)
    for bench in results["benchmarks"]:
        if bench.get("run_type", "iteration") == "iteration" and bench.get("workload") == "flags":
            runs[identity_of(bench)].append(bench)  # the delay and every knob included
    # (model, C) held under two settings: each row says its knobs, so no two are mixed.
    named = defaultdict(int)
    for cells in runs.values():
        named[(cells[0]["model"], int(cells[0]["concurrency"]))] += 1
    with_attainable = any("attainable_items_per_second" in c
                          for cells in runs.values() for c in cells)
    lines = ["| model | C | ours (items/s) | ideal | efficiency | "
             + ("of attainable | " if with_attainable else "")
             + "the talk | runtime | valid |",
             "|---|---:|---:|---:|---:|" + ("---:|" if with_attainable else "") + "---:|---|---|"]
    for cells in runs.values():
        model, concurrency = cells[0]["model"], int(cells[0]["concurrency"])
        if named[(model, concurrency)] > 1:
            model = f"{model} ({knobs_text(cells[0])})"
        good = [c for c in cells if c.get("valid") and not c.get("error_occurred")]
        talk = talk_figure(model, concurrency)
        talk_text = f"{talk:,.2f}" if talk is not None else "not quoted"
        runtime = cells[0].get("runtime", "C++")  # a peer's, as results.json names it
        if not good:
            reason = cells[0].get("error_message") or "tally does not add up"
            lines.append(f"| {model} | {concurrency} | invalid: {reason} | | | "
                         + ("| " if with_attainable else "") + f"{talk_text} | {runtime} | no |")
            continue
        ours = statistics.median(c["items_per_second"] for c in good)
        ideal = good[0]["ideal_items_per_second"]
        attainable = good[0].get("attainable_items_per_second")
        of_attainable = f"{100 * ours / attainable:.1f} % | " if attainable else "— | "
        lines.append(f"| {model} | {concurrency:,} | {ours:,.2f} | {ideal:,.2f} | "
                     f"{100 * ours / ideal:.1f} % | "
                     + (of_attainable if with_attainable else "")
                     + f"{talk_text} | {runtime} | yes |")
    return "\n".join(lines) + "\n"


def main(argv):
    results_dir, results = read_results(argv, "results.json")
    text = table(results)
    target = results_dir / "reproduction.md"
    temporary = target.with_name(".reproduction.md.tmp")
    temporary.write_text(text)
    temporary.replace(target)
    print(text, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
