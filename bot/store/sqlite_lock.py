"""SQLite's one-process lock: an exclusive flock on the database file itself, held while the store is open."""

from __future__ import annotations

import fcntl
import os
from dataclasses import dataclass

from bot.store.base import StoreLockedError

SQLITE_ADVICE = (
    "a SQLite database serves one bot process: stop the other one, or use PostgreSQL"
    " (BOT_DATABASE_URL=postgresql://...), where any number of bot processes share one database"
)
# (device, inode) of the database files this process's stores hold.
_HELD_FILES: set[tuple[int, int]] = set()


@dataclass
class FileLock:
    """The lock belongs to the file (device and inode), so a symlink, a hard link or a symlinked folder finds it
    taken. The kernel drops it when the process dies, so a crashed bot never blocks the next one. flock and
    SQLite's own fcntl locks do not meet."""

    fd: int
    identity: tuple[int, int]

    @classmethod
    def take(cls, path: str) -> FileLock:
        """Raises StoreLockedError when another store (in any process) holds the file."""
        try:
            known = os.stat(path)
        except FileNotFoundError:
            known = None
        # Closing any descriptor of a file drops the fcntl locks this process's SQLite connections hold on it, so
        # a second store of the same file in this process is refused before a descriptor is opened.
        if known is not None and (known.st_dev, known.st_ino) in _HELD_FILES:
            raise StoreLockedError(path, SQLITE_ADVICE)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise StoreLockedError(path, SQLITE_ADVICE) from None
        status = os.fstat(fd)
        lock = cls(fd, (status.st_dev, status.st_ino))
        _HELD_FILES.add(lock.identity)
        return lock

    def release(self) -> None:
        """After the database's connection is closed (closing this descriptor drops its fcntl locks)."""
        os.close(self.fd)
        _HELD_FILES.discard(self.identity)
