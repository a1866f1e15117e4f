"""python_gevent: gevent's green threads with requests monkey-patched to yield at each
wait, a gevent Pool of C (the seeds' flags_gevent.py). Sleep: gevent.sleep, N
greenlets at once."""
from gevent import monkey

monkey.patch_all()  # before anything imports socket

import gevent  # noqa: E402
import gevent.pool  # noqa: E402

import peer_protocol  # noqa: E402
import requests_item  # noqa: E402


def run(args, tally):
    pool = gevent.pool.Pool(args.concurrency)
    with requests_item.session_for(args.concurrency) as session:  # closed in the clock
        for index in range(args.items):  # spawn waits while C are in flight
            pool.spawn(requests_item.count_item, args, session, index, tally, gevent.sleep)
        pool.join()


if __name__ == "__main__":
    peer_protocol.main("python_gevent", run)
