"""A world of rows built once per test worker and backend, shared by the tests that only read it.

Building a world through the services (schools, accounts, resources, bookings) costs more than the test
that looks at it; a role × endpoint matrix of read-only cases would build the same world hundreds of
times. Readers share one world in a database of its own; a case that writes keeps a world of its own
(the module's function-scoped fixture), since what it writes would change what the next one observes.
What a reader leaves behind (a sign-in, an API token, a feed) is no part of what any reader observes.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from booking import clock
from booking.extensions import db
from tests.conftest import _test_app


@dataclasses.dataclass(frozen=True)
class SharedWorld:
    app: object
    kind: type  # the world's dataclass, whose fields are rows or dicts of rows
    rows: dict  # field → (model, id) or {key: (model, id)}
    now: object  # the clock the world was built at


def build_shared_world(test_databases, name: str, build: Callable) -> SharedWorld:
    """``build()`` run once into the database ``name`` (a copy of the migrated schema), committed."""
    app = _test_app(test_databases.create(name, template="schema"))
    with app.app_context():
        world = build()
        db.session.commit()
        rows = {field.name: _keys(getattr(world, field.name)) for field in dataclasses.fields(world)}
        now = clock.utcnow()
        db.session.remove()
    clock.freeze(None)
    return SharedWorld(app, type(world), rows, now)


def _keys(rows):
    if isinstance(rows, dict):
        return {key: (type(row), row.id) for key, row in rows.items()}
    return type(rows), rows.id


def _rows(keys):
    if isinstance(keys, dict):
        return {key: db.session.get(model, row_id) for key, (model, row_id) in keys.items()}
    return db.session.get(*keys)


@contextmanager
def reading(shared: SharedWorld) -> Iterator[tuple]:
    """A client of the shared world's app and the world's rows read afresh, at the clock it was built at."""
    with shared.app.app_context():
        clock.freeze(shared.now)
        world = shared.kind(**{field: _rows(keys) for field, keys in shared.rows.items()})
        try:
            yield shared.app.test_client(), world
        finally:
            db.session.remove()
            clock.freeze(None)
