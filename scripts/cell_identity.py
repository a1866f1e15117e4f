"""A cell's identity: everything that changes its ideal or its cost, not only its name.

    $ /usr/bin/python3 scripts/cell_identity.py results/reference/reproduce
    flags/sequential/C:1  delay 500 ms, timeout 5000 ms
    ...

Two runs hold "the same cell" only when every knob below agrees; the name
("flags/sequential/C:1") leaves out the delay, so matching on it pairs a 500 ms cell with
a 50 ms one. compare_valid.py, reproduce_table.py and report.py match on identity_of();
knobs_that_differ() says which knob differs when the names agree and the cells do not.
"""

import json
import sys
from pathlib import Path

# (results.json field, how a reader names it, its value when the entry has none)
KNOBS = (
    ("delay_ms", "delay {} ms", 0),
    ("link_delay_ms", "link delay {} ms", 0),
    ("work_us", "work per item {} µs", 0),
    ("stack_size", "stack size {} B", None),
    ("bridge_threads", "bridge threads {}", None),
    ("timeout_ms", "timeout {} ms", None),
    ("ticker_ms", "ticker {} ms", 0),
)
NAME_FIELDS = ("workload", "model", "concurrency", "items")


def base_name(bench):
    """The entry's cell name without an aggregate's suffix ("_median")."""
    name = bench.get("run_name") or bench.get("name", "")
    return name


def knob_value(bench, field, default):
    value = bench.get(field, default)
    return int(value) if isinstance(value, float) and value.is_integer() else value


def identity_of(bench):
    """(name fields..., knobs...): equal exactly when two entries are the same cell."""
    return tuple(bench.get(field) for field in NAME_FIELDS) + tuple(
        knob_value(bench, field, default) for field, _, default in KNOBS)


def knobs_text(bench):
    """"delay 500 ms, timeout 5000 ms": the knobs the entry sets."""
    return ", ".join(text.format(knob_value(bench, field, default))
                     for field, text, default in KNOBS
                     if knob_value(bench, field, default) not in (None, 0))


def knobs_that_differ(a, b):
    """["delay 500 ms vs 50 ms"]: each knob whose value differs between two entries."""
    differ = []
    for field, text, default in KNOBS:
        left, right = knob_value(a, field, default), knob_value(b, field, default)
        if left != right:
            differ.append(f"{text.format(left)} vs {text.format(right)}")
    return differ


def main(argv):
    if len(argv) != 2:
        print("usage: cell_identity.py RESULTS_DIR", file=sys.stderr)
        return 2
    results = json.loads((Path(argv[1]) / "results.json").read_text())
    seen = set()
    for bench in results["benchmarks"]:
        if bench.get("run_type", "iteration") == "iteration" and \
                identity_of(bench) not in seen:
            seen.add(identity_of(bench))
            print(f"{base_name(bench)}  {knobs_text(bench)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
