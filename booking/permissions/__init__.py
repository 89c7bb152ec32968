"""Who may see and change what: every rule in one place.

Scopes, widest first:
- a county coordinator (a coordinator with neither an area nor a district; in a one-district installation
  this is the district coordinator, and the ``is_district_coordinator`` of the code) administers every school
  of every district, and the county's settings: terms, closures, holiday imports, make-up days, mandates,
  allocation rounds, fair shares, visit settings;
- a district coordinator of one district (学区长, ``User.district_id`` set, no area) administers the schools
  of that district (``School.district_id``);
- an area coordinator (包片负责人, ``User.area`` set) administers the schools of that area (``School.area``),
  within their district when ``User.district_id`` is set;
- a school admin administers their own school;
- a teacher administers nothing.

Rules over single objects are plain functions (``can_manage_school`` …); list queries narrow
with the SQL predicates (``managed_schools_clause``, ``managed_school_ids``) so that a page, the
API, a feed and an export all see the same schools. The only database reads here are a school's
area and district (from the session's identity map) and the count of active county coordinators.

Sharing: ``own_school``, ``district`` (the schools of the owner school's district) and ``county`` (every
school). Someone whose district is unknown (a coordinator of an area without a district or school, as
before districts had coordinators) sees ``district`` resources of every district: one district, as before.

The package's modules: ``scopes`` (who is what, the district a page is about, the schools each manages and may
book for), ``activities`` (resources, bookings, the waitlist, lessons and outcomes, allocation rounds, teacher
profiles, approvals, import jobs), ``accounts`` (user accounts and the audit log), ``views`` (the view
decorators and page-level rules). Callers import every rule from ``booking.permissions``.
"""
from __future__ import annotations

from booking.permissions.scopes import (  # noqa: F401
    is_district_coordinator,
    is_district_head,
    is_area_coordinator,
    home_district_id,
    can_manage_district,
    can_set_fair_shares,
    can_grant_quota_exception,
    can_manage_closure,
    can_see_closure,
    can_manage_makeup_day,
    can_see_makeup_day,
    visible_calendar_rows_clause,
    can_read_calendar_row,
    can_manage_school,
    can_manage_school_robots,
    can_see_notification,
    can_manage_area,
    managed_schools_clause,
    managed_school_ids,
    named_school_ids,
    can_book_for_school,
    district_school_ids,
    shared_with_user_clause,
    reaches_district,
    may_choose_district,
    viewed_district_id,
    can_view_district,
    district_schools_clause,
    is_county_coordinator,
)
from booking.permissions.activities import (  # noqa: F401
    can_run_allocation,
    visible_allocation_requests_clause,
    visible_resources_clause,
    visible_bookings_clause,
    holder_districts,
    visible_schools_clause,
    can_see_resource,
    can_change_booking,
    can_change_waitlist_entry,
    visible_waitlist_clause,
    is_lesson,
    gives_lesson,
    can_record_lesson,
    can_correct_outcome,
    can_record_outcome,
    can_check_in,
    can_manage_teacher_profile,
    can_approve,
    can_see_import_job,
)
from booking.permissions.accounts import (  # noqa: F401
    can_hold_account,
    can_change_user,
    managed_users_clause,
    can_be_visiting_teacher,
    visiting_teacher_candidates_clause,
    is_active_district_coordinator,
    other_active_district_coordinators,
    would_remove_last_district_coordinator,
    can_read_audit_log,
    audit_entries_about_clause,
    audit_entries_of_resource_clause,
    visible_audit_entries_clause,
)
from booking.permissions.views import (  # noqa: F401
    role_required,
    district_coordinator_required,
    can_see_county_report,
    can_plan_mandates,
)
