"""The thread that owns the SQLite connection: calls queue up to it and come back as asyncio futures.

With `flush_log`, commits do not wait for the disk: the connection runs with synchronous=NORMAL, and a second
thread flushes the write-ahead log (fdatasync) before any call of a pass hears its result. The next pass's
statements run while the previous one is being flushed, and one flush covers every pass committed before it.
Nothing is acknowledged before it is on disk, as with synchronous=FULL; SQLite keeps the database consistent
under NORMAL in WAL mode, and syncs the log itself before each checkpoint.

Batched calls of the same kind waiting at the same time are handed to one function in one transaction, so they
share its statements and its fsync (group commit); every other call is a transaction of its own. The results of
what the thread did in one pass go back to the event loop in one hand-off, not one per call.
"""

from __future__ import annotations

import asyncio
import os
import queue
import sqlite3
import threading
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

T = TypeVar("T")
I = TypeVar("I")  # noqa: E741 - an item of a batch
R = TypeVar("R")

Work = Callable[[sqlite3.Connection], Any]

# What one item of a batch can cause alone, as opposed to the state of the database (locked, full, read-only),
# which every item of the batch would meet again: a value SQLite cannot bind (ProgrammingError for a type it does
# not know, OverflowError past 64 bits, a ValueError for text it cannot encode) or a constraint it breaks.
ITEM_ERRORS = (
    sqlite3.IntegrityError,
    sqlite3.DataError,
    sqlite3.InterfaceError,
    sqlite3.ProgrammingError,
    OverflowError,
    ValueError,
    TypeError,
)


class Batch(Generic[I, R]):
    """A kind of batched call: `run(db, items)` returns one result per item, or an exception for that item alone.
    When `run` itself raises, nothing of the batch is kept and every item gets the error."""

    def __init__(self, run: Callable[[sqlite3.Connection, list[I]], Sequence[R | Exception]]) -> None:
        self.run = run


class _Call:
    __slots__ = ("fn", "batch", "item", "needs_db", "loop", "future", "result", "error")

    def __init__(
        self, fn: Work | None, batch: Batch[Any, Any] | None, item: Any, needs_db: bool, loop: asyncio.AbstractEventLoop
    ) -> None:
        self.fn = fn
        self.batch = batch
        self.item = item
        self.needs_db = needs_db
        self.loop = loop
        self.future: asyncio.Future[Any] = loop.create_future()
        self.result: Any = None
        self.error: BaseException | None = None


