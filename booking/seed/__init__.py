"""`flask --app wsgi seed-demo`: the demo district, idempotent."""
from __future__ import annotations

import click


@click.command("seed-demo")
def seed_demo_command():
    """Fill an empty database with the 新天学区 demo district (does nothing if it is there)."""
    from booking.seed.demo import seed_demo

    created = seed_demo()
    click.echo("seeded the demo district" if created else "the demo district is already there; nothing changed")
