"""Importing users (a district has hundreds of teachers) with the accounts' own checks.

A blank password gets a generated one; the list of generated passwords is offered once,
right after the import, and never stored in plain text. Every imported password is an initial one:
hashed for bulk creation and changed by its owner at first sign-in (User.must_change_password), so
a file of thousands of rows imports well within one request.
"""
from __future__ import annotations

from booking.accounts.models import Role
from booking.accounts.services import (
    UserInput, build_user, check_user_input, hash_initial_passwords, new_initial_password, normalise_email,
    scope_errors,
)
from booking.extensions import db
from booking.i18n import LANGUAGE_NAMES
from booking.imports.csvfile import Column, Row
from booking.imports.rows import RowReader, row_errors
from booking.imports.services import ImportKind, Staged
from booking.labels import choices
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


def stage_users(rows: list[Row], actor) -> Staged:
    staged = Staged()
    accepted = []  # (input, school, whether the password was generated)
    first_row_of_email: dict[str, int] = {}
    for row in rows:
        reader = RowReader(row)
        data = _user_input(reader)
        generated = data.password is None
        if generated:
            data.password = new_initial_password()
        field_errors, school = check_user_input(data)
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
    hashes = hash_initial_passwords([data.password for data, _school, _generated in accepted])
    for (data, school, generated), password_hash in zip(accepted, hashes):
        user = build_user(data, school, password_hash)
        db.session.add(user)
        staged.keys.append(user.email)
        if generated:
            staged.generated_passwords.append((user.email, user.display_name, data.password))
    return staged


KIND = ImportKind("users", _l("Users"), COLUMNS, EXAMPLE, stage_users)
