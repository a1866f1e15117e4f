"""The docs' tables, written from the committed results: every block between
`<!-- generated: NAME -->` and `<!-- end generated: NAME -->` in README.md and
docs/results.md (server_load.sh's and fresh_deps.sh's output quoted whole).

    $ /usr/bin/python3 scripts/docs_tables.py            # make docs
    wrote README.md (1 block), docs/results.md (9 blocks)
    $ /usr/bin/python3 scripts/docs_tables.py --check    # make docs-check
    docs/results.md: block bench-flags differs from what scripts/docs_tables.py writes,
      first at line 56: ...

Each table comes from one run under results/reference/<run>/: results.json's iteration
rows (Google Benchmark's layout) grouped by cell identity, medians over the valid
repetitions, with every flag today's rules give (unstable, CPU unstable, server-bound,
proxy-bound, memory doubt, "1 run"); a field the run did not record shows as "—". The headline adds
those flags to reproduction.md's rows; micro reads micro.json. A line under each table
names its source file.

--check also fails on a figure quoted in prose outside a generated block (a number with
items/s, ms, µs, %, MiB, ... after it) whose paragraph names no results file.
Options: --root DIR (the pages' repository; default this one), --reference DIR (the runs;
default ROOT/results/reference).
"""

import argparse
import json
import math
import re
import statistics
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cell_identity import identity_of  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PAGES = ("README.md", "docs/results.md")
PROSE_PAGES = ("README.md", "docs/*.md")
REFERENCE = Path("results/reference")
UNSTABLE_SPREAD = 0.10  # items/s (max − min) ÷ median, as the harness flags it
CPU_UNSTABLE_SPREAD = 0.25  # CPU per item, the same way
SERVER_BOUND_SHARE = 0.02  # a p99 (lateness, own queue) over this share of the delay
BEGIN = re.compile(r"^<!-- generated: (.*?) -->\s*$")
END = re.compile(r"^<!-- end generated: (.*?) -->\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"^#{1,6}\s")  # a title names its subject, and quotes no figure
FIGURE = re.compile(r"(?<![\w.,])\d[\d,]*(?:\.\d+)?\s?(?:items/s|ms|µs|us|%|MB|MiB|KB|KiB|GiB"
                    r"|B a task|bytes per task)(?![\w/])")
RESULTS_PATH = re.compile(r"results/[\w.-]+")
# The attainable rate, which a run records since the harness calibrates the machine's
# floors: with it, "attainable items/s" and "of attainable" follow "efficiency".
ATTAINABLE = "attainable_items_per_second"


# --- numbers, as harness/summary_table.cpp writes them -----------------------------

def three_digits(value):
    """Three significant digits, never an exponent: 0.000661, 0.661, 66.1, 661, 6610."""
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else "n/a"
    decimals = max(0, 2 - math.floor(math.log10(abs(value))))
    return f"{value:.{decimals}f}"


def human_bytes(value):
    unit = 0
    while abs(value) >= 1024 and unit < 4:
        value, unit = value / 1024, unit + 1
    return f"{three_digits(value)} {('B', 'KiB', 'MiB', 'GiB', 'TiB')[unit]}"


def rate(value):
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def grouped(value, digits=1):
    return "—" if value is None else f"{value:,.{digits}f}"


# --- a run's cells -------------------------------------------------------------------

def is_valid(run):
    return run.get("valid", True) and not run.get("error_occurred")


def load_run(path):
    results = json.loads(path.read_text())
    return results.get("context", {}), results.get("benchmarks", [])


def cells_of(benchmarks):
    """Each cell's repetitions (its iteration rows), in results.json's order."""
    cells = defaultdict(list)
    for bench in benchmarks:
        if bench.get("run_type", "iteration") == "iteration":
            cells[identity_of(bench)].append(bench)
    return list(cells.values())


def median_of(runs, field):
    values = [r[field] for r in runs if isinstance(r.get(field), (int, float))]
    return statistics.median(values) if values else None


def spread_above(values, share):
    if len(values) < 2:
        return False
    middle = statistics.median(values)
    return middle > 0 and (max(values) - min(values)) / middle > share


def late_beyond_share(run, flag, *p99_fields):
    """The row's own flag where the harness wrote one, else today's rule on its p99
    figures (one an older run did not record does not count)."""
    if flag in run:
        return bool(run[flag])
    most = SERVER_BOUND_SHARE * run.get("delay_ms", 0)
    return most > 0 and any(run.get(f) is not None and run[f] > most for f in p99_fields)


def server_bound(run):
    return late_beyond_share(run, "server_bound", "server_lateness_p99_ms",
                             "server_own_queue_p99_ms")


def proxy_bound(run):
    return late_beyond_share(run, "proxy_bound", "proxy_lateness_p99_ms")


def flags_of(runs):
    good = [r for r in runs if is_valid(r)]
    speeds = [r["items_per_second"] for r in good if "items_per_second" in r]
    cpu = [r["cpu_us_per_item"] for r in good if "cpu_us_per_item" in r]
    return {
        "unstable": spread_above(speeds, UNSTABLE_SPREAD),
        "cpu_unstable": spread_above(cpu, CPU_UNSTABLE_SPREAD),
        "server_bound": sum(1 for r in good if server_bound(r)),
        "proxy_bound": sum(1 for r in good if proxy_bound(r)),
        "valid": len(good),
        "memory_doubt": next((r["memory_doubt"] for r in good if r.get("memory_doubt")), None),
        "invalid": len(runs) - len(good),
    }


def flags_text(runs, short=False):
    flags = flags_of(runs)
    words = []
    if short and flags["valid"] == 1:
        words.append("1 run")
    if flags["unstable"]:
        words.append("**unstable**")
    if flags["cpu_unstable"]:
        words.append("**CPU unstable**")
    if flags["server_bound"]:
        words.append(f"**server-bound** ({flags['server_bound']} of {flags['valid']})")
    if flags["proxy_bound"]:
        words.append(f"**proxy-bound** ({flags['proxy_bound']} of {flags['valid']})")
    if flags["memory_doubt"]:
        words.append("memory doubt" if short else f"memory: {flags['memory_doubt']}")
    if flags["invalid"]:
        words.append("invalid repetitions")
    return "; ".join(words)


# --- the summary table (summary.md's columns) ----------------------------------------

def workload_text(first):
    text = first.get("workload", "?")
    if first.get("workload") == "hammer":
        text += f" X={first.get('work_us', 0)}µs"
    if first.get("ticker_ms"):
        text += f" +ticker {first['ticker_ms']}ms"
    return text


def share(reached, limit):
    return f"{100 * reached / limit:.1f} %" if reached is not None and limit else "—"


def summary_row(runs, with_attainable, with_queue, with_lag):
    good = [r for r in runs if is_valid(r)]
    first = runs[0]
    delay = f"{first.get('delay_ms', 0)}"
    if first.get("link_delay_ms"):
        delay += f" + 2 × {first['link_delay_ms']} link"
    ideal = median_of(good or runs, "ideal_items_per_second")
    ideal_text = rate(ideal) if ideal else "—"
    attainable = median_of(good or runs, ATTAINABLE)

    def attainable_cells(reached):
        if not with_attainable:
            return []
        return [rate(attainable) if attainable else "—", share(reached, attainable)]

    validity = "yes" if len(good) == len(runs) else f"no ({len(good)} of {len(runs)})"
    cells = [workload_text(first), first.get("model", "?"), str(first.get("concurrency")),
             str(first.get("items")), delay]
    if not good:
        cells += ["—", "—", ideal_text, "—", *attainable_cells(None), "—", "—", "—", "—", "—",
                  "—", *(["—"] if with_queue else []), *(["—"] if with_lag else []), "—",
                  validity, flags_text(runs)]
        return "| " + " | ".join(cells) + " |"
    speeds = [r["items_per_second"] for r in good]
    middle = statistics.median(speeds)
    one_run = len(good) == 1
    mean = statistics.fmean(speeds)
    cv = statistics.pstdev(speeds) / mean if mean > 0 else 0

    def measure(field, show):
        value = median_of(good, field)
        return "—" if value is None else show(value)

    per_task = measure("bytes_per_task", human_bytes)
    missing = next((r["bytes_per_task_missing"] for r in good
                    if r.get("bytes_per_task_missing")), None)
    if per_task == "—" and missing:
        per_task = f"n/a ({missing})"
    kernel = measure("kernel_memory_bytes", human_bytes)
    scope = first.get("kernel_memory_scope",
                      "system-wide" if "memory_samples" in first else "cell")
    if kernel != "—" and scope == "system-wide":
        kernel += " (system-wide)"
    lag = "—"
    if median_of(good, "loop_lag_p50_ms") is not None:
        lag = " / ".join(f"{median_of(good, f'loop_lag_{p}_ms'):.1f}"
                         for p in ("p50", "p99", "max"))
    tallies = []
    for r in good:
        tally = " / ".join(str(int(r.get(f, 0))) for f in ("ok", "not_found", "failed"))
        if tally not in tallies:
            tallies.append(tally)
    cells += [
        rate(middle) + (" (1 run)" if one_run else f" ({rate(min(speeds))}–{rate(max(speeds))})"),
        "1 run" if one_run else f"{100 * cv:.1f} %",
        ideal_text, share(middle, ideal), *attainable_cells(middle),
        measure("cpu_us_per_item", three_digits),
        measure("peak_memory_bytes", human_bytes),
        per_task, kernel,
        f"{measure('p50_ms', three_digits)} / {measure('p99_ms', three_digits)}",
        measure("server_lateness_p99_ms", three_digits),
        *([f"{measure('server_own_queue_p99_ms', three_digits)} / "
           f"{measure('client_send_wait_p99_ms', three_digits)}"] if with_queue else []),
        *([lag] if with_lag else []),
        "; ".join(tallies), validity, flags_text(runs)]
    return "| " + " | ".join(cells) + " |"


def source_line(source, context, flags_from=None):
    """The line under a table: its file, and the run's system warnings where it has any."""
    line = f"From `{source}`" + (f", flags from `{flags_from}`" if flags_from else "")
    warnings = [w for w in context.get("warnings", []) if isinstance(w, str)]
    if warnings:
        count = "one system warning" if len(warnings) == 1 else \
            f"{len(warnings)} system warnings"
        line += f"; the run's context lists {count}: " + "; ".join(warnings)
    return line + "."


def summary_table(reference, run, keep=lambda first: True):
    source = reference / run / "results.json"
    context, benchmarks = load_run(source)
    cells = [runs for runs in cells_of(benchmarks) if keep(runs[0])]
    with_attainable = any(ATTAINABLE in r for runs in cells for r in runs)
    with_queue = any("server_own_queue_p99_ms" in r for runs in cells for r in runs)
    with_lag = any(r.get("ticker_ms") for runs in cells for r in runs)
    lines = [
        "| workload | model | C | N | delay ms | items/s (min–max) | CV | ideal items/s | "
        "efficiency | "
        + ("attainable items/s | of attainable | " if with_attainable else "")
        + "CPU µs/item | peak memory | bytes/task | kernel memory | "
        "p50 / p99 ms | server late p99 ms | "
        + ("own queue / send wait p99 ms | " if with_queue else "")
        + ("loop lag p50 / p99 / max ms | " if with_lag else "")
        + "ok / not found / failed | valid | flags |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|" + ("--:|--:|" if with_attainable else "")
        + "--:|--:|--:|--:|--:|--:|" + ("--:|" if with_queue else "")
        + ("--:|" if with_lag else "") + "--:|---|---|"]
    lines += [summary_row(runs, with_attainable, with_queue, with_lag) for runs in cells]
    if not cells:
        lines = ["No cell of this run matches."]
    return lines + ["", source_line(run_path(source), context)]


def run_path(path):
    """The path a reader finds the file at: from the repository root where it is inside."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        parts = path.parts
        return "/".join(parts[parts.index("results"):]) if "results" in parts else str(path)


# --- the headline: reproduction.md's rows, with the flags ----------------------------

def markdown_rows(path):
    """A Markdown file's table rows, each a list of its cells' texts."""
    return [[cell.strip() for cell in line.strip().strip("|").split("|")]
            for line in path.read_text().splitlines() if line.startswith("|")]


def headline(reference, run="reproduce"):
    table = reference / run / "reproduction.md"
    context, benchmarks = load_run(reference / run / "results.json")
    flags = {}
    for runs in cells_of(benchmarks):
        first = runs[0]
        if first.get("workload") == "flags":
            flags[(first["model"], int(first["concurrency"]))] = flags_text(runs, short=True)
    rows = markdown_rows(table)
    lines = ["| " + " | ".join(rows[0] + ["flags"]) + " |",
             "|" + "".join(f"{c}|" for c in rows[1]) + "---|"]
    for row in rows[2:]:
        model = row[0].split(" (")[0]
        concurrency = int(row[1].replace(",", "")) if row[1].replace(",", "").isdigit() else -1
        lines.append("| " + " | ".join(row + [flags.get((model, concurrency), "—")]) + " |")
    return lines + ["", source_line(run_path(table), context,
                                    run_path(reference / run / "results.json"))]


# --- the workloads: hammer, chained, ticker ------------------------------------------

def workloads(reference, run="workloads"):
    from plot_results import model_sort_key  # matplotlib only where this block is asked for
    from plot_workloads import chained_lines
    source = reference / run / "results.json"
    context, benchmarks = load_run(source)
    cells = []
    for runs in cells_of(benchmarks):
        good = [r for r in runs if is_valid(r)]
        cells.append({"first": runs[0], "runs": runs, "good": good,
                      "items_per_second": median_of(good, "items_per_second"),
                      "ideal": median_of(good or runs, "ideal_items_per_second")})

    def order(cell):
        return model_sort_key(cell["first"]["model"]), cell["first"].get("work_us", 0)

    def speed(cell):
        if cell["items_per_second"] is None:
            return "invalid"
        return grouped(cell["items_per_second"])

    lines = []
    hammer = sorted((c for c in cells if c["first"]["workload"] == "hammer"
                     and not c["first"].get("ticker_ms")), key=order)
    if hammer:
        every_x = sorted({c["first"].get("work_us", 0) for c in hammer})
        by_model = defaultdict(dict)
        for c in hammer:
            by_model[c["first"]["model"]][c["first"].get("work_us", 0)] = c
        lines += ["**hammer: items/s against X (µs of CPU per item)**", "",
                  "| model | C | " + " | ".join(f"X = {x:,}" for x in every_x) + " | flags |",
                  "|---|--:|" + "--:|" * len(every_x) + "---|"]
        for model, at in by_model.items():
            texts = []
            for x in every_x:
                c = at.get(x)
                if c is None:
                    texts.append("—")
                elif c["items_per_second"] is None or not c["ideal"]:
                    texts.append(speed(c))
                else:
                    texts.append(f"{speed(c)} ({100 * c['items_per_second'] / c['ideal']:.0f} %)")
            flagged = [f"X = {x:,}: {flags_text(at[x]['runs'], short=True)}"
                       for x in every_x if x in at and flags_text(at[x]["runs"], short=True)]
            concurrency = next(iter(at.values()))["first"]["concurrency"]
            lines.append(f"| {model} | {concurrency} | " + " | ".join(texts) + " | "
                         + "; ".join(flagged) + " |")
        lines += ["", "In brackets: the share of the ideal, max(ceil(N/C) × delay, "
                  "N × X / the cores the model can use).", ""]
    chained = sorted((c for c in cells if c["first"]["workload"] == "chained"
                      and not c["first"].get("ticker_ms")), key=order)
    if chained:
        lines += ["**chained: lines of code against items/s**", "",
                  "| model | C | N | lines of the chained function | items/s | ideal | "
                  "p50 / p99 ms | flags |", "|---|--:|--:|--:|--:|--:|--:|---|"]
        for c in chained:
            first, count = c["first"], chained_lines(c["first"]["model"])
            lines.append(f"| {first['model']} | {first['concurrency']} | {first['items']} | "
                         f"{'—' if count is None else count} | {speed(c)} | "
                         f"{grouped(c['ideal'])} | {grouped(median_of(c['good'], 'p50_ms'))} / "
                         f"{grouped(median_of(c['good'], 'p99_ms'))} | "
                         f"{flags_text(c['runs'], short=True)} |")
        lines.append("")
    ticker = sorted((c for c in cells if c["first"].get("ticker_ms")
                     and median_of(c["good"], "loop_lag_p50_ms") is not None),
                    key=lambda c: (model_sort_key(c["first"]["model"]),
                                   c["first"]["workload"] == "hammer", c["first"].get("work_us", 0)))
    if ticker:
        lines += ["**ticker: its lateness, p50 / p99 / max ms**", "",
                  "| model | workload | C | loop lag p50 / p99 / max ms | items/s | flags |",
                  "|---|---|--:|--:|--:|---|"]
        for c in ticker:
            first = c["first"]
            label = (f"hammer X={first.get('work_us', 0):,} µs" if first["workload"] == "hammer"
                     else first["workload"])
            lag = " / ".join(grouped(median_of(c["good"], f"loop_lag_{p}_ms"))
                             for p in ("p50", "p99", "max"))
            lines.append(f"| {first['model']} | {label} | {first['concurrency']} | {lag} | "
                         f"{speed(c)} | {flags_text(c['runs'], short=True)} |")
        lines.append("")
    if not lines:
        lines = ["No hammer, chained or ticker cell in this run.", ""]
    return lines + [source_line(run_path(source), context)]


# --- the micro-benchmarks ------------------------------------------------------------

def micro(reference, run="micro"):
    source = reference / run / "micro.json"
    context, benchmarks = load_run(source)
    runs = defaultdict(list)
    for bench in benchmarks:
        if bench.get("run_type", "iteration") == "iteration" and not bench.get("error_occurred"):
            runs[bench.get("run_name", bench["name"])].append(bench)
    lines = ["| benchmark | median real time (min–max) | CV | unit |", "|---|--:|--:|---|"]
    for name, times in runs.items():
        values = [t["real_time"] for t in times]
        middle, mean = statistics.median(values), statistics.fmean(values)
        shown = name.removesuffix("/real_time")
        spread = " (1 run)" if len(values) == 1 else \
            f" ({three_digits(min(values))}–{three_digits(max(values))})"
        cv = "1 run" if len(values) == 1 else \
            f"{100 * statistics.pstdev(values) / mean:.1f} %" if mean > 0 else "—"
        unit = times[0].get("time_unit", "ns").replace("us", "µs")
        lines.append(f"| `{shown}` | {three_digits(middle)}{spread} | {cv} | {unit} |")
    return lines + ["", source_line(run_path(source), context)]


# --- a script's text output, as it wrote it ---------------------------------------------

def text_output(reference, run, name):
    """A reference that is a script's text output (server_load.sh, fresh_deps.sh), quoted
    whole in a code block."""
    source = reference / run / name
    return ["```", *source.read_text(encoding="utf-8").rstrip("\n").split("\n"), "```", "",
            f"From `{run_path(source)}`."]


# --- the blocks ----------------------------------------------------------------------

def delayed(first):
    return first.get("workload") == "flags" and first.get("delay_ms", 0) > 0


BLOCKS = {
    "headline": lambda ref: headline(ref),
    "reproduce": lambda ref: summary_table(ref, "reproduce"),
    "bench-flags": lambda ref: summary_table(ref, "bench", delayed),
    "bench-zero-delay": lambda ref: summary_table(
        ref, "bench", lambda f: f.get("workload") == "flags" and not f.get("delay_ms")),
    "bench-sleep": lambda ref: summary_table(ref, "bench", lambda f: f.get("workload") == "sleep"),
    "peers": lambda ref: summary_table(ref, "peers"),
    "workloads": lambda ref: workloads(ref),
    "link-delay": lambda ref: summary_table(ref, "link-delay"),
    "published": lambda ref: summary_table(ref, "published"),
    "micro": lambda ref: micro(ref),
    "server-load": lambda ref: text_output(ref, "server-load", "server_load.txt"),
    "fresh-deps": lambda ref: text_output(ref, "fresh-deps", "fresh_deps.txt"),
}


class PageError(Exception):
    """A page whose markers the script cannot follow: one line, naming page and line."""


def blocks_of(page, lines):
    """[(name, first line inside, end line)] of a page's generated blocks."""
    found, open_block = [], None
    for number, line in enumerate(lines, 1):
        begin, end = BEGIN.match(line), END.match(line)
        if begin:
            if open_block:
                raise PageError(f"{page}:{open_block[1] - 1}: generated block "
                                f"{open_block[0]} has no `<!-- end generated: "
                                f"{open_block[0]} -->` before line {number}")
            if begin.group(1) not in BLOCKS:
                raise PageError(f"{page}:{number}: unknown generated block "
                                f"{begin.group(1)!r} (known: {', '.join(BLOCKS)})")
            open_block = (begin.group(1), number + 1)
        elif end:
            if not open_block or end.group(1) != open_block[0]:
                raise PageError(f"{page}:{number}: `<!-- end generated: {end.group(1)} -->` "
                                "closes no open block of that name")
            found.append((open_block[0], open_block[1], number))
            open_block = None
    if open_block:
        raise PageError(f"{page}:{open_block[1] - 1}: generated block {open_block[0]} has "
                        f"no `<!-- end generated: {open_block[0]} -->`")
    return found


def rewritten(page, text, reference):
    """The page with every block as the script writes it, and [(name, line, old, new)] of
    the blocks that differ (line: the page's first differing line)."""
    lines = text.split("\n")
    differ = []
    for name, start, end in reversed(blocks_of(page, lines)):
        new = BLOCKS[name](reference)
        old = lines[start - 1:end - 1]
        if old != new:
            first = next((i for i, (a, b) in enumerate(zip(old, new)) if a != b),
                         min(len(old), len(new)))
            differ.append((name, start + first,
                           old[first] if first < len(old) else "(the block ends)",
                           new[first] if first < len(new) else "(the block ends)"))
        lines[start - 1:end - 1] = new
    return "\n".join(lines), list(reversed(differ))


# --- figures in prose ----------------------------------------------------------------

def unsourced_figures(page, text):
    """[(line, figure, paragraph's first line)] for each figure in prose outside a
    generated block, code or inline code, whose paragraph names no results/ path."""
    paragraphs, current, inside_fence, inside_block = [], [], False, False
    for number, line in enumerate(text.split("\n"), 1):
        if BEGIN.match(line):
            inside_block = True
        if FENCE.match(line):
            inside_fence = not inside_fence
        hidden = inside_block or inside_fence or FENCE.match(line) or HEADING.match(line)
        if END.match(line):
            inside_block = False
        if hidden or not line.strip():
            if current:
                paragraphs.append(current)
            current = []
            continue
        current.append((number, line))
    if current:
        paragraphs.append(current)
    found = []
    for paragraph in paragraphs:
        whole = " ".join(line for _, line in paragraph)
        if RESULTS_PATH.search(whole):
            continue
        for number, line in paragraph:
            for figure in FIGURE.finditer(re.sub(r"`[^`]*`", "", line)):
                found.append((number, figure.group(0)))
    return found


def prose_pages(root):
    pages = []
    for pattern in PROSE_PAGES:
        pages += sorted(root.glob(pattern))
    return pages


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 where a page differs from what this "
                             "script writes, or quotes a figure without its results file")
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--reference", type=Path)
    args = parser.parse_args(argv)
    reference = args.reference or args.root / REFERENCE
    problems, wrote = [], []
    for page in PAGES:
        path = args.root / page
        text = path.read_text(encoding="utf-8")
        try:
            new_text, differ = rewritten(page, text, reference)
        except PageError as error:
            problems.append(str(error))
            continue
        except (OSError, ValueError, KeyError) as error:
            problems.append(f"{page}: a block's source could not be read: {error}")
            continue
        if args.check:
            for name, line, old, new in differ:
                problems.append(f"{page}:{line}: block {name} differs from what "
                                f"scripts/docs_tables.py writes (make docs):\n"
                                f"  page:   {old}\n  script: {new}")
        elif new_text != text:
            path.write_text(new_text, encoding="utf-8")
            wrote.append(f"{page} ({len(differ)} block{'s' if len(differ) != 1 else ''})")
    if args.check:
        for path in prose_pages(args.root):
            page = str(path.relative_to(args.root))
            for line, figure in unsourced_figures(page, path.read_text(encoding="utf-8")):
                problems.append(f"{page}:{line}: the figure {figure!r} is quoted outside a "
                                "generated block, and its paragraph names no results file "
                                "(a path under results/)")
    for problem in problems:
        print(f"docs_tables.py: {problem}", file=sys.stderr)
    if problems:
        return 1
    if not args.check:
        print("wrote " + ", ".join(wrote) if wrote else "every generated block is up to date")
    else:
        print("docs: every generated block is as scripts/docs_tables.py writes it, and every "
              "figure in prose names its results file")
    return 0


if __name__ == "__main__":
    sys.exit(main())
