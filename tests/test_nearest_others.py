"""The other resources a refusal's alternatives look at: the nearest campuses first, unknown distances last."""
from __future__ import annotations

from booking.bookings.suggestions import nearest_others
from tests import factories


@factories.batched
def _district():
    home = factories.school(name="北村小学")
    teacher = factories.user(school=home)
    asked = factories.resource(name="中心校实验室", owner_school=factories.school(name="中心校"))
    far, near, unknown = (factories.school(name=name) for name in ("远山小学", "近河小学", "无记录小学"))
    factories.travel(home, far, 30)
    factories.travel(home, near, 5)
    factories.travel(home, asked.owner_school, 12)
    for school, name in ((unknown, "甲实验室"), (far, "乙实验室"), (near, "丙实验室"), (home, "本校实验室")):
        factories.resource(name=name, owner_school=school)
    return teacher, asked


def test_the_nearest_campuses_come_first_and_unknown_distances_last(app):
    teacher, asked = _district()
    others, own = nearest_others(teacher, asked, teacher.school_id)
    assert [(resource.name, minutes) for resource, minutes in others] == [
        ("本校实验室", 0), ("丙实验室", 5), ("乙实验室", 30), ("甲实验室", None)]
    assert own == 12


def test_the_limit_keeps_the_nearest(app):
    teacher, asked = _district()
    others, _own = nearest_others(teacher, asked, teacher.school_id, limit=2)
    assert [resource.name for resource, _minutes in others] == ["本校实验室", "丙实验室"]
