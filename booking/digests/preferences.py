"""How often a user gets digests (daily, weekly, none), and the digests they have had."""
from __future__ import annotations

from sqlalchemy import select

from booking.accounts.models import DigestFrequency
from booking.audit.services import record
from booking.digests.models import DigestKind, OutboxMessage
from booking.extensions import db
from booking.texts import lazy_gettext as _l
from booking.validation import ValidationFailed

FREQUENCY_LABELS = {
    DigestFrequency.DAILY: _l("Every evening"),
    DigestFrequency.WEEKLY: _l("Once a week, on Sunday evening"),
    DigestFrequency.NONE: _l("Never"),
}
DIGESTS_SHOWN = 60


def frequency_choices() -> list[tuple[str, str]]:
    return [(frequency.value, label) for frequency, label in FREQUENCY_LABELS.items()]


def set_frequency(user, value: str, actor, how: str = "profile") -> DigestFrequency:
    """Save ``user``'s choice (``actor`` None: through an unsubscribe link); audited."""
    try:
        frequency = DigestFrequency(value)
    except ValueError:
        raise ValidationFailed({"frequency": _l("Choose how often you want the digest.")}) from None
    if user.digest_frequency != frequency:
        previous = user.digest_frequency
        user.digest_frequency = frequency
        record(actor, "digest.frequency", user, {"from": previous.value, "to": frequency.value, "how": how})
        db.session.flush()
    return frequency


def digests_of(user) -> list[OutboxMessage]:
    """The user's most recent digests, newest first."""
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient_id == user.id,
                                                              OutboxMessage.kind != DigestKind.NOTIFICATION)
                                   .order_by(OutboxMessage.digest_date.desc(), OutboxMessage.id.desc())
                                   .limit(DIGESTS_SHOWN)))


def digest_of(user, message_id: int) -> OutboxMessage | None:
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.recipient_id != user.id or message.kind == DigestKind.NOTIFICATION:
        return None
    return message
