"""Debian's headless Chromium, started in a session of its own and ended with its whole
process group, so that no renderer or helper outlives the caller or writes into its
profile while that is removed. docs_pictures.py takes a screenshot with it;
tests/report_page_test.py drives a page over its DevTools port.

    process = headless_chromium.start(profile, "--screenshot=top.png", url)
    ...
    headless_chromium.stop(process)
"""
import os
import shutil
import signal
import subprocess
import time

WINDOW = "1400,1000"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--window-size={WINDOW}"]
GONE_SECONDS = 60  # how long stop() waits for the last of the group to go


def binary():
    """The chromium on PATH, or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def start(profile, *arguments):
    """Chromium with FLAGS, the profile folder and the caller's arguments, its output
    discarded, in a session (and so a process group) of its own."""
    return subprocess.Popen([binary(), *FLAGS, f"--user-data-dir={profile}", *arguments],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def stop(process):
    """Kills the process's whole group and waits until none of it is left."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()
    deadline = time.monotonic() + GONE_SECONDS
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
