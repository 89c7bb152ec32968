"""Each role's main pages, every administration page and 我的预约's calendar at a phone's size (390×844) and
a desk's (1366×900), in Chinese: every page answers, nothing scrolls sideways, axe-core finds no serious or
critical violation, and on a phone no table cell is squeezed narrower than two Chinese characters, no name is
broken across lines and no table but a matrix scrolls inside its frame."""
from __future__ import annotations

from datetime import date

import pytest

from booking.accounts.models import Role
from booking.bookings.services import cancel_booking, create_booking
from booking.extensions import db
from booking.quotas.settings import set_quota, set_window
from booking.resources.blackouts import BlackoutInput, create_blackout
from booking.schools.makeup import MakeupDayInput, create_makeup_day
from tests import factories
from tests.booking_support import freeze, local, single
from tests.browser.axe import describe, violations
from tests.browser.conftest import csp_refusals, sign_in

WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1
               && !e.closest('.visually-hidden')
               && !(e.parentElement && e.parentElement.closest('.table-wrap')))
  .slice(0, 4).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""

SIDEWAYS = "document.scrollingElement.scrollWidth - window.innerWidth"

# Table cells (shown, holding text) whose text box is narrower than two characters of their own font.
SQUEEZED = """() => [...document.querySelectorAll('main table th, main table td')]
  .filter(c => c.offsetParent !== null && c.innerText.trim() && !c.closest('.visually-hidden'))
  .filter(c => {
    const s = getComputedStyle(c);
    const inner = c.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
    return inner < 2 * parseFloat(s.fontSize);
  })
  .slice(0, 4).map(c => c.tagName + ' "' + c.innerText.trim().slice(0, 12) + '" ' + c.clientWidth + 'px')"""

# Table frames that scroll sideways on a phone; only the matrices may (schools × schools, schools × mandates)
# and the report tables, which another part of the walk answers for.
SCROLLING_FRAMES = """() => [...document.querySelectorAll('.table-wrap')]
  .filter(w => w.offsetParent !== null && w.scrollWidth > w.clientWidth + 1
               && !w.querySelector('table.travel-matrix, table.mandates, table.report-table'))
  .map(w => w.querySelector('th').innerText.slice(0, 12) + ' ' + w.scrollWidth + '>' + w.clientWidth)"""

# Runs of Chinese characters (a school's name, 图书室) broken across lines, outside cells of sentences (.prose).
BROKEN_NAMES = """() => {
  const found = [];
  for (const cell of document.querySelectorAll('main table tbody th, main table tbody td')) {
    if (cell.offsetParent === null || cell.closest('.visually-hidden') || cell.matches('.prose')) continue;
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.data.matchAll(/[\\u4e00-\\u9fff]{2,8}/g)) {
        const range = document.createRange();
        range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
        const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (tops.size > 1) found.push(m[0] + ' in ' + tops.size + ' lines');
      }
    }
  }
  return found.slice(0, 4);
}"""


# Things to tap on a phone smaller than 44×44 px (WCAG 2.5.5), but links inside a sentence (a paragraph, a
# list of text), which WCAG leaves to the text's size. A checkbox or radio counts with its label.
SMALL_TARGETS = """() => [...document.querySelectorAll(
    'main a, main button, main summary, main select, main input, header a, header button')]
  .filter(e => e.offsetParent !== null && !e.closest('.visually-hidden') && e.type !== 'hidden'
               && !(e.tagName === 'A' && e.closest('p, .prose, figcaption, .muted, small, dd')))
  .map(e => [e, (['checkbox', 'radio'].includes(e.type) && e.closest('label')) || e])
  .filter(([e, t]) => { const r = t.getBoundingClientRect(); return r.height < 43.5 || r.width < 43.5; })
  .slice(0, 6).map(([e, t]) => { const r = t.getBoundingClientRect();
    return e.tagName.toLowerCase() + (e.className ? '.' + e.className : '') + ' "' +
      (e.innerText || e.value || e.name || '').trim().slice(0, 10) + '" ' +
      Math.round(r.width) + '×' + Math.round(r.height); })"""


def widest(page) -> list[str]:
    """The first elements that stick out past the viewport (outside the tables that scroll on purpose)."""
    return page.evaluate(WIDEST)


SIZES = {"phone": {"width": 390, "height": 844}, "desk": {"width": 1366, "height": 900}}


