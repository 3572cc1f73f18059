#!/usr/bin/env python3
"""Connection helpers for bench/run (standard library only).

  conns.py ws-origin PORT                      WebSocket echo origin on 127.0.0.1:PORT (GET without
                                               Upgrade answers 200, for health checks)
  conns.py ws-clients HOST PORT PATH N SECONDS open N WebSockets through a proxy, send a message on each
                                               every second for SECONDS, print JSON {opened, closed}
  conns.py idle HOST PORT N                    open N keep-alive connections, one GET each, print
                                               "ready OK FAILED", then hold them until stdin closes
  conns.py otlp-sink PORT FILE                 OTLP/HTTP receiver on 127.0.0.1:PORT: answers every POST
                                               /v1/traces with an empty 200, writes "exports bytes" to FILE
"""
import asyncio
import base64
import hashlib
import json
import os
import struct
import sys

WS_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


async def read_head(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    return lines[0], headers


async def read_frame(reader):
    b0, b1 = await reader.readexactly(2)
    opcode = b0 & 0x0F
    masked = b1 & 0x80
    length = b1 & 0x7F
    if length == 126:
        (length,) = struct.unpack("!H", await reader.readexactly(2))
    elif length == 127:
        (length,) = struct.unpack("!Q", await reader.readexactly(8))
    mask = await reader.readexactly(4) if masked else None
    data = bytearray(await reader.readexactly(length))
    if mask:
        for i in range(length):
            data[i] ^= mask[i % 4]
    return opcode, bytes(data)


def frame(opcode, data, masked):
    head = bytearray([0x80 | opcode])
    n = len(data)
    mbit = 0x80 if masked else 0
    if n < 126:
        head.append(mbit | n)
    elif n < 65536:
        head.append(mbit | 126)
        head += struct.pack("!H", n)
    else:
        head.append(mbit | 127)
        head += struct.pack("!Q", n)
    if not masked:
        return bytes(head) + data
    mask = os.urandom(4)
    return bytes(head) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data))


async def ws_origin_conn(reader, writer):
    try:
        while True:
            _, headers = await read_head(reader)
            if headers.get("upgrade", "").lower() != "websocket":
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok")
                await writer.drain()
                continue
            accept = base64.b64encode(hashlib.sha1(headers["sec-websocket-key"].encode() + WS_GUID).digest())
            writer.write(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                         b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n")
            await writer.drain()
            while True:
                opcode, data = await read_frame(reader)
                if opcode == 8:
                    writer.write(frame(8, data, False))
                    await writer.drain()
                    return
                if opcode == 9:
                    writer.write(frame(10, data, False))
                else:
                    writer.write(frame(opcode, data, False))
                await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def ws_origin(port):
    server = await asyncio.start_server(ws_origin_conn, "127.0.0.1", port, backlog=4096)
    async with server:
        await server.serve_forever()


async def ws_client(host, port, path, seconds, state):
    try:
        reader, writer = await asyncio.open_connection(host, port)
        key = base64.b64encode(os.urandom(16))
        writer.write(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: bench\r\nUpgrade: websocket\r\n"
                     b"Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " + key + b"\r\n\r\n")
        await writer.drain()
        status, _ = await asyncio.wait_for(read_head(reader), 10)
        if " 101 " not in status + " ":
            state["refused"] += 1
            writer.close()
            return
    except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError):
        state["refused"] += 1
        return
    state["opened"] += 1
    try:
        for i in range(int(seconds)):
            await asyncio.sleep(1)
            msg = f"m{i}".encode()
            writer.write(frame(1, msg, True))
            await writer.drain()
            opcode, data = await asyncio.wait_for(read_frame(reader), 10)
            if opcode != 1 or data != msg:
                raise ConnectionError("bad echo")
        state["alive"] += 1
    except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, ConnectionError):
        state["closed"] += 1
    finally:
        writer.close()


async def ws_clients(host, port, path, n, seconds):
    state = {"opened": 0, "refused": 0, "closed": 0, "alive": 0}
    await asyncio.gather(*(ws_client(host, port, path, seconds, state) for _ in range(n)))
    print(json.dumps(state), flush=True)


async def idle_conn(host, port, state, conns):
    try:
        reader, writer = await asyncio.open_connection(host, port)
        writer.write(b"GET / HTTP/1.1\r\nHost: bench\r\n\r\n")
        await writer.drain()
        status, headers = await asyncio.wait_for(read_head(reader), 30)
        await reader.readexactly(int(headers.get("content-length", "0")))
        if " 200 " in status + " ":
            state["ok"] += 1
            conns.append(writer)
        else:
            state["failed"] += 1
    except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError):
        state["failed"] += 1


async def idle(host, port, n):
    state = {"ok": 0, "failed": 0}
    conns = []
    batch = 500  # bounded bursts so the accept queues do not overflow
    for start in range(0, n, batch):
        await asyncio.gather(*(idle_conn(host, port, state, conns) for _ in range(min(batch, n - start))))
    print(f"ready {state['ok']} {state['failed']}", flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)
    for w in conns:
        w.close()


async def otlp_sink(port, path):
    """Takes exports as a collector would (without decoding them): the tracing scenario measures Ballast's side."""
    totals = {"exports": 0, "bytes": 0}

    async def handle(reader, writer):
        try:
            while True:
                _, headers = await read_head(reader)
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                totals["exports"] += 1
                totals["bytes"] += len(body)
                with open(path, "w") as f:
                    f.write(f"{totals['exports']} {totals['bytes']}\n")
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: application/x-protobuf\r\ncontent-length: 0\r\n\r\n")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", port)
    async with server:
        await server.serve_forever()


def main(argv):
    if len(argv) >= 2 and argv[0] == "ws-origin":
        asyncio.run(ws_origin(int(argv[1])))
    elif len(argv) == 6 and argv[0] == "ws-clients":
        asyncio.run(ws_clients(argv[1], int(argv[2]), argv[3], int(argv[4]), float(argv[5])))
    elif len(argv) == 3 and argv[0] == "otlp-sink":
        asyncio.run(otlp_sink(int(argv[1]), argv[2]))
    elif len(argv) == 4 and argv[0] == "idle":
        asyncio.run(idle(argv[1], int(argv[2]), int(argv[3])))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
