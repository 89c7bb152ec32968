"""What the SSO tests share: settings from SSO_* variables, and reading back accounts, links and audit rows."""
from __future__ import annotations

from sqlalchemy import func, select

from booking.accounts.models import User
from booking.audit.models import AuditEntry
from booking.extensions import db
from booking.sso import settings
from booking.sso.models import ExternalIdentity

SITE = "http://127.0.0.1:5000"


def configure(app, **env) -> settings.SsoSettings:
    """Turn on the providers these SSO_* variables describe, as the environment would."""
    app.config["SSO"] = settings.from_environment(env, SITE)
    return app.config["SSO"]


def user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def links(provider: str) -> list[ExternalIdentity]:
    return list(db.session.scalars(select(ExternalIdentity).where(ExternalIdentity.provider == provider)))


def audit(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def signed_in_user(client) -> int | None:
    """Who the client's session cookie signs in (the id part of Flask-Login's user id)."""
    with client.session_transaction() as session:
        value = session.get("_user_id")
    return int(value.split(":")[0]) if value else None
