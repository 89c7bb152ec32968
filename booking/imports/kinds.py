"""The kinds of CSV import, by the key in their URL and in their jobs."""
from __future__ import annotations

from booking.imports import resources, schools, users
from booking.imports.services import ImportKind

KINDS: dict[str, ImportKind] = {kind.key: kind for kind in (schools.KIND, resources.KIND, users.KIND)}
