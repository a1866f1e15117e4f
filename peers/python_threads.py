"""python_threads: concurrent.futures.ThreadPoolExecutor(C), each thread blocking in
requests on one shared Session (the talk's flags_threadpool.py). Sleep: time.sleep in
the same pool. The pool starts a thread only when none is idle, so a short item or a
slow start leaves it with fewer than C: the threads that ran an item are counted."""
import threading
from concurrent.futures import ThreadPoolExecutor

import peer_protocol
import requests_item

threads_seen = set()  # the pool's threads live until it shuts down: no ident reused


def run(args, tally):
    with requests_item.session_for(args.concurrency) as session:  # closed in the clock

        def item(index):
            threads_seen.add(threading.get_ident())
            requests_item.count_item(args, session, index, tally)

        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            for _ in pool.map(item, range(args.items)):
                pass


if __name__ == "__main__":
    peer_protocol.main("python_threads", run,
                       runtime_threads=lambda args: len(threads_seen),
                       tasks_held=lambda args: len(threads_seen))
