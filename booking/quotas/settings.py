"""The coordinators' fair-share settings: priority windows, term quotas and a school's quota exceptions, each
checked and audited (services flush; the caller's unit of work commits), the district's lists of them, and the
pages' scope choice ("resource:12", "category:lab"). What the settings mean for a booking is ``services``'."""
from __future__ import annotations

from sqlalchemy import select

from booking.audit.services import record
from booking.extensions import db
from booking.quotas.models import MAX_QUOTA_HOURS, MAX_WINDOW_DAYS, BookingWindow, QuotaException, TermQuota, scope_key
from booking.resources.models import Category, Resource
from booking.schools.models import School, Term
from booking.schools.services import same_county
from booking.texts import lazy_gettext as _l
from booking.validation import ValidationFailed

WINDOW_FIELDS = ("weak_days", "other_days", "owner_days")
QUOTA_FIELDS = ("hours", "hours_per_100", "owner_hours")


# --- the coordinators' settings ------------------------------------------------------------------

def _scope(district_id: int, resource_id, category, errors: dict) -> tuple[int | None, str | None]:
    if resource_id is not None and category:
        errors["scope"] = _l("Choose a resource or a category, not both.")
        return None, None
    if isinstance(resource_id, float) and resource_id.is_integer():
        resource_id = int(resource_id)
    if resource_id is not None:
        resource = db.session.get(Resource, resource_id) if isinstance(resource_id, int) else None
        if resource is None or resource.owner_school.district_id != district_id:
            errors["resource_id"] = _l("Unknown resource.")
        return resource_id, None
    if category:
        if category not in {c.value for c in Category}:
            errors["category"] = _l("Unknown category.")
        return None, category
    return None, None


def _number(values: dict, name: str, maximum, errors: dict, integer: bool):
    value = values.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, float) and integer and value.is_integer():
        value = int(value)  # JSON's 250.0 is the whole number 250
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (integer and not isinstance(value, int)):
        errors[name] = _l("Enter a number from 0 to %(n)d.", n=maximum)
        return None
    if not 0 <= value <= maximum:
        errors[name] = _l("Enter a number from 0 to %(n)d.", n=maximum)
        return None
    return value


def set_window(actor, district_id: int, values: dict, resource_id: int | None = None,
               category: str | None = None) -> BookingWindow | None:
    """Set (or with every field empty, remove) the window of the district, a category or a resource."""
    errors: dict = {}
    resource_id, category = _scope(district_id, resource_id, category, errors)
    numbers = {name: _number(values, name, MAX_WINDOW_DAYS, errors, integer=True) for name in WINDOW_FIELDS}
    if errors:
        raise ValidationFailed(errors)
    key = scope_key(resource_id, category)
    row = db.session.scalar(select(BookingWindow).where(BookingWindow.district_id == district_id,
                                                         BookingWindow.scope_key == key))
    if all(v is None for v in numbers.values()):
        if row is not None:
            record(actor, "window.delete", row, {"scope": key})
            db.session.delete(row)
            db.session.flush()
        return None
    if row is None:
        row = BookingWindow(district_id=district_id, scope_key=key, resource_id=resource_id, category=category)
        db.session.add(row)
    for name, value in numbers.items():
        setattr(row, name, value)
    record(actor, "window.set", row, {"scope": key, **numbers})
    db.session.flush()
    return row


def set_quota(actor, district_id: int, values: dict, resource_id: int | None = None,
              category: str | None = None) -> TermQuota | None:
    """Set (or with every field empty, remove) the term quota of a resource or a category."""
    errors: dict = {}
    resource_id, category = _scope(district_id, resource_id, category, errors)
    if resource_id is None and not category and not errors:
        errors["scope"] = _l("A quota is for a resource or a category.")
    numbers = {name: _number(values, name, MAX_QUOTA_HOURS, errors, integer=False) for name in QUOTA_FIELDS}
    if errors:
        raise ValidationFailed(errors)
    key = scope_key(resource_id, category)
    row = db.session.scalar(select(TermQuota).where(TermQuota.district_id == district_id, TermQuota.scope_key == key))
    if all(v is None for v in numbers.values()):
        if row is not None:
            record(actor, "quota.delete", row, {"scope": key})
            db.session.delete(row)
            db.session.flush()
        return None
    if row is None:
        row = TermQuota(district_id=district_id, scope_key=key, resource_id=resource_id, category=category)
        db.session.add(row)
    for name, value in numbers.items():
        setattr(row, name, None if value is None else float(value))
    record(actor, "quota.set", row, {"scope": key, **numbers})
    db.session.flush()
    return row


def grant_exception(actor, quota: TermQuota, school_id, term_id, extra, reason: str) -> QuotaException:
    """Extra hours for one school against one quota in one term, with the reason; audited."""
    from booking.permissions import can_grant_quota_exception
    errors: dict = {}
    school_id, term_id = (int(v) if isinstance(v, float) and v.is_integer() else v for v in (school_id, term_id))
    school = db.session.get(School, school_id) if isinstance(school_id, int) else None
    if school is None or not same_county(school.district_id, quota.district_id):
        errors["school_id"] = _l("Unknown school.")
    elif not can_grant_quota_exception(actor, school.id):
        errors["school_id"] = _l("You can grant exceptions only to the schools you manage.")
    term = db.session.get(Term, term_id) if isinstance(term_id, int) else None
    if term is None or not same_county(term.district_id, quota.district_id):
        errors["term_id"] = _l("Unknown term.")
    if isinstance(extra, bool) or not isinstance(extra, (int, float)) or not 0 < extra <= MAX_QUOTA_HOURS:
        errors["extra_hours"] = _l("Enter more than 0 and at most %(n)d hours.", n=MAX_QUOTA_HOURS)
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _l("Give the reason for the exception.")
    elif len(reason) > 500:
        errors["reason"] = _l("At most %(n)d characters.", n=500)
    if errors:
        raise ValidationFailed(errors)
    row = QuotaException(quota=quota, school_id=school.id, term_id=term.id, extra_hours=float(extra), reason=reason,
                         granted_by_id=getattr(actor, "id", None))
    db.session.add(row)
    record(actor, "quota.exception", row, {"quota_id": quota.id, "scope": quota.scope_key, "school_id": school.id,
                                           "term_id": term.id, "extra_hours": float(extra), "reason": reason})
    db.session.flush()
    return row


def list_windows(district_id: int) -> list[BookingWindow]:
    return list(db.session.scalars(select(BookingWindow).where(BookingWindow.district_id == district_id)
                                   .order_by(BookingWindow.scope_key)))


def list_quotas(district_id: int) -> list[TermQuota]:
    return list(db.session.scalars(select(TermQuota).where(TermQuota.district_id == district_id)
                                   .order_by(TermQuota.scope_key)))


def parse_scope(value: str | None) -> tuple[int | None, str | None]:
    """"resource:12" → (12, None), "category:lab" → (None, "lab"), anything else → the district (None, None)."""
    kind, _, rest = (value or "").partition(":")
    if kind == "resource" and rest.isdigit() and len(rest) < 12:
        return int(rest), None
    if kind == "category" and rest:
        return None, rest[:32]
    return None, None
