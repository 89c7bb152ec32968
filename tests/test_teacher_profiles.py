"""Visiting-teacher profiles and home-school timetables: who may edit, what is checked, nothing half-saved."""
from __future__ import annotations

import pytest

from booking.accounts.models import Role
from booking.audit.models import AuditEntry
from booking.bookings.errors import NotAllowed
from booking.extensions import db
from booking.resources.models import Resource, ResourceKind
from booking.schools.models import TravelTime
from booking.teachers import profiles as service
from booking.teachers.models import TeacherBusyTime, TeacherProfile
from booking.teachers.rules import BusyInput, ProfileInput
from booking.validation import ValidationFailed
from tests import factories


def new_input(district, user, **kw) -> ProfileInput:
    values = dict(user_id=str(user.id), home_school_id=str(district.lead.id), weekly_cap="6",
                  subjects=["art", "music"], served_school_ids=[str(district.wangzhuang.id), str(district.shimen.id)],
                  availability="1-5 08:00-12:00,14:00-17:00")
    values.update(kw)
    return ProfileInput(**values)


def test_a_lead_school_admin_creates_a_profile_and_its_resource(district):
    user = factories.user(school=district.lead, display_name="陈静")
    profile = service.save_profile(new_input(district, user), district.lead_admin)
    resource = profile.resource
    assert (resource.kind, resource.name, resource.owner_school_id) == (ResourceKind.TEACHER, "陈静", district.lead.id)
    assert profile.subjects == ["art", "music"] and profile.weekly_cap == 6
    assert {s.name for s in profile.served} == {"王庄小学", "石门小学"}
    assert [(h.weekday, f"{h.opens:%H:%M}", f"{h.closes:%H:%M}") for h in resource.opening_hours][:2] == [
        (0, "08:00", "12:00"), (0, "14:00", "17:00")]
    assert resource.approval_required  # the default: visit requests go to the lead school's admin
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "teacher.create"))
    assert entry.details["resource_id"] == resource.id and entry.details["weekly_cap"] == 6


def test_the_profile_cannot_be_saved_while_travel_times_are_missing(district):
    db.session.execute(db.delete(TravelTime).where(TravelTime.minutes == 30))  # 石门–青石岭 (and the two leads)
    db.session.commit()
    user = factories.user(school=district.lead)
    before = db.session.query(Resource).count()
    with pytest.raises(ValidationFailed) as failed:
        service.save_profile(new_input(district, user, served_school_ids=[str(district.shimen.id),
                                                                          str(district.far.id)]), district.lead_admin)
    message = str(failed.value.errors["served_school_ids"])
    assert list(failed.value.errors) == ["served_school_ids"] and "石门小学" in message and "青石岭小学" in message
    assert db.session.query(Resource).count() == before and service.profile_of_user(user.id) is None


@pytest.mark.parametrize("cap", ["0", "-1"])
def test_a_workload_cap_of_zero_or_less_is_refused(district, cap):
    with pytest.raises(ValidationFailed) as failed:
        service.save_profile(new_input(district, factories.user(school=district.lead), weekly_cap=cap),
                             district.lead_admin)
    assert list(failed.value.errors) == ["weekly_cap"]


def test_one_profile_per_user_and_per_resource_and_only_teacher_resources(district):
    room = factories.resource(owner_school=district.lead)
    with pytest.raises(ValidationFailed) as failed:
        service.save_profile(new_input(district, district.zhang.user, resource_id=str(room.id)), district.lead_admin)
    assert set(failed.value.errors) == {"user_id", "resource_id"}
    with pytest.raises(ValidationFailed) as taken:
        service.save_profile(new_input(district, factories.user(school=district.lead),
                                       resource_id=str(district.liu.resource_id)), district.coordinator)
    assert list(taken.value.errors) == ["resource_id"]


