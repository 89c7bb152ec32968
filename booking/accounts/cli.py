"""`flask --app wsgi users create|token`: accounts from the command line."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from booking.accounts import services
from booking.accounts.models import Role
from booking.extensions import db
from booking.validation import ValidationFailed

users_cli = AppGroup("users", help="Create users and API tokens.")


@users_cli.command("create")
@click.argument("email")
@click.option("--name", "display_name", required=True, help="Display name, e.g. 王老师.")
@click.option("--school", "school_code", default=None, help="School code (required for teachers and school admins).")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.TEACHER.value, show_default=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--locale", type=click.Choice(["zh_CN", "en"]), default="zh_CN", show_default=True)
def create_user_command(email, display_name, school_code, role, password, locale):
    """Create a user who can sign in with EMAIL."""
    data = services.UserInput(email=email, display_name=display_name, role=role,
                              school_code=school_code, password=password, locale=locale)
    try:
        user = services.create_user(data)
    except ValidationFailed as failed:
        for field, message in failed.errors.items():
            click.echo(f"error: {field}: {message}", err=True)
        raise SystemExit(1) from None
    db.session.commit()  # the command is the unit of work
    click.echo(f"created user {user.id} {user.email} ({user.role.value})")


@users_cli.command("token")
@click.argument("email")
@click.option("--name", default="cli", help="What the token is for.")
def token_command(email, name):
    """Print a new API token for EMAIL (only its hash is stored)."""
    user = services.find_user_by_email(email)
    if user is None:
        click.echo(f"error: no user with email {email}", err=True)
        raise SystemExit(1)
    _token, raw = services.issue_token(user, name)
    db.session.commit()
    click.echo(raw)
