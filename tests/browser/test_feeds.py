"""A teacher gets a calendar subscription link on the profile page (in Chinese, on a phone) and copies it."""
import re
import urllib.request

from tests import factories
from tests.browser.conftest import sign_in


def test_teacher_gets_a_subscription_link_and_copies_it(page, live_server):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    factories.user(email="li@example.cn", display_name="李老师")
    sign_in(page, live_server, "li@example.cn")
    page.goto(f"{live_server}/profile")
    block = page.get_by_role("region", name="在日历应用中订阅")
    block.get_by_role("button", name="获取订阅链接").click()

    link = page.get_by_label("订阅链接")
    link.wait_for()
    url = link.input_value()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/feeds/[A-Za-z0-9_-]{32}\.ics", url)
    webcal = page.get_by_role("link", name="在我的日历应用中打开")
    assert webcal.get_attribute("href") == "webcal://" + url.split("://", 1)[1]

    page.get_by_role("button", name="复制").click()
    page.get_by_text("已复制。请粘贴到您的日历应用中。").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == url

    with urllib.request.urlopen(url) as response:  # what a calendar app would fetch
        assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
        assert b"BEGIN:VCALENDAR" in response.read()

    page.get_by_role("button", name="完成").click()  # back to the profile
    page.wait_for_url(f"{live_server}/profile")
    assert page.get_by_label("订阅链接").count() == 0, "the secret link is shown only once"
    assert page.get_by_role("button", name="停用链接").is_visible()
