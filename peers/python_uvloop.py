"""python_uvloop: python_asyncio's very code on uvloop, the libuv event loop that
replaces asyncio's own: uvloop.install() before asyncio.run is all it takes."""
import uvloop

import peer_protocol
import python_asyncio


def run(args, tally):
    uvloop.install()
    python_asyncio.run(args, tally)


if __name__ == "__main__":
    peer_protocol.main("python_uvloop", run,
                       tasks_held=lambda args: args.items)  # a task an item
