"""School input rules: the checks the admin form and the CSV import share."""
import pytest

from booking.audit.models import AuditEntry
from booking.extensions import db
from booking.schools import services
from booking.schools.models import School, Stage
from booking.schools.services import SchoolInput
from booking.validation import ValidationFailed
from tests import factories


def school_input(**kw) -> SchoolInput:
    values = dict(code="XT01", name="新天寄宿制小学", stage="primary", enrollment="860", area="上片")
    values.update(kw)
    return SchoolInput(**values)


def test_create_school_from_strings_records_an_audit_entry(app):
    coordinator = factories.user(role="coordinator")
    school = services.create_school(school_input(is_lead=True), coordinator)
    assert (school.code, school.enrollment, school.stage, school.is_lead) == ("XT01", 860, Stage.PRIMARY, True)
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "school.create"))
    assert entry.actor_id == coordinator.id and entry.entity_id == str(school.id)


@pytest.mark.parametrize("enrollment", ["abc", "-5", "", None, "1.5", "100001", -1])
def test_enrollment_must_be_a_whole_number_not_negative(app, enrollment):
    with pytest.raises(ValidationFailed) as failed:
        services.create_school(school_input(enrollment=enrollment), None)
    assert set(failed.value.errors) == {"enrollment"}
    assert db.session.scalar(db.select(db.func.count()).select_from(School)) == 0


@pytest.mark.parametrize("code", ["", "   ", "X" * 33, "有 空格", "-lead", "a/b"])
def test_code_must_be_present_short_and_plain(app, code):
    errors, _lead = services.check_school_input(school_input(code=code))
    assert set(errors) == {"code"}


def test_code_must_be_unique_but_an_edit_may_keep_its_own(app):
    existing = factories.school(code="XT01")
    errors, _lead = services.check_school_input(school_input(code="XT01"))
    assert "code" in errors
    errors, _lead = services.check_school_input(school_input(code="XT01"), existing)
    assert errors == {}


def test_name_and_stage_are_required(app):
    errors, _lead = services.check_school_input(school_input(name=" ", stage="college"))
    assert set(errors) == {"name", "stage"}


def test_tied_school_names_an_existing_active_lead(app):
    lead = factories.school(code="LEAD", is_lead=True)
    plain = factories.school(code="PLAIN")
    errors, found = services.check_school_input(school_input(lead_school_code="LEAD"))
    assert errors == {} and found is lead
    errors, _ = services.check_school_input(school_input(lead_school_code="NOPE"))
    assert "NOPE" in str(errors["lead_school_code"])
    errors, _ = services.check_school_input(school_input(lead_school_code=plain.code))
    assert set(errors) == {"lead_school_code"}
    errors, _ = services.check_school_input(school_input(code="LEAD", is_lead=False, lead_school_code="LEAD"), lead)
    assert set(errors) == {"lead_school_code"}


def test_a_lead_school_is_not_tied_to_another_lead(app):
    factories.school(code="LEAD", is_lead=True)
    errors, _ = services.check_school_input(school_input(is_lead=True, lead_school_code="LEAD"))
    assert set(errors) == {"lead_school_code"}


def test_a_lead_with_tied_schools_stays_a_lead_and_active(app):
    lead = factories.school(code="LEAD", is_lead=True)
    factories.school(lead_school_id=lead.id)
    errors, _ = services.check_school_input(school_input(code="LEAD", is_lead=False), lead)
    assert set(errors) == {"is_lead"}
    with pytest.raises(ValidationFailed) as failed:
        services.set_school_active(lead, False, None)
    assert set(failed.value.errors) == {"active"}
    assert lead.active


def test_check_school_input_leaves_the_session_alone(app):
    pending = School(code="NEW", name="新学校", stage=Stage.PRIMARY, district_id=factories.district().id)
    db.session.add(pending)
    services.check_school_input(school_input(code="NEW"))
    assert pending in db.session.new  # not flushed by the check
    db.session.rollback()


def test_update_school_changes_fields_and_ties_to_lead(app):
    lead = factories.school(code="LEAD", is_lead=True)
    school = factories.school(code="OLD")
    services.update_school(school, school_input(code="NEW", enrollment=42, lead_school_code="LEAD", is_weak=True),
                           None)
    db.session.expire_all()
    assert (school.code, school.enrollment, school.lead_school_id, school.is_weak) == ("NEW", 42, lead.id, True)


def test_deactivate_and_reactivate_school(app):
    school = factories.school()
    services.set_school_active(school, False, None)
    assert school not in services.list_schools()
    services.set_school_active(school, True, None)
    assert school in services.list_schools()


def test_schools_grouped_under_their_lead(app):
    lead = factories.school(code="A", is_lead=True)
    tied = factories.school(code="B", lead_school_id=lead.id)
    loose = factories.school(code="C")
    assert services.schools_by_lead(services.list_schools()) == [(lead, [tied]), (None, [loose])]
