"""Accounts: creating users, signing in with a rate limit, API tokens. Each function flushes; the caller commits."""
from __future__ import annotations

import hashlib
import os
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import joinedload, selectinload

from booking.accounts import login_limits
from booking.accounts.checks import (  # noqa: F401  (the accounts' checks, as their callers name them here)
    UserInput, check_user_input, clean_staff_number, find_user_by_email, normalise_email, school_areas,
)
from booking.accounts.login_limits import Limits
from booking.accounts.models import ApiToken, Role, User
from booking.accounts.passwords import (
    DUMMY_HASH, MIN_PASSWORD_LENGTH, hash_initial_password, hash_password, verify_password,
)
from booking.audit.services import record
from booking.validation import NotAllowed
from booking.clock import utcnow
from booking.extensions import db
from booking.permissions import (
    can_change_user, can_hold_account, managed_users_clause, would_remove_last_district_coordinator,
)
from booking.schools.models import School
from booking.parsing import parse_whole_number
from booking.texts import lazy_gettext as _l
from booking.validation import MAX_ID, ValidationFailed

TOKEN_PREFIX = "dst_"


def scope_errors(actor: User | None, data: UserInput, school: School | None, active: bool,
                 existing: User | None = None) -> dict:
    """What ``actor`` may not do to this account (``booking.permissions``); the command line (no actor) may all."""
    if actor is None or data.role not in {r.value for r in Role}:  # a bad role is check_user_input's error
        return {}
    area = (data.area or "").strip()
    errors = {}
    if not can_hold_account(actor, data.role, school.id if school else None, area, data.coordinator_district_id):
        field = "school"
        if data.role == Role.COORDINATOR:
            field = "district" if data.coordinator_district_id != getattr(actor, "district_id", None) else "area"
        errors[field] = _l("You can only manage the accounts of the schools in your scope.")
    if existing is not None and would_remove_last_district_coordinator(existing, data.role, area, active,
                                                                       data.coordinator_district_id):
        errors["role" if active else "active"] = _l(
            "The district needs at least one active district coordinator: add another one first.")
    return errors


def lock_district_coordinators() -> None:
    """Serialise changes that could remove the last district coordinator (see ``update_user_by_admin``).

    SQLite: take the write lock before reading. PostgreSQL: lock the active district coordinators'
    rows (in id order, so two such changes never deadlock), so a concurrent demotion waits and then
    counts what the first one left.
    """
    db.session.flush()
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        if not connection.connection.dbapi_connection.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        return
    db.session.execute(select(User.id).where(User.role == Role.COORDINATOR, User.area == "", User.active.is_(True))
                       .order_by(User.id).with_for_update())


def build_user(data: UserInput, school: School | None, initial_password_hash: str | None = None) -> User:
    """A new user from checked ``data``. A bulk import passes the hash of an initial password
    (hash_initial_passwords), which the user must change at first sign-in."""
    return User(
        email=normalise_email(data.email),
        display_name=data.display_name.strip(),
        role=Role(data.role),
        school_id=school.id if school else None,
        locale=data.locale,
        area=(data.area or "").strip(),
        district_id=data.coordinator_district_id,
        staff_number=clean_staff_number(data),
        password_hash=initial_password_hash or hash_password(data.password),
        must_change_password=initial_password_hash is not None,
    )


# Initial passwords people type from a printed list: no 0/O, 1/l/I look-alikes.
INITIAL_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
INITIAL_PASSWORD_LENGTH = 10
# scrypt releases the GIL, so threads hash in parallel.
HASH_WORKERS = min(8, 2 * (os.cpu_count() or 1))


def new_initial_password() -> str:
    return "".join(secrets.choice(INITIAL_PASSWORD_ALPHABET) for _ in range(INITIAL_PASSWORD_LENGTH))


def hash_initial_passwords(passwords: list[str]) -> list[str]:
    """Hashes for many initial passwords at once (a CSV import of thousands of teachers), in input order.

    Hashed for bulk creation (passwords.INITIAL_PASSWORD_METHOD): the full cost would take ~0.1 s of
    CPU per row, minutes for a large file, past the web worker's timeout.
    """
    with ThreadPoolExecutor(max_workers=HASH_WORKERS) as pool:
        return list(pool.map(hash_initial_password, passwords))


def create_user(data: UserInput, actor: User | None = None) -> User:
    errors, school = check_user_input(data)
    errors = {**scope_errors(actor, data, school, True), **errors}
    if errors:
        raise ValidationFailed(errors)
    user = build_user(data, school)
    db.session.add(user)
    record(actor, "user.create", user, {"email": user.email, "role": user.role.value})
    db.session.flush()
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
    user.area = (data.area or "").strip()
    user.district_id = data.coordinator_district_id
    user.staff_number = clean_staff_number(data)
    user.active = active
    if data.password:
        user.password_hash = hash_password(data.password)
        user.session_version = User.session_version + 1  # whoever knew the old one is signed out
    record(actor, "user.update", user, {"email": user.email, "role": user.role.value, "active": active,
                                        "district_id": user.district_id})
    db.session.flush()
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
    """``update_user`` for the administration page, which also guards the coordinator's own account,
    the actor's scope and the district's last coordinator. Raises NotAllowed for a user out of scope."""
    if not can_change_user(actor, user):
        raise NotAllowed()
    lock_district_coordinators()
    db.session.refresh(user)
    field_errors, school = check_user_input(data, existing=user)
    errors = {**scope_errors(actor, data, school, active, user), **self_change_errors(user, data, active, actor)}
    if errors:
        db.session.rollback()
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
                   school_id=parse_whole_number(school, MAX_ID) if school else None,
                   role=role if role in {r.value for r in Role} else None)


