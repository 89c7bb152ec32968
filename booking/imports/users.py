"""Importing users (a district has hundreds of teachers) with the accounts' own checks.

A blank password gets a generated one; the list of generated passwords is offered once,
right after the import, and never stored in plain text. Every imported password is an initial one:
hashed for bulk creation and changed by its owner at first sign-in (User.must_change_password). The
pages run imports as background jobs (``jobs``), which report progress through the context.
"""
from __future__ import annotations

from sqlalchemy import select

from booking.accounts.models import Role, User
from booking.accounts.services import (
    UserInput, build_user, check_user_input, hash_initial_passwords, normalise_email,
    scope_errors,
)
from booking.extensions import db
from booking.i18n import LANGUAGE_NAMES
from booking.imports.csvfile import Column, Row
from booking.imports.rows import RowReader, row_errors
from booking.imports.services import ImportContext, ImportKind, Staged
from booking.labels import choices
from booking.schools.models import School
from booking.texts import lazy_gettext as _l

COLUMNS = (
    Column("email", _l("Sign-in email; each person once in the district.")),
    Column("display_name", _l("The name others see, e.g. 王老师.")),
    Column("role", _l("What the person may do."), choices=tuple(choices(Role))),
    Column("school_code", _l("Code of the person's school; blank only for district coordinators.")),
    Column("locale", _l("Interface language; blank means Chinese."), optional=True,
           choices=tuple(LANGUAGE_NAMES.items())),
    Column("password", _l("Initial password, at least 8 characters, to be changed at first sign-in. Leave it "
                          "blank to have one generated: the generated passwords are offered once, as a file, "
                          "right after the import."),
           optional=True),
)

EXAMPLE = {"email": "wangfang@example.cn", "display_name": "王芳", "role": "teacher", "school_code": "XT01",
           "locale": "zh_CN", "password": ""}


def _user_input(reader: RowReader) -> UserInput:
    return UserInput(
        email=reader.text("email"), display_name=reader.text("display_name"),
        role=reader.choice("role", choices(Role)), school_code=reader.text("school_code") or None,
        locale=reader.choice("locale", LANGUAGE_NAMES.items()) or "zh_CN",
        password=reader.text("password") or None,
    )


PROGRESS_EVERY = 100  # rows between two progress reports
LOOKUP_CHUNK = 500  # emails per IN (...) query
HASH_CHUNK = 250


def _existing_users(emails: list[str]) -> dict[str, User]:
    found: dict[str, User] = {}
    for start in range(0, len(emails), LOOKUP_CHUNK):
        chunk = emails[start:start + LOOKUP_CHUNK]
        found.update((user.email, user) for user in db.session.scalars(select(User).where(User.email.in_(chunk))))
    return found


def stage_users(rows: list[Row], actor, context: ImportContext | None = None) -> Staged:
    """Check every row (the existing accounts and the schools looked up once, not per row), then
    hash the passwords and add the users."""
    context = context or ImportContext()
    staged = Staged()
    existing = _existing_users(sorted({normalise_email(row.values.get("email", "")) for row in rows}))
    schools = {school.code: school for school in db.session.scalars(select(School))}
    accepted = []  # (input, school, whether the password was generated)
    first_row_of_email: dict[str, int] = {}
    for checked, row in enumerate(rows, start=1):
        if checked % PROGRESS_EVERY == 0:
            context.progress(checked)
        reader = RowReader(row)
        data = _user_input(reader)
        generated = data.password is None
        if generated:
            data.password = context.password_for(normalise_email(data.email))
        field_errors, school = check_user_input(data, find_user=existing.get, find_school=schools.get)
        field_errors = {**scope_errors(actor, data, school, True), **field_errors}
        email = normalise_email(data.email)
        if email in first_row_of_email:
            field_errors["email"] = _l("This email is already on row %(row)d of the file.",
                                       row=first_row_of_email[email])
        first_row_of_email.setdefault(email, row.number)
        errors = row_errors(reader, field_errors, {"school": "school_code", "area": "role"})
        staged.errors.extend(errors)
        if not errors:
            accepted.append((data, school, generated))
    if staged.errors:
        return staged
    # Hash only once every row is good: hashing is the slow part of a large import.
    passwords = [data.password for data, _school, _generated in accepted]
    hashes: list[str] = []
    for start in range(0, len(passwords), HASH_CHUNK):
        hashes += hash_initial_passwords(passwords[start:start + HASH_CHUNK])
        context.progress(len(rows) + start + len(passwords[start:start + HASH_CHUNK]))
    for (data, school, generated), password_hash in zip(accepted, hashes):
        user = build_user(data, school, password_hash)
        db.session.add(user)
        staged.keys.append(user.email)
        if generated:
            staged.generated_passwords.append((user.email, user.display_name, data.password))
    return staged


KIND = ImportKind("users", _l("Users"), COLUMNS, EXAMPLE, stage_users, steps_per_row=2)
