"""One item for the peers that block (sequential, threads, gevent): a flag with
requests, or a sleep. The peer's own file shows how it runs them."""
import time

import requests
import requests.adapters

import peer_protocol


def session_for(connections):
    """A Session that keeps C connections: HTTPAdapter keeps only 10 by default and
    would close the rest after each request."""
    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter(pool_connections=1, pool_maxsize=connections)
    session.mount("http://", adapter)
    return session


def fetch(session, url, timeout_s):
    """(status, body bytes), or (None, 0) when it failed. requests' timeout bounds each
    read, not the request: a body that trickles in is cut at the deadline here, and a
    body shorter than its Content-Length (urllib3 1.26 does not check) is a failure."""
    deadline = time.monotonic() + timeout_s
    try:
        with session.get(url, timeout=timeout_s, stream=True) as response:
            size = 0
            for chunk in response.iter_content(4096):
                size += len(chunk)
                if time.monotonic() > deadline:
                    return None, 0
            expected = response.headers.get("Content-Length")
            if expected is not None and int(expected) != size:
                return None, 0
            return response.status_code, size
    except requests.RequestException:
        return None, 0


def count_item(args, session, index, tally, sleep=time.sleep):
    started = time.perf_counter()
    if args.workload == "sleep":
        sleep(args.delay_ms / 1000)
        tally.count(peer_protocol.SLEPT, 0, started)
    else:
        url = peer_protocol.flag_url(args, index)
        tally.count(*fetch(session, url, args.timeout_ms / 1000), started)
