"""The account an external sign-in opens. Flushes; the request commits.

An identity already linked signs in its account. A first sign-in is matched to an existing account by
email, then by staff number, and linked; otherwise a new teacher account is created in the school the
provider's school claim names. Roles, schools and names stay managed in the app: a sign-in never changes
them. A deactivated account is refused, however it was found. Every sign-in and refusal is audited.
An imported account still on its initial password loses it: the provider has vouched for the person.
A CAS sign-in keeps its service ticket (hashed): the CAS server's single logout names it, and that ends the
account's sessions (``single_logout``), as the app's own sign-out does.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from booking.accounts.models import Role, User
from booking.accounts.passwords import hash_password
from booking.accounts.services import end_sessions, find_user_by_email
from booking.audit.services import record
from booking.clock import utcnow
from booking.extensions import db
from booking.schools.models import School
from booking.sso.models import CasTicket, ExternalIdentity
from booking.sso.profile import ExternalProfile
from booking.texts import lazy_gettext as _l

SIGNED_IN = "user.sso_login"
REFUSED = "user.sso_refused"
SIGNED_OUT = "user.sso_logout"
CAS_TICKET_DAYS = 30  # longer than a session or a remember-me cookie lasts: older tickets sign nobody in any more


class SignInRefused(Exception):
    """The provider vouched for the person, but this site does not let them in; ``message`` says why."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def _linked(profile: ExternalProfile) -> ExternalIdentity | None:
    return db.session.scalar(select(ExternalIdentity).where(ExternalIdentity.provider == profile.provider,
                                                            ExternalIdentity.subject == profile.subject))


def _matching_account(profile: ExternalProfile) -> tuple[User | None, str]:
    if profile.email and (user := find_user_by_email(profile.email)) is not None:
        return user, "email"
    if profile.staff_number:
        user = db.session.scalar(select(User).where(User.staff_number == profile.staff_number))
        if user is not None:
            return user, "staff_number"
    return None, ""


def _school_of(profile: ExternalProfile) -> School | None:
    if not profile.school_code:
        return None
    return db.session.scalar(select(School).where(School.code == profile.school_code, School.active.is_(True)))


def record_refusal(provider: str, subject: str, reason: str, user: User | None = None) -> None:
    """Audit a refused sign-in (the caller commits it although it answers an error)."""
    record(user, REFUSED, user if user is not None else ("ExternalIdentity", None),
           {"provider": provider, "subject": subject[:255], "reason": reason})


def _refuse(profile: ExternalProfile, reason: str, message, user: User | None = None):
    record_refusal(profile.provider, profile.subject, reason, user)
    raise SignInRefused(message)


def _new_teacher(profile: ExternalProfile) -> User:
    if not profile.email:
        _refuse(profile, "no_email", _l("The sign-in service gave no email address, and no account here "
                                        "matches you. Ask your coordinator to create your account."))
    school = _school_of(profile)
    if school is None:
        _refuse(profile, "no_school", _l("Your school (%(code)s) is not known here. Ask your coordinator to "
                                         "create your account.", code=profile.school_code or "—"))
    staff_taken = profile.staff_number and db.session.scalar(
        select(User.id).where(User.staff_number == profile.staff_number)) is not None
    # The account cannot sign in with a password until its owner sets one (忘记密码？).
    return User(email=profile.email, display_name=profile.display_name or profile.email.split("@")[0],
                role=Role.TEACHER, active=True, locale="zh_CN", school_id=school.id, staff_number=None if staff_taken else
                (profile.staff_number or None), password_hash=hash_password(secrets.token_urlsafe(32)))


def _link(profile: ExternalProfile) -> tuple[ExternalIdentity, str]:
    """The identity's link, made (with its account, if new) on a first sign-in."""
    user, how = _matching_account(profile)
    if user is None:
        user, how = _new_teacher(profile), "created"
    if not user.active:
        _refuse(profile, "account_inactive", _l("This account is deactivated."), user)
    link = ExternalIdentity(provider=profile.provider, subject=profile.subject, user=user)
    try:
        with db.session.begin_nested():  # the same person signing in twice at once: one link wins
            db.session.add(link)
            db.session.flush()
    except IntegrityError:
        link = _linked(profile)
        if link is None:
            raise
        return link, "linked"
    if how == "created":
        record(None, "user.create", user, {"email": user.email, "role": user.role.value, "via": profile.provider})
    return link, how


def sign_in(profile: ExternalProfile, remote_addr: str) -> User:
    """The account ``profile`` signs in; raises SignInRefused (after auditing it: the caller commits that)."""
    link, how = _linked(profile), "linked"
    if link is None:
        link, how = _link(profile)
    user = link.user
    if not user.active:
        _refuse(profile, "account_inactive", _l("This account is deactivated."), user)
    if user.must_change_password:
        # An imported account's initial password (handed out on paper) is not needed any more: it stops working.
        user.password_hash, user.must_change_password = hash_password(secrets.token_urlsafe(32)), False
    now = utcnow()
    link.last_login_at = user.last_login_at = now
    record(user, SIGNED_IN, user, {"provider": profile.provider, "subject": profile.subject, "how": how,
                                   "from": (remote_addr or "")[:64]})
    db.session.flush()
    return user


def _ticket_hash(ticket: str) -> str:
    return hashlib.sha256(ticket.encode()).hexdigest()


def remember_cas_ticket(user: User, ticket: str) -> None:
    """Keep the ticket a CAS sign-in came with, for the server's single logout; forget those too old to matter."""
    db.session.execute(delete(CasTicket).where(CasTicket.created_at < utcnow() - timedelta(days=CAS_TICKET_DAYS)))
    db.session.add(CasTicket(ticket_hash=_ticket_hash(ticket), user_id=user.id))
    db.session.flush()


def single_logout(ticket: str) -> User | None:
    """The CAS server says the sign-in of ``ticket`` ended: sign its account out everywhere (as the app's own
    sign-out does) and forget its tickets; None when the ticket names no sign-in here."""
    found = db.session.scalar(select(CasTicket).where(CasTicket.ticket_hash == _ticket_hash(ticket)))
    if found is None:
        return None
    user = db.session.get(User, found.user_id)
    end_sessions(user)
    db.session.execute(delete(CasTicket).where(CasTicket.user_id == user.id))
    record(None, SIGNED_OUT, user, {"provider": "cas", "how": "back_channel"})
    db.session.flush()
    return user
