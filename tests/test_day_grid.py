"""The day grid: many rooms × bell periods for one day, each cell in words, free cells book that period."""
from datetime import date, time

from booking.bookings.services import create_booking
from booking.bookings.web.grid import Period, build_day_column, build_day_grid
from booking.resources.models import ResourceKind
from tests import factories
from tests.booking_support import NOW, ZONE, freeze, single


def test_columns_keep_their_own_bells_and_the_rows_cover_every_period():
    day = date(2026, 9, 3)
    early = [Period(1, time(8, 0), time(8, 40))]
    late = [Period(1, time(8, 10), time(8, 50)), Period(2, time(9, 0), time(9, 40))]
    grid = build_day_grid(day, [build_day_column("a", day, early, [], {(day, 1)}, ZONE, NOW),
                                build_day_column("b", day, late, [], set(), ZONE, NOW)])
    assert grid.numbers == (1, 2) and not grid.one_timetable
    assert grid.columns[0].cells[1].state == "free" and 2 not in grid.columns[0].cells
    assert grid.columns[1].cells[2].state == "unavailable"
    assert (grid.previous_day, grid.next_day) == (date(2026, 9, 2), date(2026, 9, 4))


def test_the_page_shows_a_schools_rooms_and_books_the_period_at_that_school(app, client, login_as):
    freeze()
    school = factories.school(name="新天寄宿制小学")
    lab = factories.resource(name="科学实验室", owner_school=school)
    gym = factories.resource(name="体育馆", owner_school=school)
    factories.resource(name="音乐 · 张老师", owner_school=school, kind=ResourceKind.TEACHER)
    teacher = factories.user(school=school, display_name="丁老师")
    create_booking(teacher, single(lab))
    page = login_as(teacher).get(f"/bookings/day?day=2026-09-03&school={school.id}").get_data(as_text=True)
    grid = page.split('class="week-grid day-grid"')[1]
    assert "科学实验室" in grid and "体育馆" in grid and "张老师" not in grid
    assert "三年级2班 (科学实验)" in grid  # the booked cell says who holds it
    assert f"/bookings/new/{gym.id}?day=2026-09-03&amp;period_number=3" in grid
    assert "第3节" in grid and "空闲 · 预约" in grid


def test_a_bad_day_or_page_still_answers_a_grid(app, client, login_as):
    freeze()
    factories.resource(name="科学实验室")
    login_as(factories.user())
    for query in ("day=not-a-day", "day=9999-01-01", "page=abc", "school=999999", "category=nonsense"):
        assert client.get(f"/bookings/day?{query}").status_code == 200


def test_the_week_grid_shows_one_day_on_a_phone_and_steps_across_weeks(app, client, login_as):
    freeze()  # Tuesday 1 September 2026
    lab = factories.resource(name="科学实验室")
    login_as(factories.user())
    html = client.get(f"/resources/{lab.id}?week=2026-08-31").get_data(as_text=True)
    grid = html.split('class="week-grid"')[1].split("</table>")[0]
    assert grid.count('class="other-day"') == 4  # every weekday heading but today's is hidden on a phone
    friday = client.get(f"/resources/{lab.id}?week=2026-09-04&day=2026-09-04").get_data(as_text=True)
    steps = friday.split('class="phone-only day-steps"')[1].split("</nav>")[0]
    assert "week=2026-09-03&amp;day=2026-09-03" in steps and "week=2026-09-07&amp;day=2026-09-07" in steps


def test_the_day_grid_asks_for_a_date_not_a_weekday(app, client, login_as):
    """Regression: the date field was labelled "Day", translated 星期 (weekday) for the opening hours' column."""
    login_as(factories.user())
    page = client.get("/bookings/day").get_data(as_text=True)
    assert '<label>日期<input type="date" name="day"' in page


def test_a_teacher_whose_school_has_no_rooms_is_told_whose_rooms_are_shown(app, client, login_as):
    """Found: the grid opened on another school's rooms with no word why. One school's grid names no school
    in each column (the heading repeated it eight times, which pushed the eighth column out of a desk's frame);
    a category's grid does."""
    freeze()
    host = factories.school(name="新天寄宿制小学")
    factories.resource(name="科学实验室", owner_school=host, capacity=48)
    village = factories.school(name="杨家岭小学")
    login_as(factories.user(school=village))
    page = client.get("/bookings/day?day=2026-09-03").get_data(as_text=True)
    assert "杨家岭小学没有可共享的场地，现显示新天寄宿制小学。" in page
    head = page.split('class="week-grid day-grid"')[1].split("</thead>")[0]
    assert "容纳 48 人" in head and "新天寄宿制小学" not in head
    chosen = client.get(f"/bookings/day?day=2026-09-03&school={host.id}").get_data(as_text=True)
    assert "没有可共享的场地" not in chosen
    by_category = client.get("/bookings/day?day=2026-09-03&category=lab").get_data(as_text=True)
    assert "新天寄宿制小学" in by_category.split('class="week-grid day-grid"')[1].split("</thead>")[0]
