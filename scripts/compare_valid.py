#!/usr/bin/python3
"""Prepares two hammertime runs for Google Benchmark's compare.py, and says how well
they agree.

    compare_valid.py A_DIR B_DIR OUT_DIR

Writes OUT_DIR/a.json and OUT_DIR/b.json: each run's results.json with only its valid
entries (a cell that failed, or whose tally was wrong, is no measurement to compare),
and prints the entries it left out with their reasons. Then prints, for each benchmark
valid in both runs, how far apart their items/s are (the median of the repetitions), and
how many agree within 5 %, the unstable ones (a spread above 10 % in either run) apart.
Exit 2, with one line, when a file cannot be read.
"""
import json
import sys
from collections import defaultdict
from pathlib import Path

from cell_identity import identity_of, knobs_that_differ, KNOBS

AGREEMENT = 0.05
# The machine as the runs' contexts describe it: two VMs of one kind can differ 3-10x
# on forks and page faults (harness/calibration.hpp), so a difference here comes first.
FINGERPRINT = ("cpu_model", "cpu_family", "cpu_model_number", "cpu_stepping", "num_cpus",
               "mhz_per_cpu", "kernel")
CALIBRATION_RATIO = 1.5


def machine_differences(a, b):
    """Lines saying how the two runs' machines differ, if they do."""
    lines = []
    for key in FINGERPRINT:
        if key in a and key in b and a[key] != b[key]:
            lines.append(f"  {key}: {a[key]} vs {b[key]}")
    old, new = a.get("calibration", {}), b.get("calibration", {})
    for key in sorted(set(old) & set(new)):
        low, high = sorted((old[key], new[key]))
        if low > 0 and high / low > CALIBRATION_RATIO:
            lines.append(f"  calibration {key}: {old[key]:.3g} vs {new[key]:.3g}")
    return lines


def load(folder):
    path = Path(folder) / "results.json"
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as error:
        print(f"compare: cannot read {path}: {error}", file=sys.stderr)
        sys.exit(2)


def split_valid(results, label):
    kept, left_out = [], []
    for entry in results.get("benchmarks", []):
        if entry.get("valid") is True:
            kept.append(entry)
        else:
            reason = entry.get("error_message") or "its runs were not all valid"
            left_out.append(f"{label}: {entry.get('name')}: {reason}")
    return dict(results, benchmarks=kept), left_out


def tell_apart(a, b):
    """Cells that share a name but not their identity (another delay, stack size, bridge
    threads, link delay, work per item, timeout or ticker) get the knobs that differ
    appended to their names, so compare.py never pairs them; returns a line for each."""
    identities = defaultdict(dict)  # run name -> {identity: an entry}
    for results in (a, b):
        for entry in results["benchmarks"]:
            identities[entry["run_name"]].setdefault(identity_of(entry), entry)
    lines = []
    for name, held in identities.items():
        if len(held) < 2:
            continue
        entries = list(held.values())
        varying = [field for field, _, default in KNOBS
                   if len({str(e.get(field, default)) for e in entries}) > 1]
        lines.append(f"  {name}: {'; '.join(knobs_that_differ(entries[0], entries[1]))}")
        for results in (a, b):
            for entry in results["benchmarks"]:
                if entry["run_name"] != name:
                    continue
                suffix = "".join(f"/{field}:{entry.get(field)}" for field in varying)
                entry["name"] = entry["name"].replace(name, name + suffix, 1)
                entry["run_name"] = name + suffix
    return lines


def headline(results):
    """Each benchmark's items/s (its median row, or its one run) and whether unstable."""
    rows = {}
    for entry in results["benchmarks"]:
        name = entry["run_name"]
        if entry.get("run_type") == "aggregate" and entry.get("aggregate_name") == "median":
            rows[name] = (entry["items_per_second"], bool(entry.get("unstable")))
        elif entry.get("repetitions", 1) == 1 and "items_per_second" in entry:
            rows.setdefault(name, (entry["items_per_second"], False))
    return rows


def main():
    if len(sys.argv) != 4:
        print("usage: compare_valid.py A_DIR B_DIR OUT_DIR", file=sys.stderr)
        return 2
    a, a_out = split_valid(load(sys.argv[1]), "A")
    b, b_out = split_valid(load(sys.argv[2]), "B")
    not_same = tell_apart(a, b)
    if not_same:
        print("Not the same cell (same name, another setting; not compared):")
        for line in not_same:
            print(line)
    differences = machine_differences(a.get("context", {}), b.get("context", {}))
    if differences:
        print("WARNING: the two runs ran on different machines (or one that changed); "
              "spawn-heavy and page-touching cells are not comparable:")
        for line in differences:
            print(line)
    out = Path(sys.argv[3])
    (out / "a.json").write_text(json.dumps(a))
    (out / "b.json").write_text(json.dumps(b))
    if a_out or b_out:
        print(f"Left out (not valid): {len(a_out) + len(b_out)}")
        for line in a_out + b_out:
            print(f"  {line}")
    a_rows, b_rows = headline(a), headline(b)
    both = [name for name in a_rows if name in b_rows]
    stable = [n for n in both if not (a_rows[n][1] or b_rows[n][1])]
    apart = []
    for name in both:
        old, new = a_rows[name][0], b_rows[name][0]
        change = (new - old) / old if old else float("inf")
        unstable = a_rows[name][1] or b_rows[name][1]
        if abs(change) > AGREEMENT:
            apart.append(f"  {name}: {old:,.1f} -> {new:,.1f} items/s ({change:+.1%})"
                         + (" unstable" if unstable else ""))
    agree = sum(1 for n in stable
                if abs(b_rows[n][0] - a_rows[n][0]) <= AGREEMENT * a_rows[n][0])
    print(f"Agreement on items/s: {agree} of {len(stable)} benchmarks not flagged unstable "
          f"are within {AGREEMENT:.0%} ({len(both) - len(stable)} unstable ones apart; "
          f"{len(both)} in both runs)")
    for line in apart:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
