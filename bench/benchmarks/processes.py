"""Processes the HTTP and job benchmarks start: a free port, gunicorn, memory read from /proc."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench.database import Urls

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_environment(urls: Urls, redis: bool = False) -> dict:
    """The environment of an app process on the benchmark database (as the app role)."""
    env = dict(os.environ)
    for name in ("DATABASE_URL", "DATABASE_OWNER_URL", "REDIS_URL"):
        env.pop(name, None)
    env.update({"DATABASE_URL": urls.app_psycopg, "DATABASE_OWNER_URL": urls.owner_psycopg,
                "SECRET_KEY": "bench-secret-key", "LOGIN_RATE_LIMIT": "1000 per minute",
                "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))})
    if redis and urls.redis:
        env["REDIS_URL"] = urls.redis
    return env


class Gunicorn:
    """gunicorn serving wsgi:app on a free loopback port, stopped on exit."""

    def __init__(self, urls: Urls, workers: int, env: dict | None = None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{self.port}",
             "--log-level", "warning", "wsgi:app"],
            cwd=REPO, env={**app_environment(urls), **(env or {})}, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE)

    def __enter__(self) -> "Gunicorn":
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn exited: " + self.process.stderr.read().decode()[-2000:])
            try:
                urllib.request.urlopen(self.base + "/login", timeout=2).read()
                return self
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def __exit__(self, *exc) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def workers(self) -> list[int]:
        """Pids of the worker processes (the master's children)."""
        return children(self.process.pid)


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS (now) and VmHWM (peak) of a process, in KiB (Linux)."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values
