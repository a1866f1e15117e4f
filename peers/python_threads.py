"""python_threads: concurrent.futures.ThreadPoolExecutor(C), each thread blocking in
requests on one shared Session (the talk's flags_threadpool.py). Sleep: time.sleep in
C threads at once."""
from concurrent.futures import ThreadPoolExecutor

import peer_protocol
import requests_item


def run(args, tally):
    with requests_item.session_for(args.concurrency) as session:  # closed in the clock

        def item(index):
            requests_item.count_item(args, session, index, tally)

        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            for _ in pool.map(item, range(args.items)):
                pass


if __name__ == "__main__":
    peer_protocol.main("python_threads", run,
                       runtime_threads=lambda args: min(args.concurrency, args.items))
