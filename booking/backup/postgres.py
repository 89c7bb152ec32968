"""PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore``, with the configured URL.

The password never appears on a command line (other users see those in ``ps``): the tools get the URL
without it and the password in ``PGPASSWORD``; without one in the URL libpq's own ways apply
(``~/.pgpass``, ``PGPASSWORD`` already set). A restore drops owners and grants, so any role may restore.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from booking.backup.target import BackupError


def libpq(url: str) -> tuple[str, dict[str, str]]:
    """The SQLAlchemy URL as a libpq URL without the password, and the environment that carries it."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    plain = URL.create("postgresql", username=parsed.username, host=parsed.host, port=parsed.port,
                       database=parsed.database, query=parsed.query)
    return plain.render_as_string(hide_password=False), env


def _run(tool: str, arguments: list[str], url: str) -> None:
    program = shutil.which(tool)
    if program is None:
        raise BackupError(f"{tool} is not installed (Debian/Ubuntu: apt install postgresql-client).")
    target, env = libpq(url)
    done = subprocess.run([program, *arguments, f"--dbname={target}"], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{tool} failed: {done.stderr.strip()}")


def create(url: str, path: Path) -> None:
    _run("pg_dump", ["--format=custom", f"--file={path}"], url)


def restore(path: Path, url: str) -> None:
    if not path.is_file():
        raise BackupError(f"There is no backup at {path}.")
    _run("pg_restore", ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", str(path)], url)