def users_query(filters: UserFilter, actor: User):
    """Users ``actor`` may manage matching ``filters`` (name or email containing ``q``), by name; for a paginated list."""
    query = (select(User).options(selectinload(User.school)).where(managed_users_clause(actor))
             .order_by(User.display_name, User.email))
    if filters.q:
        needle = filters.q.lower()
        query = query.where(or_(func.lower(User.display_name).contains(needle, autoescape=True),
                                User.email.contains(needle, autoescape=True)))
    if filters.school_id:
        query = query.where(User.school_id == filters.school_id)
    if filters.role:
        query = query.where(User.role == filters.role)
    return query


def authenticate(email: str, password: str, remote_addr: str, limits: Limits) -> User | None:
    """The user if the password is right; None if not. Raises login_limits.TooManyAttempts when limited.

    Each attempt is claimed from the database counters (booking.accounts.login_limits) before its
    password is checked, so the limits hold across every worker and for attempts made at once.
    """
    email, now = normalise_email(email), utcnow()
    login_limits.claim_attempt(email, remote_addr, limits, now)
    user = find_user_by_email(email)
    ok = verify_password(user.password_hash if user else DUMMY_HASH, password) and user is not None
    if not ok or not user.active:
        login_limits.forget_quiet_counters(now, limits.window)
        return None
    login_limits.succeeded(email, remote_addr, now)
    user.last_login_at = utcnow()
    db.session.flush()
    return user


def end_sessions(user: User) -> None:
    """Sign ``user`` out everywhere: every session and remember-me cookie issued so far stops working."""
    user.session_version = User.session_version + 1
    db.session.flush()


def change_password(user: User, current: str, new: str, remote_addr: str, limits: Limits) -> User:
    """Set ``user``'s own password: needs the current one (its checks count like sign-ins), ends
    every other session (the caller signs this one in again) and lifts a forced change."""
    if len(new or "") < MIN_PASSWORD_LENGTH:
        raise ValidationFailed({"new_password": _l("The password needs at least %(n)d characters.",
                                                   n=MIN_PASSWORD_LENGTH)})
    login_limits.claim_attempt(user.email, remote_addr, limits, utcnow())
    if not verify_password(user.password_hash, current or ""):
        raise ValidationFailed({"current_password": _l("This is not your current password.")})
    login_limits.succeeded(user.email, remote_addr, utcnow())
    if new == current:
        raise ValidationFailed({"new_password": _l("Choose a password different from the current one.")})
    user.password_hash = hash_password(new)
    user.must_change_password = False
    user.session_version = User.session_version + 1
    record(user, "user.password_change", user)
    db.session.flush()
    return user


PROFILE_LOCALES = ("zh_CN", "en")


def update_profile(user: User, display_name: str, locale: str) -> User:
    """The profile page's change (name and language), also through the API; refused with the field named."""
    name = (display_name or "").strip()
    errors = {}
    if not name:
        errors["display_name"] = _l("Enter a name.")
    elif len(name) > User.display_name.type.length:
        errors["display_name"] = _l("At most %(n)d characters.", n=User.display_name.type.length)
    if locale not in PROFILE_LOCALES:
        errors["locale"] = _l("Choose one of: %(allowed)s.", allowed=", ".join(PROFILE_LOCALES))
    if errors:
        raise ValidationFailed(errors)
    user.display_name, user.locale = name, locale
    db.session.flush()
    return user


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(user: User, name: str = "") -> tuple[ApiToken, str]:
    """A new API token; the raw value is returned once and only its hash is kept."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name.strip()[:100], token_hash=hash_token(raw), prefix=raw[:10])
    db.session.add(token)
    record(user, "token.issue", token, {"name": token.name})
    db.session.flush()
    return token, raw


TOKEN_USE_RESOLUTION = timedelta(minutes=5)


def user_for_token(raw: str) -> User | None:
    """The active user an unrevoked token names, with their school: ONE query.

    "Last used" to the minute is enough: it is written at most every ``TOKEN_USE_RESOLUTION``, as one
    UPDATE in a short transaction of its own connection. So it is kept even when the call then fails,
    it never holds SQLite's write lock for the request, and the request's own transaction (and its one
    commit) stays the call's, with nothing read here expired and read again."""
    row = db.session.execute(
        select(User, ApiToken.id, ApiToken.last_used_at).join(ApiToken, ApiToken.user_id == User.id)
        .options(joinedload(User.school))
        .where(ApiToken.token_hash == hash_token(raw), ApiToken.revoked_at.is_(None))
    ).first()
    if row is None or not row[0].active:
        return None
    user, token_id, last_used_at = row
    now = utcnow()
    if last_used_at is None or now - last_used_at > TOKEN_USE_RESOLUTION:
        with db.engine.begin() as connection:
            connection.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))
    return user


def revoke_token(user: User, token_id: int) -> bool:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id or token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    record(user, "token.revoke", token)
    db.session.flush()
    return True


def tokens_of(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc()))
    )