def test_only_the_home_schools_admins_and_coordinators_manage_a_profile(district):
    other_admin = factories.user(role=Role.SCHOOL_ADMIN, school=district.wangzhuang)
    with pytest.raises(ValidationFailed) as failed:
        service.save_profile(new_input(district, factories.user(school=district.lead)), other_admin)
    assert set(failed.value.errors) == {"user_id", "home_school_id"}
    with pytest.raises(NotAllowed):
        service.add_busy_time(other_admin, district.zhang, BusyInput("0", "08:00", "08:40"))
    assert [p.user.display_name for p in service.profiles_for(district.lead_admin)] == ["张丽", "王强"]
    assert len(service.profiles_for(district.coordinator)) == 3


def test_editing_keeps_the_resource_and_replaces_subjects_schools_and_times(district):
    profile = district.zhang
    data = new_input(district, profile.user, subjects=["music"], served_school_ids=[str(district.far.id)],
                     availability="1-3 13:00-17:00", weekly_cap="4")
    service.save_profile(data, district.coordinator, profile)
    db.session.refresh(profile)
    assert profile.resource.name == "音乐 · 张丽老师" and [s.name for s in profile.served] == ["青石岭小学"]
    assert {h.weekday for h in profile.resource.opening_hours} == {0, 1, 2} and profile.weekly_cap == 4


def test_home_school_times_are_added_imported_and_removed(district):
    admin, profile = district.lead_admin, district.zhang
    row = service.add_busy_time(admin, profile, BusyInput("3", "08:00", "09:30", str(district.term.id), note="本校"))
    assert (row.weekday, row.term_id) == (3, district.term.id)
    with pytest.raises(ValidationFailed) as failed:
        service.add_busy_time(admin, profile, BusyInput("3", "10:00", "09:00", "999999"))
    assert set(failed.value.errors) == {"ends"}
    with pytest.raises(ValidationFailed) as unknown:
        service.add_busy_time(admin, profile, BusyInput("3", "10:00", "11:00", "999999"))
    assert set(unknown.value.errors) == {"term_id"}
    rows = service.import_timetable(admin, profile, "1-2 08:00-08:40 一年级音乐\n5 14:00-14:40", "")
    assert len(rows) == 3 and rows[0].note == "一年级音乐" and rows[2].note == ""
    with pytest.raises(ValidationFailed) as bad:
        service.import_timetable(admin, profile, "Mon 8-9", "")
    assert list(bad.value.errors) == ["timetable"]
    service.remove_busy_time(admin, profile, row.id)
    assert db.session.query(TeacherBusyTime).count() == 3


def test_the_visit_setting_applies_to_every_teacher_resource(district):
    with pytest.raises(NotAllowed):
        service.set_visits_auto_confirm(district.lead_admin, True)
    service.set_visits_auto_confirm(district.coordinator, False)
    assert not service.visits_auto_confirm()
    assert all(p.resource.approval_required for p in db.session.scalars(db.select(TeacherProfile)))
    service.set_visits_auto_confirm(district.coordinator, True)
    assert not any(p.resource.approval_required for p in db.session.scalars(db.select(TeacherProfile)))


# --- the pages ---------------------------------------------------------------------------------

def test_profile_pages_show_field_errors_and_save(district, login_as):
    client = login_as(district.lead_admin)
    assert "张丽" in client.get("/teachers/profiles").get_data(as_text=True)
    user = factories.user(school=district.lead, display_name="孙悦")
    form = {"user_id": str(user.id), "home_school_id": str(district.lead.id), "weekly_cap": "0", "subjects": ["art"],
            "served_school_ids": [str(district.wangzhuang.id)], "availability": "1-5 08:00-17:00"}
    refused = client.post("/teachers/profiles/new", data=form)
    assert refused.status_code == 422 and "至少为1节" in refused.get_data(as_text=True)
    saved = client.post("/teachers/profiles/new", data={**form, "weekly_cap": "5"})
    assert saved.status_code == 302
    profile = service.profile_of_user(user.id)
    page = client.get(f"/teachers/profiles/{profile.id}").get_data(as_text=True)
    assert "孙悦" in page and "王庄小学" in page
    assert "星期一至星期五 08:00–17:00" in page and "1-5 08:00-17:00" not in page  # as people read it
    added = client.post(f"/teachers/profiles/{profile.id}/busy",
                        data={"weekday": "1", "starts": "08:00", "ends": "08:40", "note": "本校美术课"})
    assert added.status_code == 302 and len(profile.busy_times) == 1
    bad = client.post(f"/teachers/profiles/{profile.id}/busy", data={"weekday": "", "starts": "8", "ends": ""})
    assert bad.status_code == 422
    assert client.get(f"/teachers/profiles/{district.liu.id}").status_code == 404  # another lead school's
    client.post("/logout")
    teacher = login_as(district.teacher_a)
    assert teacher.get("/teachers/profiles").status_code == 403


