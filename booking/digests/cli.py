"""`flask --app wsgi scheduler` and `flask --app wsgi digests send|deliver`."""
from __future__ import annotations

import logging

import click
from flask import current_app

from booking.digests.claims import worker_name
from booking.digests.delivery import deliver_due
from booking.digests.jobs import DIGESTS, digest_slot, jobs, run_slot
from booking.digests.scheduler import current_sender, run_scheduler
from booking.digests.senders import MailSettingsError
from booking.digests.slots import ClockTimeError
from booking.i18n import local_today

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def _settings_checked(function):
    """Run ``function``; a bad DIGEST_TIME or MAIL_* setting becomes a clear message, not a traceback."""
    try:
        return function()
    except (ClockTimeError, MailSettingsError) as error:
        raise click.ClickException(str(error)) from error


def _echo_delivery() -> None:
    sender = current_sender()
    report = deliver_due(sender)
    line = f"outbox via {sender.description}: {report.sent} sent, {report.failed} failed"
    if report.next_retry is not None:
        line += f"; next try at {report.next_retry:%Y-%m-%d %H:%M} UTC"
    click.echo(line)


@click.command("scheduler")
def scheduler_command():
    """Run the nightly digests, request expiry and the outbox sender (its own process; run one or more)."""
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    app = current_app._get_current_object()
    _settings_checked(lambda: run_scheduler(app))


@click.group("digests")
def digests_cli():
    """Usage digests by email."""


@digests_cli.command("send")
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The digest's date, YYYY-MM-DD (default: today in the district's zone).")
def send_command(day):
    """Render the digests of one date (claimed like the scheduler's run: never twice) and send them."""
    digest_date = day.date() if day else local_today()
    result = _settings_checked(lambda: run_slot(jobs()[DIGESTS], digest_slot(digest_date),
                                                worker_name("digests send")))
    if result.ran:
        click.echo(f"digests for {digest_date.isoformat()}: {result.summary}")
    else:
        click.echo(f"digests for {digest_date.isoformat()} were {result.summary}; nothing new rendered")
    _settings_checked(_echo_delivery)


@digests_cli.command("deliver")
def deliver_command():
    """Send the outbox messages that are due (retries included)."""
    _settings_checked(_echo_delivery)
