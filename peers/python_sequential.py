"""python_sequential: one requests.Session, one item after another (the talk's
flags.py). Sleep: time.sleep, one timer at a time."""
import peer_protocol
import requests_item


def run(args, tally):
    with requests_item.session_for(1) as session:  # closed inside the clock
        for index in range(args.items):
            requests_item.count_item(args, session, index, tally)


if __name__ == "__main__":
    peer_protocol.main("python_sequential", run, most_in_flight=1)
