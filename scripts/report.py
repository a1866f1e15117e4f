"""One run, one page: DIR/report.html, self-contained (inline SVG and CSS, a little
inline JavaScript to sort the table; nothing fetched from anywhere).

    $ /usr/bin/python3 scripts/report.py results/latest
    wrote results/latest/report.html (5 plots, 3 timelines)

Holds the summary table with every flag where its number stands (unstable, server-bound
and proxy-bound beside items/s, CPU unstable beside CPU, memory doubt beside bytes/task,
"1 run" where a spread would stand) and the share of the ideal and of the attainable
rate each row reached, the system warnings, the machine's context and
calibration, the command that reproduces the run, every plot in DIR/plots/ (the
timelines of the flags cells of at most 2,000 items are drawn first, by
plot_timeline.py), and per cell its repetitions and why any was invalid.
"""

import html
import json
import statistics
import sys
from collections import defaultdict
from pathlib import Path

import plot_timeline
from cell_identity import identity_of, knobs_text
from docs_tables import spread_above
from plot_results import open_run, read_results

UNSTABLE_SPREAD = 0.10  # items/s (max − min) ÷ median, as the harness flags it
CPU_UNSTABLE_SPREAD = 0.25  # CPU per item, the same way
REPORT_NAME = "report.html"
STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1400px;
       padding: 0 1em; color: #222; }
