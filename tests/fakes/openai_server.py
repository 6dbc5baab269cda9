"""A scriptable fake OpenAI-compatible server (`POST /v1/chat/completions`) on uvicorn in a background thread.

Tests queue what it answers (text, tool calls, HTTP errors, slowness, a hold until released) and read back
what it was sent. It imports nothing from the project.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


@dataclass
class Step:
    """One scripted answer: a status and JSON body, optionally after a delay or a hold."""

    status: int = 200
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    hold: bool = False  # wait until FakeOpenAI.release() (or stop) before answering


@dataclass(frozen=True)
class RecordedRequest:
    path: str
    headers: dict[str, str]  # lower-case names
    json: dict[str, Any]

    @property
    def messages(self) -> list[dict[str, Any]]:
        return self.json.get("messages", [])

    @property
    def tool_names(self) -> list[str]:
        return [tool["function"]["name"] for tool in self.json.get("tools", []) if tool.get("type") == "function"]

    @property
    def retry_count(self) -> int:
        return int(self.headers.get("x-stainless-retry-count", "0"))


def text_step(text: str | None) -> Step:
    return Step(body=_completion({"role": "assistant", "content": text}, "stop"))


def tool_calls_step(*calls: tuple[str, dict[str, Any] | str], content: str | None = None) -> Step:
    """Tool calls as the model sends them; a str argument is sent as-is (to script malformed JSON)."""
    tool_calls = [
        {
            "id": f"call_{next(_ids)}",
            "type": "function",
            "function": {"name": name, "arguments": args if isinstance(args, str) else json.dumps(args)},
        }
        for name, args in calls
    ]
    return Step(body=_completion({"role": "assistant", "content": content, "tool_calls": tool_calls}, "tool_calls"))


def error_step(status: int, *, retry_after_ms: int | None = 1, message: str = "fake failure") -> Step:
    # A tiny Retry-After keeps the client's retries (and so the tests) fast.
    headers = {"retry-after-ms": str(retry_after_ms)} if retry_after_ms is not None else {}
    body = {"error": {"message": message, "type": "server_error" if status >= 500 else "fake_error", "code": None}}
    return Step(status=status, body=body, headers=headers)


_ids = itertools.count(1)


def _completion(message: dict[str, Any], finish_reason: str) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-fake-{next(_ids)}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": "fake-model",
        "choices": [{"index": 0, "message": message, "finish_reason": finish_reason, "logprobs": None}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


SCRIPTED_HANDOFF_REASON = "Cliente pediu uma pessoa."


def handoff_or_echo(request: dict[str, Any]) -> Step:
    """A tiny deterministic "model": hands off when the customer asks for a person, else echoes their last words."""
    last = next((m["content"] for m in reversed(request.get("messages", [])) if m.get("role") == "user"), "")
    if "pessoa" in str(last).lower():
        return tool_calls_step(("handoff_to_human", {"reason": SCRIPTED_HANDOFF_REASON, "summary": f"Pediu: {last}"}))
    return text_step(f"BIA responde: {last}")


def _unscripted(_request: dict[str, Any]) -> Step:
    step = error_step(500, retry_after_ms=None, message="fake OpenAI: no scripted response left")
    step.headers["x-should-retry"] = "false"
    return step


class FakeOpenAI:
    """`with FakeOpenAI() as fake:` serves on a free port; `fake.base_url` ends in /v1."""

    def __init__(self, default: Callable[[dict[str, Any]], Step] | None = None) -> None:
        # `default` answers when the queue is empty; without it such a request gets a non-retryable 500.
        self.default = default or _unscripted
        self._queue: deque[Step] = deque()
        self._requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._server: uvicorn.Server | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._release: asyncio.Event | None = None
        self._stopping: asyncio.Event | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    # scripting -----------------------------------------------------------------------------------
    def push(self, *steps: Step) -> FakeOpenAI:
        with self._lock:
            self._queue.extend(steps)
        return self

    def push_text(self, text: str | None) -> FakeOpenAI:
        return self.push(text_step(text))

    def push_tool_calls(self, *calls: tuple[str, dict[str, Any] | str], content: str | None = None) -> FakeOpenAI:
        return self.push(tool_calls_step(*calls, content=content))

    def push_error(self, status: int, count: int = 1, *, retry_after_ms: int | None = 1) -> FakeOpenAI:
        return self.push(*(error_step(status, retry_after_ms=retry_after_ms) for _ in range(count)))

    def push_slow(self, seconds: float, then: Step | None = None) -> FakeOpenAI:
        step = then or text_step("(resposta lenta)")
        return self.push(Step(status=step.status, body=step.body, headers=step.headers, delay=seconds))

    def push_hold(self, then: Step) -> FakeOpenAI:
        """Answer `then` only once `release()` is called: lets a test act while the "model is thinking".

        A release with nothing held lets the next held request through at once.
        """
        return self.push(Step(status=then.status, body=then.body, headers=then.headers, hold=True))

    def release(self) -> None:
        self._call_in_loop(lambda: self._release.set() if self._release else None)

    def reset(self) -> None:
        """Forget the script and the recorded requests (not `default`); answer any held or slow request now."""
        with self._lock:
            self._queue.clear()
            self._requests.clear()
        self._call_in_loop(self._wake_and_renew)

    # inspection ----------------------------------------------------------------------------------
    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._queue)

    # lifecycle -----------------------------------------------------------------------------------
    def start(self) -> FakeOpenAI:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        app = Starlette(routes=[Route("/v1/chat/completions", self._chat_completions, methods=["POST"])])
        config = uvicorn.Config(
            app, lifespan="off", log_level="warning", ws="none", access_log=False, timeout_graceful_shutdown=2
        )
        self._server = uvicorn.Server(config)
        started = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(sock, started), name="fake-openai", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the fake OpenAI server did not start")
            started.wait(0.01)
        return self

    def stop(self) -> None:
        if self._server is None or self._thread is None:
            return
        self._call_in_loop(self._wake_all)
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._server = None

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _run(self, sock: socket.socket, started: threading.Event) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._release = asyncio.Event()
            self._stopping = asyncio.Event()
            started.set()
            assert self._server is not None
            await self._server.serve(sockets=[sock])

        try:
            asyncio.run(main())
        finally:
            sock.close()

    def _call_in_loop(self, func: Callable[[], object]) -> None:
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(func)

    def _wake_and_renew(self) -> None:
        self._wake_all()
        self._release, self._stopping = asyncio.Event(), asyncio.Event()

    def _wake_all(self) -> None:
        for event in (self._release, self._stopping):
            if event is not None:
                event.set()

    # the endpoint --------------------------------------------------------------------------------
    async def _chat_completions(self, request: Request) -> JSONResponse:
        try:
            payload = await request.json()
        except json.JSONDecodeError:
            return JSONResponse({"error": {"message": "body is not JSON", "type": "invalid_request_error"}}, 400)
        recorded = RecordedRequest(path=request.url.path, headers=dict(request.headers), json=payload)
        with self._lock:
            self._requests.append(recorded)
            step = self._queue.popleft() if self._queue else None
        if step is None:
            step = self.default(payload)
        # Read the events now: reset() swaps in new ones but must still wake the old waiters.
        release, stopping = self._release, self._stopping
        if step.hold and release is not None:
            await release.wait()
            release.clear()
        if step.delay and stopping is not None:
            try:
                await asyncio.wait_for(stopping.wait(), timeout=step.delay)
            except TimeoutError:
                pass
        return JSONResponse(step.body or {}, status_code=step.status, headers=step.headers)
