"""Accounts: creating users, signing in with a rate limit, API tokens. Each function commits."""
from __future__ import annotations

import hashlib
import os
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import selectinload

from booking.accounts.models import ApiToken, LoginAttempt, Role, User
from booking.accounts.passwords import DUMMY_HASH, MIN_PASSWORD_LENGTH, hash_password, verify_password
from booking.audit.services import record
from booking.clock import utcnow
from booking.extensions import db
from booking.schools.models import School
from booking.schools.rules import parse_whole_number
from booking.texts import lazy_gettext as _l
from booking.validation import MAX_INT, ValidationFailed

TOKEN_PREFIX = "dst_"


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


@dataclass
class UserInput:
    email: str
    display_name: str
    role: str
    school_code: str | None = None
    password: str | None = None
    locale: str = "zh_CN"


def check_user_input(data: UserInput, *, existing: User | None = None) -> tuple[dict, School | None]:
    """Field errors for a user about to be created or changed, and the school it names."""
    errors: dict[str, str] = {}
    email = normalise_email(data.email)
    if "@" not in email or len(email) > 255:
        errors["email"] = _l("Enter a valid email address.")
    else:
        other = find_user_by_email(email)
        if other is not None and other is not existing:
            errors["email"] = _l("A user with this email already exists.")
    if not (data.display_name or "").strip():
        errors["display_name"] = _l("Enter a name.")
    if data.role not in {r.value for r in Role}:
        errors["role"] = _l("Choose teacher, school_admin or coordinator.")
    school = None
    if data.school_code:
        school = db.session.scalar(select(School).where(School.code == data.school_code.strip()))
        if school is None:
            errors["school"] = _l("Unknown school code: %(code)s.", code=data.school_code)
    elif data.role in (Role.TEACHER, Role.SCHOOL_ADMIN):
        errors["school"] = _l("Teachers and school admins belong to a school.")
    # A new user needs a password; an edit may leave it blank to keep the old one.
    if (existing is None or data.password) and len(data.password or "") < MIN_PASSWORD_LENGTH:
        errors["password"] = _l("The password needs at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)
    if data.locale not in ("zh_CN", "en"):
        errors["locale"] = _l("Choose zh_CN or en.")
    return errors, school


def build_user(data: UserInput, school: School | None, password_hash: str | None = None) -> User:
    """A new user from checked ``data``; a bulk import passes hashes it computed in parallel."""
    return User(
        email=normalise_email(data.email),
        display_name=data.display_name.strip(),
        role=Role(data.role),
        school_id=school.id if school else None,
        locale=data.locale,
        password_hash=password_hash or hash_password(data.password),
    )


# Initial passwords people type from a printed list: no 0/O, 1/l/I look-alikes.
INITIAL_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
INITIAL_PASSWORD_LENGTH = 10
# scrypt releases the GIL, so threads hash in parallel; each hash holds 32 MB while it runs.
HASH_WORKERS = min(8, 2 * (os.cpu_count() or 1))


def new_initial_password() -> str:
    return "".join(secrets.choice(INITIAL_PASSWORD_ALPHABET) for _ in range(INITIAL_PASSWORD_LENGTH))


def hash_passwords(passwords: list[str]) -> list[str]:
    """Hashes for many passwords at once (a CSV import of hundreds of teachers), in input order."""
    with ThreadPoolExecutor(max_workers=HASH_WORKERS) as pool:
        return list(pool.map(hash_password, passwords))


def create_user(data: UserInput, actor: User | None = None) -> User:
    errors, school = check_user_input(data)
    if errors:
        raise ValidationFailed(errors)
    user = build_user(data, school)
    db.session.add(user)
    record(actor, "user.create", user, {"email": user.email, "role": user.role.value})
    db.session.commit()
    return user


def update_user(user: User, data: UserInput, active: bool, actor: User | None) -> User:
    errors, school = check_user_input(data, existing=user)
    if errors:
        raise ValidationFailed(errors)
    user.email = normalise_email(data.email)
    user.display_name = data.display_name.strip()
    user.role = Role(data.role)
    user.school_id = school.id if school else None
    user.locale = data.locale
    user.active = active
    if data.password:
        user.password_hash = hash_password(data.password)
    record(actor, "user.update", user, {"email": user.email, "role": user.role.value, "active": active})
    db.session.commit()
    return user


def self_change_errors(user: User, data: UserInput, active: bool, actor: User | None) -> dict:
    """A coordinator may not lock themself out: no deactivating or demoting their own account."""
    if actor is None or user.id != actor.id:
        return {}
    errors = {}
    if not active:
        errors["active"] = _l("You cannot deactivate your own account.")
    if user.role == Role.COORDINATOR and data.role != Role.COORDINATOR:
        errors["role"] = _l("You cannot take away your own coordinator role.")
    return errors


def update_user_by_admin(user: User, data: UserInput, active: bool, actor: User) -> User:
    """``update_user`` for the administration page, which also guards the coordinator's own account."""
    errors = self_change_errors(user, data, active, actor)
    if errors:
        field_errors, _school = check_user_input(data, existing=user)
        raise ValidationFailed({**field_errors, **errors})
    return update_user(user, data, active, actor)


@dataclass
class UserFilter:
    q: str | None = None
    school_id: int | None = None
    role: str | None = None

    @classmethod
    def from_args(cls, args) -> "UserFilter":
        """Read filters from query arguments, ignoring values that name nothing."""
        school, role = args.get("school") or "", args.get("role") or None
        return cls(q=(args.get("q") or "").strip() or None,
                   school_id=parse_whole_number(school, MAX_INT) if school else None,
                   role=role if role in {r.value for r in Role} else None)


def users_query(filters: UserFilter):
    """Users matching ``filters`` (name or email containing ``q``), by name; for a paginated list."""
    query = select(User).options(selectinload(User.school)).order_by(User.display_name, User.email)
    if filters.q:
        needle = filters.q.lower()
        query = query.where(or_(func.lower(User.display_name).contains(needle, autoescape=True),
                                User.email.contains(needle, autoescape=True)))
    if filters.school_id:
        query = query.where(User.school_id == filters.school_id)
    if filters.role:
        query = query.where(User.role == filters.role)
    return query


class TooManyAttempts(Exception):
    pass


def _recent_failures(email: str, remote_addr: str, window: timedelta) -> tuple[int, int]:
    since = utcnow() - window
    by_email = db.session.scalar(
        select(func.count()).select_from(LoginAttempt).where(LoginAttempt.email == email, LoginAttempt.at >= since)
    )
    by_addr = db.session.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.remote_addr == remote_addr, LoginAttempt.at >= since)
    )
    return by_email, by_addr


