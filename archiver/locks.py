"""Advisory file locks that say "a live process owns this": the kernel drops them when the
process dies, even by kill -9, so a crash leaves nothing to clean up by hand."""
from __future__ import annotations

import fcntl
import os
from pathlib import Path


def try_lock(path: Path) -> int | None:
    """An exclusive lock on `path` (created if needed): its file descriptor, or None when another
    live process holds it."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    return fd


def release(fd: int | None, path: Path) -> None:
    if fd is None:
        return
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    fcntl.flock(fd, fcntl.LOCK_UN)
    os.close(fd)


def held_by_other(path: Path) -> bool:
    """Whether a live process holds the lock on `path` (False when there is no such file)."""
    if not path.exists():
        return False
    fd = try_lock(path)
    if fd is None:
        return True
    fcntl.flock(fd, fcntl.LOCK_UN)
    os.close(fd)
    return False
