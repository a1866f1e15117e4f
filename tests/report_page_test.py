"""Opens a small run's report.html in Debian's headless Chromium, over the DevTools
protocol (python3-websocket), and checks what a reader would: the page loads with no
console error, every plot is there, a flagged cell shows its flag, and nothing is fetched
from outside the file. Keeps a screenshot of the page's top as an artefact.

    $ /usr/bin/python3 tests/report_page_test.py build/report_page
    report page: loaded, 6 plots, flags shown, nothing fetched; build/report_page/report.png

Exits 77 (CTest's skip) with one line when chromium or python3-websocket is absent.
"""
import base64
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

TOP = Path(__file__).resolve().parent.parent
SCRIPTS = TOP / "scripts"
sys.path.insert(0, str(SCRIPTS))
import headless_chromium  # noqa: E402

PYTHON = os.environ.get("HAMMERTIME_PYTHON", "/usr/bin/python3")
SKIP = 77
STARTUP_SECONDS = 60
LOAD_SECONDS = 60
LOCAL_SCHEMES = ("file:", "data:", "about:", "chrome:", "devtools:")


def make_run(folder):
    """A copy of the committed reproduce run, one cell given a second, slower repetition
    (so it is flagged unstable), two timelines, its plots and its report."""
    folder.mkdir(parents=True, exist_ok=True)
    results = json.loads((TOP / "results/reference/reproduce/results.json").read_text())
    first = results["benchmarks"][0]
    results["benchmarks"].insert(1, dict(first, repetition_index=1,
                                         items_per_second=first["items_per_second"] / 2))
    (folder / "results.json").write_text(json.dumps(results))
    (folder / "item_times").mkdir(exist_ok=True)
    for model, concurrency in (("sequential", 1), ("thread_pool", 30)):
        times = [[i, (i // concurrency) * 50_000, (i // concurrency + 1) * 50_000]
                 for i in range(60)]
        (folder / "item_times" / f"flags_{model}_C{concurrency}.rep1.json").write_text(
            json.dumps({"name": f"flags/{model}/C:{concurrency}", "model": model,
                        "workload": "flags", "items": 60, "concurrency": concurrency,
                        "delay_ms": 50, "stride": 1, "item_times": times}))
    for script in ("plot_results.py", "report.py"):
        subprocess.run([PYTHON, str(SCRIPTS / script), str(folder)], check=True,
                       capture_output=True)
    return folder / "report.html"


class devtools:
    """One page's DevTools connection: send() waits for its answer, and every event that
    arrives meanwhile is kept in .events."""

    def __init__(self, url):
        import websocket
        self.socket = websocket.create_connection(url, timeout=LOAD_SECONDS)
        self.next_id = 0
        self.events = []

    def send(self, method, **params):
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def wait_for(self, method, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if any(e.get("method") == method for e in self.events):
                return True
            self.socket.settimeout(max(deadline - time.monotonic(), 0.1))
            self.events.append(json.loads(self.socket.recv()))
        return False


def start_chromium(profile):
    """Chromium on a blank page, and that page's DevTools URL."""
    process = headless_chromium.start(profile, "--remote-debugging-port=0", "about:blank")
    port_file = Path(profile) / "DevToolsActivePort"
    deadline = time.monotonic() + STARTUP_SECONDS
    while not port_file.is_file() or not port_file.read_text().strip():
        if time.monotonic() > deadline or process.poll() is not None:
            headless_chromium.stop(process)
            raise RuntimeError("chromium did not open its DevTools port")
        time.sleep(0.2)
    port = port_file.read_text().split()[0]
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list") as answer:
        pages = [t for t in json.load(answer) if t.get("type") == "page"]
    return process, pages[0]["webSocketDebuggerUrl"]


def problems_in(events):
    """Console errors, exceptions and requests that left the file, as lines."""
    lines = []
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.exceptionThrown":
            lines.append(f"exception: {params['exceptionDetails'].get('text')}")
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            lines.append(f"console.{params['type']}: {params.get('args')}")
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            lines.append(f"log error: {params['entry'].get('text')}")
        elif method == "Network.requestWillBeSent":
            url = params["request"]["url"]
            if not url.startswith(LOCAL_SCHEMES):
                lines.append(f"fetched from outside: {url}")
    return lines


def main(argv):
    if headless_chromium.binary() is None:
        print("report page test skipped: chromium is not installed (make deps installs it)")
        return SKIP
    try:
        import websocket  # noqa: F401
    except ImportError:
        print("report page test skipped: python3-websocket is not installed (make deps)")
        return SKIP
    folder = Path(argv[1]) if len(argv) > 1 else Path(tempfile.mkdtemp())
    report = make_run(folder.resolve())
    plots = sorted(p.stem for p in (folder / "plots").glob("*.svg"))
    with tempfile.TemporaryDirectory(prefix="hammertime-chromium-") as profile:
        process, url = start_chromium(profile)
        try:
            page = devtools(url)
            for domain in ("Runtime", "Log", "Network", "Page"):
                page.send(f"{domain}.enable")
            page.send("Page.navigate", url=report.as_uri())
            if not page.wait_for("Page.loadEventFired", LOAD_SECONDS):
                print("report page: the page did not finish loading")
                return 1
            found = page.send("Runtime.evaluate", returnByValue=True, expression="""({
              plots: Array.from(document.querySelectorAll('figure.plot'))
                .filter((f) => f.querySelector('svg')).map((f) => f.id.slice(5)),
              row: Array.from(document.querySelectorAll('#summary tbody tr'))
                .map((r) => r.textContent).find((t) => t.includes('sequential')) || '',
            })""")["result"]["value"]
            shot = page.send("Page.captureScreenshot", format="png")
            (folder / "report.png").write_bytes(base64.b64decode(shot["data"]))
            time.sleep(0.5)  # late console messages
            page.send("Runtime.evaluate", expression="1")
        finally:
            headless_chromium.stop(process)
    failures = problems_in(page.events)
    missing = sorted(set(plots) - set(found["plots"]))
    if missing:
        failures.append(f"plots missing from the page: {missing}")
    if "unstable" not in found["row"]:
        failures.append(f"the unstable cell shows no flag: {found['row']!r}")
    for line in failures:
        print(f"report page: {line}")
    if failures:
        return 1
    print(f"report page: loaded, {len(plots)} plots, flags shown, nothing fetched; "
          f"{folder / 'report.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
