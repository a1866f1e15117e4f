"""python_gevent: gevent's green threads with requests monkey-patched to yield at each
wait, a gevent Pool of C (the seeds' flags_gevent.py). Sleep: gevent.sleep, N
greenlets at once."""
from gevent import monkey

monkey.patch_all()  # before anything imports socket

import time  # noqa: E402

import gevent  # noqa: E402
import gevent.pool  # noqa: E402

import peer_protocol  # noqa: E402
import requests_item  # noqa: E402


def run(args, tally):
    session = requests_item.session_for(args.concurrency)

    def item(index):
        started = time.perf_counter()
        if args.workload == "sleep":
            gevent.sleep(args.delay_ms / 1000)
            tally.count(peer_protocol.SLEPT, 0, started)
        else:
            url = peer_protocol.flag_url(args, index)
            tally.count(*requests_item.fetch(session, url, args.timeout_ms / 1000), started)

    pool = gevent.pool.Pool(args.concurrency)
    for index in range(args.items):
        pool.spawn(item, index)  # waits while C are in flight
    pool.join()


if __name__ == "__main__":
    peer_protocol.main("python_gevent", run)
