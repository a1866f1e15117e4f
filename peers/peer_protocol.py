"""The child protocol every Python peer speaks (harness/child.cpp): the same flags in,
one JSON line out. Plumbing only (arguments, tally, memory, CPU, the line); each peer's
own file shows its runtime's idiom and calls main(name, run)."""
import argparse, array, errno, json, math, os, platform, resource, sys, threading, time

SLEPT = "slept"  # what a sleep item counts as: ok, no bytes
TIMELINE_ITEMS = 2000  # item_times keeps every ceil(N / this)-th finished item


class OneLineParser(argparse.ArgumentParser):
    def error(self, message):  # one line and exit 2, like `hammertime child`
        print(f"{self.prog}: {message}", file=sys.stderr)
        sys.exit(2)


def whole(least, most):
    def parse(text):
        if not (text.isascii() and text.isdigit()) or not least <= int(text) <= most:
            raise argparse.ArgumentTypeError(
                f"'{text}': expected a whole number {least}..{most}")
        return int(text)
    return parse


def parse_arguments(model, most_in_flight):
    parser = OneLineParser(prog=model, allow_abbrev=False)
    parser.add_argument("--version", action="version",
                        version=f"Python {platform.python_version()}")
    parser.add_argument("--model", required=True)
    parser.add_argument("--workload", required=True, choices=("flags", "sleep"))
    parser.add_argument("--items", required=True, type=whole(1, 10**9))
    parser.add_argument("--concurrency", required=True, type=whole(1, 10**9))
    parser.add_argument("--delay-ms", required=True, type=whole(0, 600_000))
    parser.add_argument("--timeout-ms", required=True, type=whole(1, 3_600_000))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default=0, type=whole(0, 65535))
    args = parser.parse_args()
    args.concurrency = min(args.concurrency, most_in_flight)
    return args


