"""`flask --app wsgi seed-demo`: the demo district, idempotent.

`make run` calls it on every start, so it must be quick when the demo is already there and
must exit successfully (without touching anything) when the database holds a real district.

- ``demo``: what state the database is in, and seeding it in one transaction.
- ``layout`` (pure): where campuses are, how long trips take, when bells ring.
- ``schools``, ``terms``, ``people``, ``resources``, ``visiting``: the district, its calendar, its people,
  what it shares and its visiting teachers.
- ``bookings``: a term of bookings, ``timetables`` (the weekly series) first, then ``requests`` (single
  bookings and their histories); ``slots`` (pure): what is already promised; ``directory``: look-ups while
  planning; ``booking_rows``: writing the rows as the engine would; ``allocation``: the spring term's round.
- ``fair_shares``: the priority booking windows and the computer rooms' term quota.
- ``county``: the demo county 新天县 around it: a second district 东河学区 and the county's 青少年活动中心.
"""
from __future__ import annotations

import click

from booking.accounts.models import Role

ROLE_TITLES = {Role.COORDINATOR: "coordinators (district; area 片)", Role.SCHOOL_ADMIN: "school admins",
               Role.TEACHER: "teachers"}


@click.command("seed-demo")
def seed_demo_command():
    """Fill an empty database with the 新天学区 demo district (does nothing if it is there)."""
    from booking.seed.demo import DatabaseState, seed_demo
    from booking.seed.people import DEMO_PASSWORD, email_for

    result = seed_demo()
    if result.state == DatabaseState.OTHER:
        click.echo(f"the database already holds the district {result.district_name or '(unnamed)'} or other data "
                   "that is not the demo; seed-demo changed nothing")
    elif not result.created:
        click.echo(f"the demo district is already there; nothing changed "
                   f"(sign in as {email_for('coordinator')} / {DEMO_PASSWORD})")
    else:
        click.echo(f"seeded the demo district {result.district_name}")
        _echo_logins(result.people, DEMO_PASSWORD)


def _echo_logins(people, password: str) -> None:
    click.echo(f"demo logins (password for all: {password}):")
    for role in (Role.COORDINATOR, Role.SCHOOL_ADMIN, Role.TEACHER):
        click.echo(f"  {ROLE_TITLES[role]}:")
        for person in people:
            if person.role == role:
                scope = person.area or person.school_code or ""
                click.echo(f"    {person.email:<32} {person.display_name}  {scope}".rstrip())
