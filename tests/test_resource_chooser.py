"""The resource chooser (/bookings/new): by school with its name, the user's school first and then by
travel time, searchable on the server, 30 a page; identical names told apart by school and room."""
import re

import pytest

from booking.resources.models import Category
from tests import factories
from tests.test_booking_pages import text_of


@pytest.fixture
@factories.batched
def district(app):
    home = factories.school(name="Home Primary")
    teacher = factories.user(locale="en", school=home)
    near, far, unknown = (factories.school(name=n) for n in ("Near Primary", "Far Primary", "Aaa Unlinked"))
    factories.travel(home, near, 10)
    factories.travel(home, far, 40)
    for school in (far, unknown, near, home):
        factories.resource(owner_school=school, name="多媒体教室", category=Category.MULTIMEDIA_ROOM)
    return teacher, home, near, far, unknown


def headings(response) -> list[str]:
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", h)).strip()
            for h in re.findall(r'<h2 class="h4" id="school-[^"]+">(.*?)</h2>', response.get_data(as_text=True), re.S)]


def test_schools_come_nearest_first_with_their_names(district, client, login_as):
    teacher, *_ = district
    login_as(teacher)
    response = client.get("/bookings/new")
    assert response.status_code == 200
    assert headings(response) == ["Home Primary at your school", "Near Primary 10 minutes away",
                                  "Far Primary 40 minutes away", "Aaa Unlinked travel time unknown"]
    # Each of the four identical names carries its school in the link's accessible name.
    html = response.get_data(as_text=True)
    assert len(re.findall(r'>多媒体教室<span class="visually-hidden">, (Home|Near|Far|Aaa)', html)) == 4


def test_the_search_narrows_by_name_room_or_school_and_category(district, client, login_as):
    teacher, home, near, *_ = district
    factories.resource(owner_school=near, name="物理实验室", location="实验楼 201", category=Category.LAB)
    login_as(teacher)
    assert headings(client.get("/bookings/new?q=Near")) == ["Near Primary 10 minutes away"]
    by_room = text_of(client.get("/bookings/new?q=实验楼"))
    assert "物理实验室" in by_room and "多媒体教室" not in by_room and "实验楼 201" in by_room
    by_category = client.get("/bookings/new?category=lab")
    assert headings(by_category) == ["Near Primary 10 minutes away"]
    nothing = client.get("/bookings/new?q=%25")  # a LIKE wildcard is a character like any other
    assert nothing.status_code == 200 and "Nothing matches" in text_of(nothing)
    assert client.get("/bookings/new?category=nonsense&page=abc").status_code == 200


def test_identical_names_at_one_school_are_told_apart(district, client, login_as):
    teacher, home, *_ = district
    twin = factories.resource(owner_school=home, name="多媒体教室", category=Category.MULTIMEDIA_ROOM)
    roomed = factories.resource(owner_school=home, name="多媒体教室", location="二楼", category=Category.MULTIMEDIA_ROOM)
    login_as(teacher)
    page = text_of(client.get("/bookings/new?q=Home"))
    assert f"No. {twin.id}" in page and "二楼" in page and f"No. {roomed.id}" not in page


def test_long_lists_page_by_thirty(district, client, login_as):
    teacher, home, *_ = district
    for n in range(31):
        factories.resource(owner_school=home, name=f"Room {n:02d}", category=Category.LIBRARY)
    login_as(teacher)
    first = client.get("/bookings/new?category=library")
    html = first.get_data(as_text=True)
    assert html.count('<li>\n      <a href="/bookings/new/') == 30 and "1–30 of 31" in text_of(first)
    assert "page=2" in html and "category=library" in html
    second = text_of(client.get("/bookings/new?category=library&page=2"))
    assert "Room 30" in second and "Room 00" not in second and "31–31 of 31" in second


def test_a_coordinator_without_a_school_sees_schools_by_name(district, client, login_as):
    from booking.accounts.models import Role

    login_as(factories.user(role=Role.COORDINATOR, locale="en"))
    assert [h.split(" travel")[0] for h in headings(client.get("/bookings/new"))] == [
        "Aaa Unlinked", "Far Primary", "Home Primary", "Near Primary"]