@pytest.fixture
def people(app):
    freeze()
    lead = factories.school(name="新天寄宿制小学", code="XT01", is_lead=True, area="上片")
    tied = factories.school(name="新天第七小学", code="XT07", is_weak=True, lead_school_id=lead.id, area="上片")
    village = factories.school(name="杨家岭村教学点", code="XT08", lead_school_id=lead.id, area="上片")
    factories.travel(lead, tied, 15)
    factories.travel(lead, village, 25)
    factories.travel(tied, village, 20)
    term = factories.term(start_date=date(2026, 9, 1), end_date=date(2027, 1, 22))
    closure = factories.closure(school_id=tied.id)
    lab = factories.resource(owner_school=lead, name="物理实验室")
    gym = factories.resource(owner_school=lead, name="体育馆", approval_required=True)
    factories.resource(owner_school=village, name="图书室", category="library")
    teacher = factories.user(email="li.chunmei.teacher@example.cn", school=tied, display_name="李春梅")
    admin = factories.user(email="admin@example.cn", role=Role.SCHOOL_ADMIN, school=lead, display_name="王主任")
    coordinator = factories.user(email="zhou@example.cn", role=Role.COORDINATOR, display_name="周建国")
    booking = create_booking(teacher, single(lab)).bookings[0]
    create_booking(teacher, single(gym, day=4))
    create_booking(teacher, single(lab, day=10, rrule="FREQ=WEEKLY;COUNT=4", title="物理兴趣小组"))
    cancel_booking(admin, booking, reason="设备检修")  # a notification in the teacher's list
    makeup = create_makeup_day(MakeupDayInput(day=date(2026, 10, 10), follows_weekday=4, reason="国庆节补班"),
                               coordinator)
    district_id = lead.district_id
    set_window(coordinator, district_id, {"weak_days": 21, "other_days": 14, "owner_days": 28})
    set_quota(coordinator, district_id, {"hours": 20}, resource_id=gym.id)
    create_blackout(admin, lab, BlackoutInput(local(12, 7, 0), local(12, 12, 0), "换灯管"))
    db.session.commit()
    ids = {"lab": lab.id, "school": lead.id, "term": term.id, "closure": closure.id, "makeup": makeup.id,
           "user": teacher.id}
    return {"teacher": (teacher, ids), "admin": (admin, ids), "coordinator": (coordinator, ids)}


PATHS = {
    "teacher": ["/", "/resources/", "/resources/{lab}", "/bookings/day?day=2026-09-03", "/bookings/mine",
                "/bookings/mine?view=calendar", "/bookings/mine?view=calendar&month=2026-10&series=1",
                "/bookings/new/{lab}", "/bookings/search", "/notifications/", "/notifications/settings",
                "/allocation/", "/profile", "/calendar/feeds"],
    "admin": ["/", "/bookings/approvals", "/resources/manage", "/resources/{lab}/blackouts", "/audit/",
              "/notifications/schools/{school}/robots"],
    "coordinator": ["/", "/reports/", "/allocation/",
                    # 管理: every page of the administration
                    "/admin/", "/admin/schools", "/admin/schools/new", "/admin/schools/{school}",
                    "/admin/schools/{school}/bells", "/admin/travel", "/admin/terms", "/admin/terms/new",
                    "/admin/terms/{term}", "/admin/closures", "/admin/closures/new", "/admin/closures/{closure}",
                    "/admin/makeup-days", "/admin/makeup-days/new", "/admin/makeup-days/{makeup}",
                    "/resources/manage", "/resources/new", "/resources/{lab}/edit", "/resources/{lab}/blackouts",
                    "/admin/users/", "/admin/users/new", "/admin/users/{user}", "/admin/import/",
                    "/admin/import/schools", "/admin/import/resources", "/admin/import/users",
                    "/admin/calendar-import", "/admin/quotas/", "/digests/", "/teachers/profiles",
                    "/teachers/mandates", "/notifications/schools/{school}/robots"],
}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("role", PATHS)
def test_each_roles_pages_are_accessible_at_phone_and_desk_sizes(browser, live_server, people, role, size):
    user, ids = people[role]
    context = browser.new_context(locale="zh-CN", viewport=SIZES[size])
    page = context.new_page()
    page.set_default_timeout(15_000)
    refused = csp_refusals(page)
    try:
        sign_in(page, live_server, user.email)
        problems = []  # every page is visited; then all that is wrong is said at once
        for path in PATHS[role]:
            response = page.goto(live_server + path.format(**ids))
            assert response.status < 400, path
            found = violations(page)
            if found:
                problems.append(f"{path}: {describe(found)}")
            overflow = page.evaluate(SIDEWAYS)
            if overflow > 0:
                problems.append(f"{path} scrolls sideways by {overflow}px: {widest(page)}")
            if size == "phone":
                problems += [f"{path}: a cell narrower than two characters: {c}" for c in page.evaluate(SQUEEZED)]
                problems += [f"{path}: a name broken: {n}" for n in page.evaluate(BROKEN_NAMES)]
                problems += [f"{path}: a table scrolls in its frame: {t}" for t in page.evaluate(SCROLLING_FRAMES)]
                problems += [f"{path}: smaller than 44×44 px to tap: {t}" for t in page.evaluate(SMALL_TARGETS)]
        problems += [f"refused by the Content-Security-Policy: {text}" for text in refused]
        assert not problems, f"at {size}:\n" + "\n".join(problems)
    finally:
        context.close()
