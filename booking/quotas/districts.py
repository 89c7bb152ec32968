"""Which district's fair shares a coordinator's page or API call is about.

Windows, quotas and exceptions are set per district (``district_id``): a district's coordinator edits their
own district's, a county coordinator the district they choose (``district``; none chosen: the installation's
first, as before there were several). The rule is ``permissions.viewed_district_id``.
"""
from __future__ import annotations

from booking.extensions import db
from booking.permissions import can_view_district, viewed_district_id
from booking.schools.models import District
from booking.schools.services import current_district


def settings_district(user, chosen: int | None = None) -> District | None:
    """The district whose fair shares ``user`` reads and edits; None when ``chosen`` is not theirs to see or
    there is no such district."""
    if chosen is not None and not can_view_district(user, chosen):
        return None
    district_id = viewed_district_id(user, chosen)
    return db.session.get(District, district_id) if district_id is not None else current_district()
