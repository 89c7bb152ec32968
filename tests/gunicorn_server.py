"""Serve the real app under gunicorn (several worker processes) for tests that need true concurrency.

    with gunicorn_server(database_url, workers=8) as base_url:
        ...  # POST to f"{base_url}/api/v1/bookings"

The app is built from the environment as in production, once (``--preload``: the workers
fork from it with no database connection open, so each opens its own). The
server's clock is the real one (tests cannot freeze another process's clock), so data
for these tests lies in the real future.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(base_url: str, process: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}: {process.stderr.read().decode()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{base_url}/api/v1/openapi.json", timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not answer in time")


@contextmanager
def gunicorn_server(database_url: str, workers: int = 8):
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "race-test", "PYTHONPATH": str(PROJECT_ROOT)}
    process = subprocess.Popen(
        [str(GUNICORN), "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--backlog", "512",
         "--preload", "--graceful-timeout", "2",
         "--log-level", "warning", "wsgi:app"],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base_url, process)
        yield base_url
    finally:
        process.send_signal(signal.SIGINT)  # quick shutdown: nothing is in flight any more
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stderr.close()


def post_json(url: str, body: dict, token: str) -> tuple[int, dict]:
    """POST ``body``; the status and the JSON answer (also for 4xx/5xx)."""
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        payload = error.read()
        try:
            return error.code, json.loads(payload)
        except ValueError:
            return error.code, {"raw": payload.decode(errors="replace")}


def fire_together(calls: list) -> list:
    """Run every zero-argument callable in its own thread, released at the same instant."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index: int, call) -> None:
        barrier.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
