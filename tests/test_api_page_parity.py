"""Every state-changing page action has its API operation, or a written reason why it has none (issue #18).

The test lists every non-GET rule of the app outside /api and finds it in exactly one table: ``IN_API`` (the
API operation that does the same through the same service), ``NO_API`` (why the API should not have it) or
``NOT_YET`` (an action the API still lacks: the gap, written down, shrinking as operations are added).
Each operation named must exist in the URL map with that method and be documented (``openapi.operation``).
"""
from __future__ import annotations

from booking.api.openapi import API_PREFIX, operation_of

IN_API = {
    "accounts.create_token": "POST /tokens",
    "accounts.profile": "PATCH /me",
    "accounts.revoke_token": "DELETE /tokens/<id:token_id>",
    "admin.delete_closure": "DELETE /closures/<id:closure_id>",
    "admin.edit_bells": "PUT /schools/<id:school_id>/bells",
    "admin.edit_school": "PUT /schools/<id:school_id>",
    "admin.new_school": "POST /schools",
    "admin.school_travel": "PUT /schools/<id:school_id>/travel",
    "admin.set_school_active": "PUT /schools/<id:school_id>/active",
    "admin.travel_matrix": "PUT /travel-times",
    "admin.edit_closure": "PUT /closures/<id:closure_id>",
    "admin.edit_makeup_day": "PUT /makeup-days/<id:makeup_id>",
    "admin.delete_makeup_day": "DELETE /makeup-days/<id:makeup_id>",
    "admin.edit_term": "PUT /terms/<id:term_id>",
    "admin.new_closure": "POST /closures",
    "admin.new_makeup_day": "POST /makeup-days",
    "admin.new_term": "POST /terms",
    "allocation.commit": "POST /allocation-rounds/<id:round_id>/commit",
    "allocation.index": "POST /allocation-rounds",
    "allocation.show": "POST /allocation-rounds/<id:round_id>/requests",
    "bookings.answer": "POST /bookings/<id:booking_id>/approve",  # and …/reject
    "bookings.cancel": "DELETE /bookings/<id:booking_id>",
    "bookings.change": "PATCH /bookings/<id:booking_id>",
    "bookings.new_booking": "POST /bookings",
    "calendars.create": "POST /feeds",
    "calendars.revoke": "DELETE /feeds/<id:feed_id>",
    "calendars.regenerate": "POST /feeds/<id:feed_id>/regenerate",
    "calendars.import_calendar": "POST /calendar-imports/preview",
    "calendars.apply_calendar_import": "POST /calendar-imports",
    "digests.save_frequency": "PUT /digests/settings",
    "imports.upload": "POST /imports/<kind>",  # answers 202 and the job to poll: GET /imports/jobs/<id>
    "notifications.mark_all_read": "POST /notifications/read",
    "notifications.mark_read": "POST /notifications/read",
    "notifications.save_preferences": "PUT /notifications/settings",
    "quotas.grant_exception": "POST /fair-shares/exceptions",
    "quotas.set_quota": "PUT /fair-shares/quotas",
    "quotas.set_window": "PUT /fair-shares/windows",
    "reports.check_in": "POST /bookings/<id:booking_id>/check-in",
    "reports.record_outcome": "POST /bookings/<id:booking_id>/outcome",
    "resources.delete_blackout": "DELETE /resources/<id:resource_id>/blackouts/<id:blackout_id>",
    "resources.edit_resource": "PATCH /resources/<id:resource_id>",
    "resources.new_resource": "POST /resources",
    "resources.set_resource_active": "PUT /resources/<id:resource_id>/active",
    "resources.resource_blackouts": "POST /resources/<id:resource_id>/blackouts",
    "teachers.commit_mandate_plan": "POST /mandate-plans/commit",
    "teachers.new_profile": "POST /teacher-profiles",
    "teachers.edit_profile": "PUT /teacher-profiles/<id:profile_id>",
    "teachers.add_busy": "POST /teacher-profiles/<id:profile_id>/busy-times",
    "teachers.delete_busy": "DELETE /teacher-profiles/<id:profile_id>/busy-times/<id:busy_id>",
    "teachers.import_busy": "POST /teacher-profiles/<id:profile_id>/busy-times/import",
    "teachers.mandates": "PUT /terms/<id:term_id>/mandates",
    "teachers.settings": "PUT /visit-settings",
    "teachers.record": "POST /bookings/<id:booking_id>/record",
    "teachers.visit": "POST /bookings",  # a visiting teacher is a resource: subject and lesson_kind in the body
    "users_admin.edit_user": "PATCH /users/<id:user_id>",
    "users_admin.new_user": "POST /users",
    "waitlist.accept": "POST /waitlist/<id:entry_id>/accept",
    "waitlist.join": "POST /waitlist",
    "waitlist.leave": "DELETE /waitlist/<id:entry_id>",
}

NO_API = {
    "accounts.login": "Signing in makes a browser session; the API authenticates each call with a token.",
    "sso.start": "Single sign-on sends a browser to the identity provider and back; the API takes tokens.",
    "sso.cas_single_logout": "The CAS server's back-channel single sign-out (it names a sign-in's ticket), "
                             "not anyone's action.",
    "sso.ldap_login": "A directory sign-in makes a browser session; the API authenticates each call with a token.",
    "accounts.logout": "Ends a browser session; a token is revoked with DELETE /tokens/{token_id}.",
    "accounts.change_password": "A password changes on the website only, with the current password: a leaked "
                                "token must not be enough to take over the account.",
    "password_reset.forgot": "For someone who cannot sign in: the link goes by email, there is no token yet.",
    "password_reset.reset": "Opened from the emailed link by someone signed out.",
    "digests.unsubscribe": "A signed link in the email, for a reader who is not signed in; signed in, the "
                           "API's PUT /digests/settings sets the same choice.",
    "set_language": "The pages' language in the session cookie; the API's language is the profile's "
                    "(PATCH /me `locale`).",
    "notifications.add_my_robot": "Robot webhook addresses are secrets: set up on the pages only, never sent back.",
    "notifications.add_school_robot": "Robot webhook addresses are secrets: set up on the pages only.",
    "notifications.delete_robot": "Robots are set up on the pages only (see add_my_robot).",
    "imports.job_passwords": "Hands out an import's initial passwords once, as a download to keep offline.",
}

NOT_YET = {  # page actions the API does not have yet (issue #18 item 3): each is a gap, not a decision
}


def page_actions(app) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules()
            if not rule.rule.startswith(API_PREFIX) and rule.methods - {"GET", "HEAD", "OPTIONS"}}


def test_every_page_action_is_in_the_api_or_says_why_not(app):
    actions = page_actions(app)
    tables = [set(IN_API), set(NO_API), set(NOT_YET)]
    assert not (tables[0] & tables[1] or tables[0] & tables[2] or tables[1] & tables[2])
    listed = set().union(*tables)
    assert actions - listed == set(), "page actions no table mentions"
    assert listed - actions == set(), "table entries for page actions that are gone"


def test_each_named_operation_exists_and_is_documented(app):
    operations = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(API_PREFIX):
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                operations[f"{method} {rule.rule.removeprefix(API_PREFIX)}"] = app.view_functions[rule.endpoint]
    for action, named in IN_API.items():
        assert named in operations, (action, named)
        assert operation_of(operations[named]) is not None, named
