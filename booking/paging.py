"""Long lists a page at a time: one COUNT and one LIMIT/OFFSET query, and the page's place in the list.

A page number past the end shows the last page; anything unreadable shows the first.
"""
from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from flask import request, url_for
from sqlalchemy import Select, func, select

from booking.extensions import db
from booking.parsing import parse_whole_number

PAGE_SIZE = 30
MAX_PAGE_NUMBER = 100_000


@dataclass(frozen=True)
class Page:
    items: list
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.size))

    @property
    def previous_number(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next_number(self) -> int | None:
        return self.number + 1 if self.number < self.pages else None

    @property
    def first_position(self) -> int:
        return (self.number - 1) * self.size + 1 if self.total else 0

    @property
    def last_position(self) -> int:
        return min(self.number * self.size, self.total)


def page_number(args, name: str = "page") -> int:
    return max(1, parse_whole_number(args.get(name) or "", MAX_PAGE_NUMBER) or 1)


def paginate(query: Select, number: int, size: int = PAGE_SIZE) -> Page:
    """Page ``number`` of ``query`` (which must be ordered, so pages do not overlap)."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    number = min(max(1, number), max(1, ceil(total / size)))
    items = list(db.session.scalars(query.limit(size).offset((number - 1) * size)))
    return Page(items, number, size, total)


def page_url(number: int) -> str:
    """This page's URL with its filters kept and ``page=number`` (a template global)."""
    args = {**request.args.to_dict(), "page": number}
    return url_for(request.endpoint, **(request.view_args or {}), **args)
