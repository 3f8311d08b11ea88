"""Real servers for the scale-out tests (Redis, PostgreSQL, an S3 store), started on loopback by
the tests themselves and stopped by PID. A test that needs one is skipped, with the reason, only
when the server's binary is not installed (`.ci/run` installs them)."""
from __future__ import annotations

import socket
import subprocess
import time
from contextlib import closing
from pathlib import Path


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check, what: str, timeout: float = 30.0, process: subprocess.Popen | None = None,
               log: Path | None = None) -> None:
    """Poll check() until it is true; fail with the server's log if it never is or the server died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            break
        try:
            if check():
                return
        except Exception:  # noqa: BLE001 - not up yet
            pass
        time.sleep(0.05)
    tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
    raise RuntimeError(f"{what} did not start" + (f"; its log ends:\n{tail}" if tail else ""))


def stop(process: subprocess.Popen, timeout: float = 10.0) -> None:
    """SIGTERM, then SIGKILL if it will not go: by PID, never by name."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
