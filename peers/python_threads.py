"""python_threads: concurrent.futures.ThreadPoolExecutor(C), each thread blocking in
requests on one shared Session (the talk's flags_threadpool.py). Sleep: time.sleep in
C threads at once."""
import time
from concurrent.futures import ThreadPoolExecutor

import peer_protocol
import requests_item


def run(args, tally):
    session = requests_item.session_for(args.concurrency)

    def item(index):
        started = time.perf_counter()
        if args.workload == "sleep":
            time.sleep(args.delay_ms / 1000)
            tally.count(peer_protocol.SLEPT, 0, started)
        else:
            url = peer_protocol.flag_url(args, index)
            tally.count(*requests_item.fetch(session, url, args.timeout_ms / 1000), started)

    with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
        for _ in pool.map(item, range(args.items)):
            pass


if __name__ == "__main__":
    peer_protocol.main("python_threads", run)
