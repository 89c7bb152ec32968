"""Local receivers for the notification tests (no tests in here): a group-robot webhook receiver and
an SMTP receiver, both on 127.0.0.1 at a port the system picks, started and stopped by the test."""
from __future__ import annotations

import json
import socketserver
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Received:
    path: str
    query: dict
    body: dict


@dataclass
class RobotReceiver:
    """Answers like WeCom/DingTalk/Feishu: ``{"errcode": 0}``; the first ``failures`` requests get a 500."""

    failures: int = 0
    accepted: list[Received] = field(default_factory=list)
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def bodies(self, path_start: str) -> list[dict]:
        return [item.body for item in self.accepted if item.path.startswith(path_start)]


def _handler(receiver: RobotReceiver):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (the http.server name)
            data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            parts = urlsplit(self.path)
            with receiver.lock:
                fail = receiver.refused < receiver.failures
                if fail:
                    receiver.refused += 1
                else:
                    receiver.accepted.append(Received(parts.path, parse_qs(parts.query), json.loads(data)))
            answer = b'{"errcode": 500, "errmsg": "busy"}' if fail else b'{"errcode": 0, "errmsg": "ok"}'
            self.send_response(500 if fail else 200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    return Handler


@contextmanager
def robot_receiver(failures: int = 0, listening: bool = True):
    """A receiver on 127.0.0.1:<free port>. ``listening=False``: the port is bound but refuses connections
    until ``start(receiver)`` is called (a robot that is down)."""
    receiver = RobotReceiver(failures=failures)
    receiver.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver), bind_and_activate=False)
    receiver.server.daemon_threads = True
    receiver.server.server_bind()
    if listening:
        start(receiver)
    try:
        yield receiver
    finally:
        if getattr(receiver, "_thread", None) is not None:
            receiver.server.shutdown()
        receiver.server.server_close()


def start(receiver: RobotReceiver):
    receiver.server.server_activate()
    thread = threading.Thread(target=receiver.server.serve_forever, daemon=True)
    thread.start()
    receiver._thread = thread
    return thread


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib: EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT."""

    def _say(self, line: str) -> None:
        self.wfile.write((line + "\r\n").encode())

    def handle(self):
        self._say("220 test SMTP ready")
        recipients = []
        while True:
            line = self.rfile.readline().decode("utf-8", "replace").rstrip("\r\n")
            if not line:
                return
            verb = line[:4].upper()
            if verb in ("EHLO", "HELO"):
                self._say("250 test")
            elif verb == "MAIL":
                recipients = []
                self._say("250 OK")
            elif verb == "RCPT":
                recipients.append(line.partition(":")[2].strip(" <>"))
                self._say("250 OK")
            elif verb == "DATA":
                self._say("354 go ahead")
                data = []
                while True:
                    chunk = self.rfile.readline()
                    if chunk in (b".\r\n", b".\n", b""):
                        break
                    data.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                with self.server.lock:
                    self.server.messages.append((recipients, b"".join(data)))
                self._say("250 OK queued")
            elif verb == "QUIT":
                self._say("221 bye")
                return
            else:
                self._say("250 OK")


@contextmanager
def smtp_receiver():
    """An SMTP server on 127.0.0.1:<free port>; ``server.messages`` holds (recipients, bytes) it accepted."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SmtpHandler)
    server.daemon_threads = True
    server.messages, server.lock = [], threading.Lock()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
