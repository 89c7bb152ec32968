"""The home page per role: what each person came to do, and the header's count of waiting requests."""
from booking import clock
from booking.bookings.services import cancel_booking, create_booking
from booking.teachers.visits import request_visit
from booking.resources.models import Sharing
from tests import factories
from tests.booking_support import local, single
from tests.teacher_support import auto_confirm
from tests.test_visit_requests import visit


def main_of(response) -> str:
    return response.get_data(as_text=True).split('id="main"')[1]


def test_a_teacher_sees_their_next_bookings_and_where_they_book_most(district, login_as):
    lab = factories.resource(name="科学实验室", owner_school=district.lead)
    gym = factories.resource(name="体育馆", owner_school=district.lead)
    mine = [create_booking(district.teacher_a, single(lab, day=d)).bookings[0] for d in (3, 4, 7)]
    create_booking(district.teacher_a, single(gym, day=8))
    cancel_booking(district.teacher_a, mine[2])
    create_booking(district.teacher_b, single(lab, day=9, title="别人的课"))
    page = main_of(login_as(district.teacher_a).get("/"))
    assert "李老师" in page and "我的近期预约" in page
    assert page.count("科学实验") >= 2 and "别人的课" not in page
    quick = page.split('class="quick-book"')[1].split("</ul>")[0]
    assert quick.index("科学实验室") < quick.index("体育馆")  # booked more often first
    assert "等待您审批" not in page and "今日行程" not in page


def test_a_resource_no_longer_shared_leaves_the_quick_links(district, login_as):
    lab = factories.resource(name="科学实验室", owner_school=district.lead)
    create_booking(district.teacher_a, single(lab))
    lab.sharing = Sharing.OWN_SCHOOL
    page = main_of(login_as(district.teacher_a).get("/"))
    assert 'class="quick-book"' not in page


def test_a_school_admin_sees_the_waiting_requests_also_in_the_header(district, login_as):
    gym = factories.resource(name="体育馆", owner_school=district.lead, approval_required=True)
    create_booking(district.teacher_a, single(gym))
    create_booking(district.teacher_b, single(gym, day=4))
    other = factories.resource(name="别校体育馆", owner_school=district.wangzhuang, approval_required=True)
    create_booking(district.teacher_b, single(other, day=4))
    response = login_as(district.lead_admin).get("/")
    page = main_of(response)
    assert "2 个申请等待处理" in page
    header = response.get_data(as_text=True).split('id="main"')[0]
    assert 'class="badge count" aria-hidden="true">2<' in header and "（2 个待处理）" in header


def test_a_visiting_teacher_lands_on_today(district, login_as):
    auto_confirm(district.lead.district_id)
    request_visit(district.teacher_a, visit(2, district.zhang))
    clock.freeze(local(9, 3, 7))
    page = main_of(login_as(district.zhang.user).get("/"))
    assert "今日行程" in page and "王庄小学" in page


def test_a_coordinator_sees_the_district_at_a_glance(district, login_as):
    page = main_of(login_as(district.coordinator).get("/"))
    assert "学区概况" in page and "加权差异系数" in page and "走教任务" in page
    assert "等待您审批" in page
