"""Long lists a page at a time: the resource list pages, keeps its filters and never breaks on a bad page."""
import pytest

from booking.paging import Page
from tests import factories


def test_a_page_knows_its_place():
    page = Page(items=[], number=2, size=30, total=61)
    assert (page.pages, page.previous_number, page.next_number) == (3, 1, 3)
    assert (page.first_position, page.last_position) == (31, 60)
    assert Page([], 1, 30, 0).pages == 1 and Page([], 1, 30, 0).first_position == 0


@pytest.fixture
def many(app):
    school = factories.school(name="杨家岭小学")
    return [factories.resource(name=f"实验室{n:02d}", owner_school=school) for n in range(65)]


def test_the_resource_list_shows_thirty_at_a_time_with_links(many, client, login_as):
    login_as(factories.user())
    first = client.get("/resources/?q=实验室").get_data(as_text=True)
    assert "实验室00" in first and "实验室29" in first and "实验室30" not in first
    assert "65" in first and 'rel="next"' in first and "q=%E5%AE%9E%E9%AA%8C%E5%AE%A4" in first
    last = client.get("/resources/?q=实验室&page=3").get_data(as_text=True)
    assert "实验室64" in last and "实验室59" not in last and 'rel="prev"' in last


@pytest.mark.parametrize("page", ["999", "0", "-1", "abc", "1e9"])
def test_any_page_number_answers_a_page(many, client, login_as, page):
    login_as(factories.user())
    response = client.get(f"/resources/?page={page}")
    assert response.status_code == 200 and "实验室" in response.get_data(as_text=True)
