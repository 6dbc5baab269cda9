"""Serving a Starlette app from a command: bind the socket first (so port 0 can be announced), serve it with
uvicorn, print one JSON line once it accepts connections. Shared by `chatwoot-console` and the sandbox."""

from __future__ import annotations

import asyncio
import json
import socket
import sys
from typing import Any


class Listener:
    """A bound listening socket and the URL it answers at (IPv6 hosts bracketed)."""

    def __init__(self, host: str, port: int) -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted connections inherit it: without it small responses wait on the client's delayed ACK (~40 ms).
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            self.sock.bind((host, port))
        except OSError:
            self.sock.close()
            raise
        self.port: int = self.sock.getsockname()[1]
        self.host = f"[{host}]" if family == socket.AF_INET6 else host
        self.url = f"http://{self.host}:{self.port}"


async def serve_and_announce(app: Any, listener: Listener, line: dict[str, Any], *, prog: str, **config: Any) -> int:
    """Serve until shut down; `line` goes to stdout as JSON once uvicorn has started. 1 when it stops during
    start-up (the reason is in uvicorn's log)."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, access_log=False, lifespan="on", **config))
    task = asyncio.create_task(server.serve(sockets=[listener.sock]))
    while not server.started:
        if task.done():
            await task
            print(f"{prog}: stopped during start-up", file=sys.stderr)
            return 1
        await asyncio.sleep(0.01)
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()
    await task
    return 0
