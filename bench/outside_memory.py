"""Bytes per task of each runtime measured outside the harness, the way the published
1M-task tables measure it: start the program with N tasks that each sleep S seconds,
read its peak resident set (the kernel's ru_maxrss of the reaped child), do the same
with 1 task, and divide: (RSS(N) - RSS(1)) / N. The harness measures a cell's cgroup
instead (anonymous and kernel memory, no page cache); docs/peers.md says how they differ.

    $ /usr/bin/python3 bench/outside_memory.py --tasks 100000 --seconds 10
    # <CPU>, <n> CPUs, Linux <release>, <date>, commit <commit>
    runtime          RSS(1) MiB  RSS(N) MiB  bytes/task  (N = 100000, 10 s)
    coroutines            <MiB>       <MiB>     <bytes>
    ...

Each program is the harness's own: a C++ model through `hammertime child`, a peer
through the command `hammertime list --json` gives for it.
"""
import argparse
import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

TOP = Path(__file__).resolve().parent.parent
DEFAULT_BIN = TOP / "build" / "bin" / "hammertime"


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=100_000, help="N (default 100000)")
    parser.add_argument("--seconds", type=int, default=10, help="each task's sleep")
    parser.add_argument("--hammertime", type=Path, default=DEFAULT_BIN)
    parser.add_argument("--only", default="", help="comma-separated names (default: "
                        "every event-loop model and peer)")
    parser.add_argument("--out", type=Path, help="also write the table to this file, "
                        "under a line naming the machine, the date and the commit (make "
                        "reference keeps it in results/reference/outside-memory/)")
    args = parser.parse_args()
    if args.tasks < 2 or args.seconds < 1:
        parser.error("--tasks must be at least 2 and --seconds at least 1")
    return args


def catalog(hammertime):
    listed = subprocess.run([str(hammertime), "list", "--json"], capture_output=True,
                            text=True, check=True)
    return json.loads(listed.stdout)


def command_of(entry, hammertime):
    if entry["kind"] == "model":
        return [str(hammertime), "child", "--model", entry["name"]], {}
    setting = entry["environment"]  # one NAME=value, the value maybe with spaces
    environment = dict([setting.split("=", 1)]) if "=" in setting else {}
    return list(entry["command"]) + ["--model", entry["name"]], environment


def peak_rss_bytes(command, environment, tasks, seconds):
    """Runs one sleep job to its end; its peak RSS in bytes, or None if it failed."""
    job = ["--workload", "sleep", "--items", str(tasks), "--concurrency", str(tasks),
           "--delay-ms", str(seconds * 1000), "--timeout-ms", str(seconds * 1000 + 120_000)]
    child = subprocess.Popen(command + job, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, env={**os.environ, **environment})
    _, status, usage = os.wait4(child.pid, 0)
    if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
        return None
    return usage.ru_maxrss * 1024


def where_and_when():
    """One line: the machine, the date and the commit this was measured on."""
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    commit = subprocess.run(["git", "-C", str(TOP), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip() or "unknown"
    dirty = subprocess.run(["git", "-C", str(TOP), "status", "--porcelain"],
                           capture_output=True, text=True).stdout.strip()
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (f"# {cpu}, {os.cpu_count()} CPUs, Linux {os.uname().release}, {date}, "
            f"commit {commit}{' (dirty tree)' if dirty else ''}")


def main():
    args = arguments()
    wanted = set(filter(None, args.only.split(",")))
    entries = [e for e in catalog(args.hammertime)
               if (e["name"] in wanted) or (not wanted and e["family"] == "event_loop")]
    lines = [where_and_when(),
             f"{'runtime':24} {'RSS(1) MiB':>10} {'RSS(N) MiB':>10} {'bytes/task':>10}"
             f"  (N = {args.tasks}, {args.seconds} s)"]
    print("\n".join(lines), flush=True)
    for entry in entries:
        command, environment = command_of(entry, args.hammertime)
        one = peak_rss_bytes(command, environment, 1, args.seconds)
        many = peak_rss_bytes(command, environment, args.tasks, args.seconds)
        if one is None or many is None:
            lines.append(f"{entry['name']:24} failed (exit status not 0)")
        else:
            lines.append(f"{entry['name']:24} {one / 2**20:10.1f} {many / 2**20:10.1f} "
                         f"{(many - one) / args.tasks:10.0f}")
        print(lines[-1], flush=True)
    if args.out:  # whole or not at all
        temporary = args.out.with_name(f".{args.out.name}.tmp")
        temporary.write_text("\n".join(lines) + "\n")
        temporary.replace(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
