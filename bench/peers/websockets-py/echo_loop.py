"""The same loop as raw-ws with Python's `websockets` (asyncio): CONNS tasks, each opening a
WebSocket, sending PER (100) text messages one after another and reading each echo, closing it,
and again, for SECS seconds. Prints `messages=N`.

usage: python3 echo_loop.py ws://127.0.0.1:PORT/ws CONNS SECS [PER]
"""
import asyncio
import sys
import time

import websockets


async def one(url, until, per, done):
    while time.monotonic() < until:
        async with websockets.connect(url) as ws:
            for _ in range(per):
                await ws.send("hello")
                await ws.recv()
                done[0] += 1


async def main():
    url, conns, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    per = int(sys.argv[4]) if len(sys.argv) > 4 else 100
    until = time.monotonic() + secs
    done = [0]
    await asyncio.gather(*(one(url, until, per, done) for _ in range(conns)))
    print(f"messages={done[0]}")


asyncio.run(main())