h1 { font-size: 1.6em; } h2 { margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; font-size: 0.9em; }
th, td { padding: 0.25em 0.6em; border-bottom: 1px solid #e4e4e4; text-align: right; }
th { background: #f4f4f4; cursor: pointer; position: sticky; top: 0; }
td.text, th.text { text-align: left; }
.flag { display: inline-block; margin-left: 0.3em; padding: 0 0.35em; border-radius: 3px;
        background: #cc0000; color: white; font-size: 0.8em; white-space: nowrap; }
.flag.note { background: #777; }
.warning { background: #fff3cd; border: 1px solid #e0c060; padding: 0.6em 1em; }
.quiet { color: #2a7a2a; }
pre { background: #f4f4f4; padding: 0.6em; overflow-x: auto; }
figure { margin: 1.5em 0; } figure svg { width: 100%; height: auto; }
figcaption { font-weight: bold; }
details { margin: 0.3em 0; } summary { cursor: pointer; }
dl { display: grid; grid-template-columns: max-content auto; gap: 0.1em 1em; }
dt { font-weight: bold; } dd { margin: 0; }
"""
SCRIPT = """
document.querySelectorAll('table.sortable th').forEach((th, column) => {
  th.addEventListener('click', () => {
    const body = th.closest('table').tBodies[0];
    const key = (row) => {
      const cell = row.cells[column];
      const n = parseFloat(cell.dataset.value ?? cell.textContent.replace(/,/g, ''));
      return isNaN(n) ? cell.textContent : n;
    };
    const rows = Array.from(body.rows);
    const up = th.dataset.up !== 'true';
    rows.sort((a, b) => (key(a) > key(b) ? 1 : key(a) < key(b) ? -1 : 0) * (up ? 1 : -1));
    th.dataset.up = up;
    rows.forEach((row) => body.appendChild(row));
  });
});
"""


def escape(value):
    return html.escape(str(value))


def flag(text, note=False, why=""):
    title = f' title="{escape(why)}"' if why else ""
    return f'<span class="flag{" note" if note else ""}"{title}>{escape(text)}</span>'


def valid(bench):
    return not bench.get("error_occurred") and bench.get("valid", True)


def benchmarks(results):
    """The run's cells: each identity's repetitions, in the order results.json has them."""
    groups = defaultdict(list)
    for bench in results.get("benchmarks", []):
        if bench.get("run_type", "iteration") == "iteration":
            groups[identity_of(bench)].append(bench)
    return list(groups.values())


def cell_flags(runs):
    """{"unstable", "server_bound", "proxy_bound", "cpu_unstable", "memory_doubt", ...}."""
    good = [r for r in runs if valid(r)]
    speeds = [r["items_per_second"] for r in good if "items_per_second" in r]
    cpu = [r["cpu_us_per_item"] for r in good if "cpu_us_per_item" in r]
    doubts = sorted({r["memory_doubt"] for r in good if r.get("memory_doubt")})
    return {
        "unstable": spread_above(speeds, UNSTABLE_SPREAD),
        "server_bound": sum(1 for r in good if r.get("server_bound")),
        "proxy_bound": sum(1 for r in good if r.get("proxy_bound")),
        "cpu_unstable": spread_above(cpu, CPU_UNSTABLE_SPREAD),
        "memory_doubt": doubts,
        "one_run": len(good) == 1,
        "invalid": len(runs) - len(good),
    }


def number(value, digits=3):
    if value is None:
        return "—"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.{digits}g}"


def human_bytes(value):
    if value is None:
        return "—"
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(value) < 1024 or unit == "GiB":
            return f"{value:.3g} {unit}"
        value /= 1024


def median_of(runs, field):
    values = [r[field] for r in runs if r.get(field) is not None]
    return statistics.median(values) if values else None


def share_cell(share):
    """A share of the ideal or of the attainable rate: "91.5 %", or "—" where the run
    did not record it (an older harness)."""
    text = "—" if share is None else f"{100 * share:.1f} %"
    return f'<td data-value="{share or 0}">{text}</td>'


def summary_row(runs):
    good = [r for r in runs if valid(r)]
    first = runs[0]
    flags = cell_flags(runs)
    delay = f"{first.get('delay_ms', 0)}"
    if first.get("link_delay_ms"):
        delay += f" + 2 × {first['link_delay_ms']} link"
    cells = [f'<td class="text">{escape(first.get("workload"))}</td>',
             f'<td class="text">{escape(first.get("model"))}'
             + (flag("peer", True) if "runtime" in first else "") + "</td>",
             f"<td>{first.get('concurrency')}</td>", f"<td>{first.get('items')}</td>",
             f'<td data-value="{first.get("delay_ms", 0)}">{escape(delay)}</td>']
    if not good:
        reason = first.get("error_message") or "tally does not add up"
        cells.append(f'<td class="text" colspan="11">invalid: {escape(reason)}</td>')
        cells.append(f'<td class="text">{flag(str(flags["invalid"]) + " invalid")}</td>')
        return "<tr>" + "".join(cells) + "</tr>"
    speeds = [r["items_per_second"] for r in good]
    middle = statistics.median(speeds)
    speed_flags = (flag("unstable") if flags["unstable"] else "") + "".join(
        flag(f"{name} ({flags[key]} of {len(good)})")
        for key, name in (("server_bound", "server-bound"), ("proxy_bound", "proxy-bound"))
        if flags[key])
    spread = flag("1 run", True) if flags["one_run"] else \
        f"{number(min(speeds))}–{number(max(speeds))}"
    ideal = median_of(good, "ideal_items_per_second")
    attainable = median_of(good, "attainable_items_per_second")
    cpu = median_of(good, "cpu_us_per_item")
    per_task = median_of(good, "bytes_per_task")
    cells += [
        f'<td data-value="{middle}">{number(middle)}{speed_flags}</td>',
        f'<td class="text">{spread}</td>',
        f"<td>{number(ideal)}</td>",
        share_cell(median_of(good, "efficiency")),
        f"<td>{number(attainable)}</td>",
        share_cell(median_of(good, "of_attainable")),
        f'<td data-value="{cpu or 0}">{number(cpu)}'
        + (flag("CPU unstable") if flags["cpu_unstable"] else "") + "</td>",
        f'<td data-value="{per_task or 0}">{human_bytes(per_task)}'
        + "".join(flag("memory doubt", why=d) for d in flags["memory_doubt"]) + "</td>",
        f"<td>{number(median_of(good, 'p50_ms'))} / {number(median_of(good, 'p99_ms'))}</td>",
        f"<td>{number(median_of(good, 'server_lateness_p99_ms'))}</td>",
        f"<td>{number(median_of(good, 'server_own_queue_p99_ms'))} / "
        f"{number(median_of(good, 'client_send_wait_p99_ms'))}</td>",
    ]
    validity = "yes" if not flags["invalid"] else flag(f"{flags['invalid']} of {len(runs)} invalid")
    cells.append(f'<td class="text">{validity}</td>')
    return "<tr>" + "".join(cells) + "</tr>"


def summary_table(groups):
    head = ["workload", "model", "C", "N", "delay ms", "items/s", "spread (min–max)",
            "ideal items/s", "efficiency", "attainable items/s", "of attainable",
            "CPU µs/item", "bytes/task", "p50 / p99 ms", "server late p99 ms",
            "own queue / send wait p99 ms", "valid"]
    text = {"workload", "model", "spread (min–max)", "valid"}
    header = "".join(f'<th class="{"text" if h in text else ""}">{escape(h)}</th>'
                     for h in head)
    rows = "\n".join(summary_row(runs) for runs in groups)
    return (f'<table class="sortable" id="summary"><thead><tr>{header}</tr></thead>'
            f"<tbody>\n{rows}\n</tbody></table>")


def repetitions_section(groups):
    parts = []
    for runs in groups:
        first = runs[0]
        lines = []
        for run in sorted(runs, key=lambda r: r.get("repetition_index", 0)):
            if valid(run):
                why = "valid"
            else:
                why = "invalid: " + (run.get("error_message") or "tally does not add up")
            lines.append(
                f"<tr><td>{run.get('repetition_index', 0) + 1}</td>"
                f"<td>{number(run.get('items_per_second'))}</td>"
                f"<td>{number(run.get('real_time'))} {escape(run.get('time_unit', 'ms'))}</td>"
                f"<td>{number(run.get('cpu_us_per_item'))}</td>"
                f"<td>{run.get('ok', '—')} / {run.get('not_found', '—')} / "
                f"{run.get('failed', '—')}</td>"
                f'<td class="text">{escape(why)}</td></tr>')
        bad = sum(1 for r in runs if not valid(r))
        title = f"{first.get('run_name', first.get('name'))} ({knobs_text(first)}): " \
                f"{len(runs)} repetition{'s' if len(runs) != 1 else ''}" + \
                (f", {bad} invalid" if bad else "")
        parts.append(
            f"<details{' open' if bad else ''}><summary>{escape(title)}</summary>"
            "<table><thead><tr><th>repetition</th><th>items/s</th><th>wall</th>"
            "<th>CPU µs/item</th><th>ok / not found / failed</th>"
            f'<th class="text">why</th></tr></thead><tbody>{"".join(lines)}</tbody>'
            "</table></details>")
    return "\n".join(parts)


def warnings_section(context):
    warnings = context.get("warnings") or []
    if not warnings:
        return '<p class="quiet">No system warning: the machine was quiet and fit.</p>'
    items = "".join(f"<li>{escape(w)}</li>" for w in warnings)
    return f'<div class="warning" id="warnings"><b>Warnings</b> (the figures may not ' \
           f"repeat):<ul>{items}</ul></div>"


def context_section(context):
    rows = []
    for key, value in context.items():
        if key in ("warnings", "calibration", "plan_lines"):
            continue
        if isinstance(value, (dict, list)):
            value = json.dumps(value)
        rows.append(f"<dt>{escape(key)}</dt><dd>{escape(value)}</dd>")
    calibration = "".join(f"<dt>{escape(k)}</dt><dd>{escape(number(v))}</dd>"
                          for k, v in (context.get("calibration") or {}).items())
    return (f"<dl>{''.join(rows)}</dl><h3>Calibration</h3>"
            + (f"<dl>{calibration}</dl>" if calibration else "<p>none recorded</p>"))


def command_section(context):
    command = context.get("command_line", "hammertime run (command not recorded)")
    text = f"<pre>build/bin/{escape(command.removeprefix('build/bin/'))}</pre>"
    if context.get("plan_lines"):
        lines = "\n".join(escape(line) for line in context["plan_lines"])
        text += f"<p>The plan's lines ({escape(context.get('plan', ''))}):</p><pre>{lines}</pre>"
    commit = context.get("build_commit") or context.get("git_commit") or "unknown"
    dirty = context.get("build_dirty", context.get("git_dirty"))
    text += f"<p>Built from commit <code>{escape(commit)}</code>" + \
        (" with uncommitted changes" if dirty else "") + ".</p>"
    return text


def inline_svg(path):
    """The SVG's own markup, without its XML prologue and doctype."""
    text = path.read_text()
    start = text.find("<svg")
    return text[start:] if start >= 0 else ""


def plots_section(plots_dir, names):
    figures = []
    for name in names:
        svg = plots_dir / f"{name}.svg"
        if svg.is_file():
            figures.append(f'<figure class="plot" id="plot-{escape(name)}">'
                           f"<figcaption>{escape(name)}</figcaption>{inline_svg(svg)}"
                           "</figure>")
    return "\n".join(figures)


def page(results_dir, results, timelines):
    context = results.get("context", {})
    groups = benchmarks(results)
    plots_dir = results_dir / "plots"
    plots = sorted(p.stem for p in plots_dir.glob("*.svg")
                   if not p.stem.startswith("timeline_")) if plots_dir.is_dir() else []
    # The folder it is read from: make reference renames the one the run wrote into.
    title = f"hammertime run {results_dir.resolve().name}"
    flagged = sum(1 for runs in groups if any(
        v for k, v in cell_flags(runs).items() if k != "one_run"))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title><style>{STYLE}</style></head>
<body>
<h1>{escape(title)}</h1>
<p>{escape(context.get('cpu_model', 'unknown machine'))}, {escape(context.get('num_cpus', '?'))}
CPUs, {escape(context.get('kernel', ''))}, {escape(context.get('date', ''))}.
{len(groups)} cells, {flagged} flagged.</p>
{warnings_section(context)}
<h2>Summary</h2>
<p>Median over the valid repetitions. Flags stand where their number stands:
<b>unstable</b> (items/s spread above {UNSTABLE_SPREAD:.0%} of the median),
<b>server-bound</b> (the server answered later than 2 % of the delay, or requests waited
longer than that in its own queue; own queue / send wait splits a request's wait before
its delay at the kernel's receipt: the server's part, then the client's),
<b>proxy-bound</b> (the link delay's proxy passed bytes on that late),
<b>CPU unstable</b> (CPU per item spread above {CPU_UNSTABLE_SPREAD:.0%} of its median),
<b>memory doubt</b>, and <b>1 run</b> where no spread was measured. Click a heading to
sort.</p>
{summary_table(groups)}
<h2>Reproduce</h2>
{command_section(context)}
<h2>Plots</h2>
{plots_section(plots_dir, plots) or '<p>No plot in plots/.</p>'}
<h2>Timelines: where the time goes</h2>
<p>x: time from the cell's start; one bar per item, from its start to its end; rows in
start order.</p>
{plots_section(plots_dir, timelines) or '<p>No flags cell of at most 2,000 items kept its item times.</p>'}
<h2>Repetitions</h2>
{repetitions_section(groups)}
<h2>Machine and calibration</h2>
{context_section(context)}
<script>{SCRIPT}</script>
</body></html>
"""


def main(argv):
    results_dir, results = read_results(argv, "results.json")
    timelines = []
    run = open_run(argv, "report.py")  # plots/ and the footer; None: no valid cell
    if run is not None:
        _, _, _, plots_dir, footer = run
        timelines = plot_timeline.plot_timelines(results_dir, plots_dir, footer)
    target = results_dir / REPORT_NAME
    temporary = target.with_name(f".{REPORT_NAME}.tmp")
    temporary.write_text(page(results_dir, results, timelines))
    temporary.replace(target)
    plots = len(list((results_dir / "plots").glob("*.svg"))) if (
        results_dir / "plots").is_dir() else 0
    print(f"wrote {target} ({plots - len(timelines)} plots, {len(timelines)} timelines)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
