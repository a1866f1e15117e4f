"""python_sequential: one requests.Session, one item after another (the talk's
flags.py). Sleep: time.sleep, one timer at a time."""
import time

import peer_protocol
import requests_item


def run(args, tally):
    session = requests_item.session_for(1)
    for index in range(args.items):
        started = time.perf_counter()
        if args.workload == "sleep":
            time.sleep(args.delay_ms / 1000)
            tally.count(peer_protocol.SLEPT, 0, started)
        else:
            url = peer_protocol.flag_url(args, index)
            tally.count(*requests_item.fetch(session, url, args.timeout_ms / 1000), started)


if __name__ == "__main__":
    peer_protocol.main("python_sequential", run, most_in_flight=1)