def authenticate(email: str, password: str, remote_addr: str, max_failures: int, window_minutes: int) -> User | None:
    """The user if the password is right; None if not. Raises TooManyAttempts when rate-limited.

    The limit counts failures per email and (more loosely) per address in a sliding window,
    stored in the database so it holds across every worker process.
    """
    email = normalise_email(email)
    window = timedelta(minutes=window_minutes)
    by_email, by_addr = _recent_failures(email, remote_addr, window)
    if by_email >= max_failures or by_addr >= max_failures * 4:
        raise TooManyAttempts()
    user = find_user_by_email(email)
    ok = verify_password(user.password_hash if user else DUMMY_HASH, password) and user is not None
    if not ok or not user.active:
        db.session.add(LoginAttempt(email=email, remote_addr=remote_addr))
        db.session.commit()
        return None
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.email == email))
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(user: User, name: str = "") -> tuple[ApiToken, str]:
    """A new API token; the raw value is returned once and only its hash is kept."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name.strip()[:100], token_hash=hash_token(raw), prefix=raw[:10])
    db.session.add(token)
    record(user, "token.issue", token, {"name": token.name})
    db.session.commit()
    return token, raw


def user_for_token(raw: str) -> User | None:
    token = db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == hash_token(raw), ApiToken.revoked_at.is_(None))
    )
    if token is None or not token.user.active:
        return None
    token.last_used_at = utcnow()
    db.session.commit()
    return token.user


def revoke_token(user: User, token_id: int) -> bool:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id or token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    record(user, "token.revoke", token)
    db.session.commit()
    return True


def tokens_of(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc()))
    )
