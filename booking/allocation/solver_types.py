"""The allocation solver's input and answer: plain frozen values, no database, no request.

The schools (enrollment, weak or not, the shared minutes they already have this term), the requests
(school, priority, submission order), each request's candidates (a free weekly slot of a resource, with
the minutes it brings and whether they are *shared* access), the resources' stock, travel and caps, the
schools' quotas; and the answer, one candidate or none per request. Built from the database in ``problem``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

SEED = 20260901  # every random choice of the allocation: CP-SAT's search and the random-order comparison


@dataclass(frozen=True)
class SchoolIn:
    id: int
    enrollment: int
    weak: bool = False
    base_minutes: int = 0  # shared access this school already has this term (minutes)


@dataclass(frozen=True)
class RequestIn:
    id: int
    school_id: int
    priority: int = 3  # 1 = the requester's most wanted
    order: int = 0  # submission order (first come first)


@dataclass(frozen=True)
class Candidate:
    """One way to serve a request: a resource's weekday slot, free on every week asked for."""

    request_id: int
    resource_id: int
    weekday: int
    period: int
    start: int  # minutes after local midnight (the bell school's clock)
    end: int
    minutes: int  # over the whole term: the period's length × the dates it falls on
    shared: bool = True  # counts as shared access for the request's school
    school_id: int = 0  # where it is held (for a visiting teacher: the class's school)
    rank: int = 0  # the requester's order of preference among their slots (0 = first)


@dataclass(frozen=True)
class ResourceIn:
    id: int
    stock: int = 1  # how many classes at once (equipment kits)
    teacher: bool = False
    weekly_cap: int | None = None  # a visiting teacher's lessons a week still free for the round
    travel: Mapping[tuple[int, int], int] = field(default_factory=dict)  # (smaller id, larger id) → minutes

    def reachable(self, a: Candidate, b: Candidate) -> bool:
        """Whether a visiting teacher has the travel time between two lessons that do not overlap."""
        travel = 0 if a.school_id == b.school_id else self.travel.get((min(a.school_id, b.school_id),
                                                                        max(a.school_id, b.school_id)))
        gap = b.start - a.end if a.end <= b.start else a.start - b.end
        return travel is not None and gap >= travel


@dataclass(frozen=True)
class Quota:
    """At most ``minutes`` for ``school_id`` on ``resource_ids`` (what the round may still add)."""

    school_id: int
    resource_ids: frozenset[int]
    minutes: int


@dataclass(frozen=True)
class Problem:
    schools: tuple[SchoolIn, ...]
    requests: tuple[RequestIn, ...]
    candidates: tuple[Candidate, ...]
    resources: tuple[ResourceIn, ...] = ()
    quotas: tuple[Quota, ...] = ()


@dataclass
class Assignment:
    chosen: dict[int, Candidate]  # request id → its candidate
    method: str = "allocator"
    status: str = "optimal"  # optimal, feasible (a stage hit its limit), greedy

    @property
    def served(self) -> int:
        return len(self.chosen)

