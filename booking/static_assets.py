"""Static files browsers keep, and answers that travel compressed.

Every ``url_for('static', ...)`` carries a fingerprint of the file's content (``?v=…``): a request
with the current fingerprint may be cached for a year (``immutable``), and a changed file gets a
new URL, so nobody runs yesterday's script against today's page. A URL without it, or with an old
one, is revalidated each time. HTML, JSON, CSS, JavaScript and SVG are compressed (Flask-Compress:
Brotli or gzip, as the browser accepts) — on a school's slow uplink that is most of the wait.
Calendar feeds are left as they are: their validators and 304s are computed on the exact bytes.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask, request
from flask_compress import Compress

ONE_YEAR_SECONDS = 365 * 24 * 3600
COMPRESSED_TYPES = ["text/html", "application/json", "text/css", "text/javascript", "application/javascript",
                    "image/svg+xml"]


@lru_cache(maxsize=1024)
def _digest(path: str, mtime_ns: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def fingerprint(static_folder: str, filename: str) -> str | None:
    """A short hash of the file's content, or None for a file that is not there (or outside the folder)."""
    folder = Path(static_folder).resolve()
    path = (folder / filename).resolve()
    if folder not in path.parents or not path.is_file():
        return None
    return _digest(str(path), path.stat().st_mtime_ns)


def register(app: Flask) -> None:
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED_TYPES)
    app.config.setdefault("COMPRESS_MIN_SIZE", 1000)
    Compress(app)

    @app.url_defaults
    def _add_fingerprint(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "v" not in values and app.static_folder:
            version = fingerprint(app.static_folder, values.get("filename", ""))
            if version:
                values["v"] = version

    @app.after_request
    def _cache_fingerprinted(response):
        if request.endpoint == "static" and response.status_code == 200 and app.static_folder:
            current = fingerprint(app.static_folder, (request.view_args or {}).get("filename", ""))
            if current and request.args.get("v") == current:
                response.cache_control.public = True
                response.cache_control.max_age = ONE_YEAR_SECONDS
                response.cache_control.immutable = True
                response.cache_control.no_cache = None
        return response
