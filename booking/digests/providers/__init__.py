"""Who gets which part of a digest: one provider per role, in the order the digest shows them.

A provider is ``sections(run, user, window) -> list[Section]``: it returns nothing for users it
does not concern, and only sections that have something to say. A user's digest is every
provider's sections together (a school admin who books also gets the teacher's part).

Visiting teachers (issue 4): the ``visiting_teacher`` provider gives tomorrow's itinerary with
its travel legs, before the teacher's part; the coordinator's provider says which mandates are
behind schedule; the 06:30 itinerary (``booking.digests.itinerary``, its own ``DigestKind``)
sends the day itself.

- ``coordinator``, ``school_admin``, ``teacher``, ``visiting_teacher``: each role's sections.
"""
from __future__ import annotations

from booking.digests.providers.coordinator import coordinator_sections
from booking.digests.providers.school_admin import school_admin_sections
from booking.digests.providers.teacher import teacher_sections
from booking.digests.providers.visiting_teacher import visiting_teacher_sections

PROVIDERS = (coordinator_sections, school_admin_sections, visiting_teacher_sections, teacher_sections)