def flag_url(args, index):
    """The C++ models' request (models/wire.cpp): lower-case code, the delay asked."""
    cc = chr(97 + index // 26 % 26) + chr(97 + index % 26)
    host = f"[{args.host}]" if ":" in args.host else args.host  # IPv6, as URLs write it
    return f"http://{host}:{args.port}/flags/{cc}/{cc}.gif?delay_ms={args.delay_ms}"


class Tally:
    """ok + not_found + failed = N; one latency slot an item, every slot written before
    the baseline as the C++ child's are, and every stride-th finished item's
    [index, start, end] for the timeline. Safe across threads."""

    def __init__(self, items):
        self.ok = self.not_found = self.failed = self.bytes = self.finished = 0
        self.latencies_ms = array.array("f", bytes(4 * items))  # a copy: pages touched
        self.lock = threading.Lock()
        self.stride = max(1, -(-items // TIMELINE_ITEMS))
        self.times = []
        self.clock_start = time.perf_counter()

    def item_times(self):
        """[index, start_us, end_us], µs from the work's clock start (the C++ child's)."""
        return [[index, round((start - self.clock_start) * 1e6),
                 round((end - self.clock_start) * 1e6)] for index, start, end in self.times]

    def count(self, status, size, started):
        """status: the HTTP status, SLEPT for a sleep, None for a failed request."""
        ended = time.perf_counter()
        latency_ms = (ended - started) * 1000
        with self.lock:
            if self.finished % self.stride == 0:
                self.times.append((self.finished, started, ended))
            self.bytes += size  # every answer's body, as the C++ tally counts
            if status in (200, SLEPT):
                self.ok += 1
            elif status == 404:
                self.not_found += 1
            else:
                self.failed += 1
            self.latencies_ms[self.finished] = latency_ms
            self.finished += 1


def percentile(ordered, fraction):  # the child's rank rule: ceil(f * n), 1-based
    if not ordered:
        return 0.0
    return ordered[min(max(math.ceil(fraction * len(ordered)), 1), len(ordered)) - 1]


def proc_bytes(path, key):
    with open(path) as lines:
        return next((int(line.split()[1]) * 1024 for line in lines if line.startswith(key)), 0)


def cpu_seconds():
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + children.ru_utime, own.ru_stime + children.ru_stime


def open_sockets():
    """Sockets this process holds: more after the clock than before it means the row
    stopped its clock before closing its connections."""
    fds = os.listdir("/proc/self/fd")
    return sum(os.readlink(f"/proc/self/fd/{fd}").startswith("socket:")
               for fd in fds if os.path.exists(f"/proc/self/fd/{fd}"))


def file_cache_bytes(folder):
    """The page cache charged to the cgroup: memory.stat's file (v2) or total_cache (v1)."""
    try:
        with open(os.path.join(folder, "memory.stat")) as stat:
            fields = dict(line.split()[:2] for line in stat if len(line.split()) >= 2)
        return int(fields.get("file", fields.get("total_cache", 0)))
    except (TypeError, OSError, ValueError):
        return 0


def cgroup_bytes():
    """What the memory cgroup the harness made for this cell holds now, if it made one,
    less its file cache (as the harness's memory_cgroup.cpp reads it)."""
    folder = os.environ.get("HAMMERTIME_MEMORY_CGROUP")
    for name in ("memory.usage_in_bytes", "memory.current"):
        try:
            with open(os.path.join(folder, name)) as usage:
                return max(0, int(usage.read()) - file_cache_bytes(folder))
        except (TypeError, OSError, ValueError):
            pass
    return None


def is_machine_limit(error):  # a thread the OS refused, descriptors run out
    return ("can't start new thread" in str(error)
            or getattr(error, "errno", None) in (errno.EAGAIN, errno.EMFILE, errno.ENFILE))


def main(model, run, most_in_flight=10**9, runtime_threads=lambda args: 1,
         tasks_held=lambda args: min(args.concurrency, args.items)):
    """Runs run(args, tally) once and prints the child's JSON line (exit 3: a limit).
    runtime_threads(args): the OS threads that run its items; tasks_held(args): the
    tasks it holds at once."""
    args = parse_arguments(model, most_in_flight)
    tally = Tally(args.items)
    baseline_pss = proc_bytes("/proc/self/smaps_rollup", "Pss:")
    baseline_rss = proc_bytes("/proc/self/status", "VmRSS:")
    baseline_cgroup = cgroup_bytes()
    user_before, system_before = cpu_seconds()
    sockets = open_sockets()
    started = tally.clock_start = time.perf_counter()
    try:
        run(args, tally)
    except (RuntimeError, OSError, MemoryError) as error:
        limit = is_machine_limit(error)
        line = {"error": f"{model}: {error}", **({"limit": True} if limit else {})}
        print(json.dumps(line), flush=True)
        sys.exit(3 if limit else 1)
    wall = time.perf_counter() - started
    user_after, system_after = cpu_seconds()
    ordered = sorted(tally.latencies_ms[:tally.finished])
    cgroup = {} if baseline_cgroup is None else {"baseline_cgroup_bytes": baseline_cgroup}
    print(json.dumps({
        "model": model, "workload": args.workload, "items": args.items,
        "concurrency": args.concurrency, "delay_ms": args.delay_ms,
        "timeout_ms": args.timeout_ms, "wall_seconds": wall, "ok": tally.ok,
        "not_found": tally.not_found, "failed": tally.failed, "bytes": tally.bytes,
        "p50_ms": percentile(ordered, 0.50), "p99_ms": percentile(ordered, 0.99),
        "max_ms": percentile(ordered, 1.0), "baseline_pss_bytes": baseline_pss,
        "baseline_rss_bytes": baseline_rss,
        "vm_hwm_bytes": proc_bytes("/proc/self/status", "VmHWM:"),
        "cpu_user_seconds": user_after - user_before,
        "cpu_system_seconds": system_after - system_before,
        "runtime_threads": runtime_threads(args), "tasks_held": tasks_held(args),
        "sockets_left_open": open_sockets() - sockets, **cgroup,
        "item_times": tally.item_times(),
    }), flush=True)