# --- whose teachers an admin may attach ------------------------------------------------------------

def test_a_school_admin_cannot_attach_another_schools_teacher(district, login_as):
    """The lead school's admin may not make 李寨's teacher (or 石门's) a visiting teacher of 新天."""
    client = login_as(district.lead_admin)
    foreign = factories.user(school=district.lead2, display_name="李寨的老师")
    form = {"user_id": str(foreign.id), "home_school_id": str(district.lead.id), "weekly_cap": "5",
            "subjects": ["art"], "served_school_ids": [str(district.wangzhuang.id)], "availability": "1-5 08:00-17:00"}
    page = client.get("/teachers/profiles/new").get_data(as_text=True)
    assert "李寨的老师" not in page and "赵老师" not in page  # 石门小学's teacher_b: not the lead school's either
    assert f'value="{district.lead2.id}"' not in page.split('name="home_school_id"')[1].split("</select>")[0]
    refused = client.post("/teachers/profiles/new", data=form)
    assert refused.status_code == 422 and "请选择您所管理学校的教师" in refused.get_data(as_text=True)
    assert service.profile_of_user(foreign.id) is None
    with pytest.raises(ValidationFailed) as failed:
        service.save_profile(new_input(district, district.teacher_b), district.lead_admin)
    assert list(failed.value.errors) == ["user_id"]


def test_a_school_admin_cannot_link_another_schools_teacher_resource(district):
    other_schools = factories.resource(owner_school=district.lead2, name="李寨 · 音乐", kind=ResourceKind.TEACHER,
                                       category="visiting_teacher", subject="music")
    assert other_schools not in service.unlinked_teacher_resources(district.lead_admin)
    with pytest.raises(ValidationFailed) as failed:
        service.save_profile(new_input(district, factories.user(school=district.lead),
                                       resource_id=str(other_schools.id)), district.lead_admin)
    assert list(failed.value.errors) == ["resource_id"]
    assert other_schools in service.unlinked_teacher_resources(district.coordinator)


def test_availability_that_would_break_a_booked_lesson_is_refused_and_nothing_changes(district):
    """A teacher's availability is their resource's opening hours (issue 10, item 4): narrowing it below a
    booked lesson is refused, as a resource edit is, instead of leaving the lesson outside the rules."""
    from booking.bookings.models import Booking, BookingStatus
    from booking.teachers.visits import request_visit
    from tests.teacher_support import auto_confirm
    from tests.test_visit_requests import visit

    auto_confirm(district.lead.district_id)
    profile = district.zhang
    lesson = request_visit(district.teacher_a, visit(2, profile)).bookings[0]  # Thursday 3 September
    db.session.commit()
    hours_before = {h.weekday for h in profile.resource.opening_hours}
    data = new_input(district, profile.user, subjects=["music"], served_school_ids=[str(district.wangzhuang.id)],
                     availability="1-3 08:00-12:00")  # Monday to Wednesday only
    with pytest.raises(ValidationFailed) as refused:
        service.save_profile(data, district.coordinator, profile)
    assert "1" in str(refused.value.errors["availability"])
    db.session.rollback()
    db.session.expire_all()
    assert {h.weekday for h in profile.resource.opening_hours} == hours_before
    assert db.session.get(Booking, lesson.id).status == BookingStatus.CONFIRMED
