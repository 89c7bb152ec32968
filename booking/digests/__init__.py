"""Nightly usage digests (issue 7): exactly-once scheduled jobs, an outbox, and the digests' content.

- ``slots`` / ``claims`` / ``jobs``: when a job is due, the (job, scheduled_for) claim, running a slot;
- ``scheduler`` / ``cli``: the APScheduler process (``flask scheduler``) and ``flask digests send|deliver``;
- ``outbox`` / ``render`` / ``providers`` / ``figures`` / ``formatting`` / ``content``: what each
  recipient's digest says, rendered into the outbox in the claiming transaction;
- ``delivery`` / ``senders``: sending the outbox (SMTP or .eml files), retried, never twice;
- ``views`` / ``preferences`` / ``unsubscribe``: my digests, how often, the one-click unsubscribe;
- ``models``: job runs, the outbox, digest markers; ``itinerary``: a visiting teacher's 06:30 day.
"""