class ConnectionThread:
    """Runs calls on one connection, in order, on one thread; opening and closing happen there too."""

    def __init__(self, name: str, *, flush_log: bool = False) -> None:
        self.name = name
        self._queue: queue.SimpleQueue[list[_Call] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._flusher = _WalFlusher() if flush_log else None
        self._db: sqlite3.Connection | None = None  # touched only by the thread
        # Calls made in one turn of the event loop go to the thread together: one wake-up, not one per call.
        self._outbox: list[_Call] = []
        # The loop that opened the connection: looking it up again costs a getpid() system call per call.
        self._loop: asyncio.AbstractEventLoop | None = None

    async def open(self, connect: Callable[[], sqlite3.Connection]) -> None:
        """Start the thread (once) and open the connection on it; raises what `connect` raises."""
        self._loop = asyncio.get_running_loop()
        if self._thread is None:
            if self._flusher is not None:
                self._flusher.start(f"{self.name}-flush")
            self._thread = threading.Thread(target=self._serve, name=self.name, daemon=True)
            self._thread.start()

        def attach(_: sqlite3.Connection | None) -> None:
            if self._db is None:
                self._db = connect()
                if self._flusher is not None:
                    # SQLite's own name for the file (symlinks resolved, absolute): the log is that name + "-wal".
                    filename = self._db.execute("PRAGMA database_list").fetchone()[2]
                    self._flusher.wal_path = f"{filename}-wal" if filename else None
                    self._flusher.closed = False

        await self._submit(_Call(attach, None, None, False, asyncio.get_running_loop()))

    async def close(self, release: Callable[[], None]) -> None:
        """Close the connection after every call queued before, run `release` on the thread, stop the thread."""
        if self._thread is None:
            release()
            return

        def detach(_: sqlite3.Connection | None) -> None:
            try:
                if self._db is not None:
                    if self._flusher is not None:
                        self._flusher.closed = True
                    self._db.close()
                    self._db = None
            finally:
                release()

        try:
            await self._submit(_Call(detach, None, None, False, asyncio.get_running_loop()))
        finally:
            thread, self._thread = self._thread, None
            self._queue.put(None)
            flusher = self._flusher

            def join() -> None:
                if thread is not None:
                    thread.join(timeout=5)
                if flusher is not None:
                    flusher.stop()

            # Both threads end at once after the last pass; should one be stuck in the disk, the wait for it (5 s
            # at most) happens off the event loop, which goes on serving meanwhile, and a cancelled close still
            # stops both and closes the log's descriptor.
            await asyncio.shield(asyncio.to_thread(join))

    async def call(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """`fn` in a transaction of its own: committed when it returns, rolled back when it raises."""
        return await self._submit(_Call(fn, None, None, True, self._loop or asyncio.get_running_loop()))  # type: ignore[no-any-return]

    async def call_batched(self, batch: Batch[I, R], item: I) -> R:
        """`item`'s result from `batch.run`, which gets every item of this kind queued at the same time, in one
        transaction. No caller gets its result before the commit that stores it."""
        return await self._submit(_Call(None, batch, item, True, self._loop or asyncio.get_running_loop()))  # type: ignore[no-any-return]

    async def _submit(self, call: _Call) -> Any:
        if self._thread is None or (call.needs_db and self._db is None):
            raise sqlite3.ProgrammingError("the SQLite store is not started")
        if not self._outbox:
            call.loop.call_soon(self._send_outbox)
        self._outbox.append(call)
        return await call.future

    def _send_outbox(self) -> None:
        calls, self._outbox = self._outbox, []
        self._queue.put(calls)

    # -- on the thread ------------------------------------------------------------------------------------

    def _serve(self) -> None:
        while True:
            batches, stop = _take_all(self._queue)
            calls = [call for batch in batches for call in batch]
            db = self._db
            changes = db.total_changes if db is not None else 0
            try:
                self._execute(calls)
            except Exception as exc:  # a fault of this module, not of a call: fail the pass rather than hang it
                for call in calls:
                    if call.error is None:
                        call.error, call.result = exc, None
            if self._flusher is None:
                _settle_all(calls)
            else:
                # A pass that closed the connection may have written before it: flush to be sure.
                wrote = db is not None and (self._db is None or self._db.total_changes != changes)
                self._flusher.submit(calls, wrote)
            if stop:
                return

    def _execute(self, calls: list[_Call]) -> None:
        """In queue order; a run of batched calls of one kind becomes one transaction."""
        start = 0
        while start < len(calls):
            call = calls[start]
            if call.batch is None:
                self._run_alone(call)
                start += 1
                continue
            end = start + 1
            while end < len(calls) and calls[end].batch is call.batch:
                end += 1
            self._run_batch(call.batch, calls[start:end])
            start = end

    def _run_alone(self, call: _Call) -> None:
        db = self._db
        assert call.fn is not None
        try:
            if not call.needs_db:  # opening or closing
                call.result = call.fn(db)
            elif db is None:
                raise sqlite3.ProgrammingError("the SQLite store is not started")
            else:
                with db:  # commit on success, rollback on error
                    call.result = call.fn(db)
        except Exception as exc:  # handed to the awaiting caller, as a thread pool would
            call.error = exc

    def _run_batch(self, batch: Batch[Any, Any], calls: list[_Call]) -> None:
        """The calls in one transaction; when it fails, each call again in a transaction of its own, so that
        one item the database refuses fails alone and the others of its pass are still stored."""
        if self._run_together(batch, calls) or len(calls) == 1:
            return
        if not isinstance(calls[0].error, ITEM_ERRORS):
            return  # a locked, full or failing database: trying each call again would only wait longer
        for call in calls:
            call.error = None
            self._run_together(batch, [call])

    def _run_together(self, batch: Batch[Any, Any], calls: list[_Call]) -> bool:
        db = self._db
        try:
            if db is None:
                raise sqlite3.ProgrammingError("the SQLite store is not started")
            with db:  # commit on success, rollback on error
                results = batch.run(db, [call.item for call in calls])
                if len(results) != len(calls):
                    raise RuntimeError("a batch returned the wrong number of results")
        except Exception as exc:  # rolled back as a whole: every caller hears why (unless tried again alone)
            for call in calls:
                call.error = exc
            return False
        for call, result in zip(calls, results, strict=True):
            if isinstance(result, Exception):
                call.error = result
            else:
                call.result = result
        return True


_sync_data = getattr(os, "fdatasync", os.fsync)  # macOS has no fdatasync


class _WalFlusher:
    """The thread that makes committed passes durable (fdatasync of the write-ahead log), then answers them.

    A flush that fails leaves the store failed: everything after it is reported as not stored (and /health
    says so), since data the disk refused once may not be on it whatever a later flush says."""

    def __init__(self) -> None:
        self.wal_path: str | None = None  # set once the connection is open: SQLite's own name for its log
        self.closed = False  # the connection was closed: its log was checkpointed into the database
        self.failure: BaseException | None = None
        self._queue: queue.SimpleQueue[tuple[list[_Call], bool] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._fd: int | None = None

    def start(self, name: str) -> None:
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        thread, self._thread = self._thread, None
        self._queue.put(None)
        if thread is not None:
            thread.join(timeout=5)
            if thread.is_alive():
                return  # stuck in a flush: leave its descriptor alone
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def submit(self, calls: list[_Call], wrote: bool) -> None:
        self._queue.put((calls, wrote))

    def _serve(self) -> None:
        while True:
            passes, stop = _take_all(self._queue)
            if self.failure is None and any(wrote for _, wrote in passes):
                try:
                    self._flush()
                except Exception as exc:  # handed to every waiting caller: none may hear "stored"
                    self.failure = exc
            for calls, _ in passes:
                if self.failure is not None:
                    for call in calls:
                        if call.needs_db and call.error is None:
                            call.error, call.result = self.failure, None
                _settle_all(calls)
            if stop:
                return

    def _flush(self) -> None:
        if self.wal_path is None:
            return  # an in-memory database: nothing to make durable
        try:
            current = os.stat(self.wal_path).st_ino
            # The log keeps its file while the connection is open; should it ever be replaced, follow it.
            if self._fd is not None and os.fstat(self._fd).st_ino != current:
                os.close(self._fd)
                self._fd = None
            if self._fd is None:
                self._fd = os.open(self.wal_path, os.O_RDONLY | os.O_CLOEXEC)
                _sync_directory(os.path.dirname(self.wal_path))  # a new log's name must survive a power cut too
            _sync_data(self._fd)
        except FileNotFoundError:
            if not self.closed:
                raise
            # Closing the connection checkpointed the log into the database, synced it and removed the log.


def _sync_directory(path: str) -> None:
    fd = os.open(path or ".", os.O_RDONLY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _take_all(source: queue.SimpleQueue[T | None]) -> tuple[list[T], bool]:
    """Wait for one item, then take every other one already queued; True when the stop marker (None) came."""
    items: list[T] = []
    item = source.get()
    while item is not None:
        items.append(item)
        try:
            item = source.get_nowait()
        except queue.Empty:
            return items, False
    return items, True


def _settle_all(calls: list[_Call]) -> None:
    by_loop: dict[asyncio.AbstractEventLoop, list[_Call]] = {}
    for call in calls:
        by_loop.setdefault(call.loop, []).append(call)
    for loop, settled in by_loop.items():
        try:
            loop.call_soon_threadsafe(_settle, settled)
        except RuntimeError:  # the loop is closed: nobody is waiting any more
            pass


def _settle(calls: list[_Call]) -> None:
    for call in calls:
        if call.future.done():  # cancelled while waiting; the work was done (or failed) all the same
            continue
        if call.error is not None:
            call.future.set_exception(call.error)
        else:
            call.future.set_result(call.result)
