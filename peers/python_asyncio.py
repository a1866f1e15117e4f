"""python_asyncio: asyncio + aiohttp, one task an item, a Semaphore keeps C in flight
(the talk's flags_asyncio.py). aiohttp's TCPConnector caps a session at 100
connections by default (limit=100), which would hold C above 100 back in the
connector: the limit is set to C. Sleep: asyncio.sleep, N timers at once."""
import asyncio
import time

import aiohttp

import peer_protocol


async def fetch(session, args, index, tally, in_flight):
    async with in_flight:
        started = time.perf_counter()
        try:
            async with session.get(peer_protocol.flag_url(args, index)) as response:
                body = await response.read()
                tally.count(response.status, len(body), started)
        except (aiohttp.ClientError, asyncio.TimeoutError):
            tally.count(None, 0, started)


async def sleep(args, tally, in_flight):
    async with in_flight:
        started = time.perf_counter()
        await asyncio.sleep(args.delay_ms / 1000)
        tally.count(peer_protocol.SLEPT, 0, started)


async def work(args, tally):
    in_flight = asyncio.Semaphore(args.concurrency)
    if args.workload == "sleep":
        await asyncio.gather(*(sleep(args, tally, in_flight) for _ in range(args.items)))
        return
    connector = aiohttp.TCPConnector(limit=args.concurrency)
    timeout = aiohttp.ClientTimeout(total=args.timeout_ms / 1000)  # the whole request
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        await asyncio.gather(*(fetch(session, args, index, tally, in_flight)
                               for index in range(args.items)))


def run(args, tally):
    asyncio.run(work(args, tally))


if __name__ == "__main__":
    peer_protocol.main("python_asyncio", run,
                       tasks_held=lambda args: args.items)  # a task an item
