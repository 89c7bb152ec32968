"""Handing a message over: to an SMTP server (MAIL_* settings), or as an .eml file.

With no MAIL_SERVER (the embedded default) every message is written to
``<instance>/outbox/<key>.eml``. The key is the outbox row's, so handing the same message over
again rewrites the same file (atomically, via a temporary file): never a second file.
A sender raises ``SendFailed`` for anything that should be tried again later.
"""
from __future__ import annotations

import os
import smtplib
import ssl
import tempfile
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

SMTP_TIMEOUT_SECONDS = 30
IMPLICIT_TLS_PORT = 465


class SendFailed(Exception):
    """The message was not handed over; try again later."""


class Sender(Protocol):
    description: str

    def send(self, message: EmailMessage, key: str) -> None: ...


class MailSettingsError(ValueError):
    """MAIL_* settings that cannot work; the message names the setting."""


@dataclass(frozen=True)
class SmtpSender:
    server: str
    port: int
    username: str
    password: str
    use_tls: bool

    @property
    def description(self) -> str:
        return f"SMTP {self.server}:{self.port}"

    def _connect(self) -> smtplib.SMTP:
        if self.port == IMPLICIT_TLS_PORT:  # SMTPS, as many Chinese providers (QQ, 163) offer it
            return smtplib.SMTP_SSL(self.server, self.port, timeout=SMTP_TIMEOUT_SECONDS,
                                    context=ssl.create_default_context())
        smtp = smtplib.SMTP(self.server, self.port, timeout=SMTP_TIMEOUT_SECONDS)
        if self.use_tls:
            smtp.starttls(context=ssl.create_default_context())
        return smtp

    def send(self, message: EmailMessage, key: str) -> None:
        smtp = None
        try:
            smtp = self._connect()
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(message)
        except (smtplib.SMTPException, OSError) as error:
            raise SendFailed(f"{type(error).__name__}: {error}") from error
        finally:
            if smtp is not None:
                _close_quietly(smtp)


def _close_quietly(smtp: smtplib.SMTP) -> None:
    """QUIT, ignoring its errors: once the server accepted the message, a failed goodbye must not
    make it look unsent (that would send it twice)."""
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


@dataclass(frozen=True)
class EmlDirectorySender:
    directory: Path

    @property
    def description(self) -> str:
        return f".eml files in {self.directory}"

    def path_for(self, key: str) -> Path:
        return self.directory / f"{key}.eml"

    def send(self, message: EmailMessage, key: str) -> None:
        temporary = None
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".", suffix=".tmp")
            with os.fdopen(handle, "wb") as file:
                file.write(message.as_bytes())
            os.replace(temporary, self.path_for(key))
        except OSError as error:
            if temporary and os.path.exists(temporary):
                os.unlink(temporary)
            raise SendFailed(f"{type(error).__name__}: {error}") from error


def sender_from_config(config: dict, instance_path: str) -> Sender:
    """SMTP when MAIL_SERVER is set, else .eml files under the instance folder."""
    if not config.get("MAIL_SERVER"):
        return EmlDirectorySender(Path(instance_path) / "outbox")
    port = str(config.get("MAIL_PORT") or "587").strip()
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise MailSettingsError(f"MAIL_PORT must be a port number (for example 587 or 465), not {port!r}")
    if not config.get("MAIL_FROM"):
        raise MailSettingsError("MAIL_FROM must name the sender address when MAIL_SERVER is set")
    return SmtpSender(config["MAIL_SERVER"], int(port), config.get("MAIL_USERNAME", ""),
                      config.get("MAIL_PASSWORD", ""), bool(config.get("MAIL_USE_TLS")))
