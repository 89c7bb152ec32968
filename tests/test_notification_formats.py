"""The robots' formats and signatures, user text made inert, and webhook addresses checked (no app needed)."""
import base64
import hashlib
import hmac
import json
from urllib.parse import parse_qs, quote_plus, urlsplit

import pytest

from booking.notifications import formats
from booking.notifications.channels import UnsafeWebhook, check_url, parse_target

MESSAGE = formats.RobotMessage(title="您的预约「实验」已被批准", lines=["地点：物理实验室"], link="https://x.cn/b/1",
                               link_label="查看")


def test_wecom_text_and_markdown_bodies():
    text = formats.payload("wecom", False, MESSAGE)
    assert text["msgtype"] == "text" and text["text"]["content"].startswith("您的预约「实验」已被批准\n地点")
    markdown = formats.payload("wecom", True, MESSAGE)
    assert markdown["msgtype"] == "markdown"
    assert markdown["markdown"]["content"] == "**您的预约「实验」已被批准**\n> 地点：物理实验室\n[查看](https://x.cn/b/1)"


def test_dingtalk_bodies_and_the_signed_query():
    assert formats.payload("dingtalk", False, MESSAGE) == {"msgtype": "text", "text": {"content": formats._plain(MESSAGE)}}
    body = formats.payload("dingtalk", True, MESSAGE)
    assert body["msgtype"] == "markdown" and body["markdown"]["title"] == MESSAGE.title
    url, data = formats.signed_request("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=T", "SECabc",
                                       body, 1_700_000_000.123)
    query = parse_qs(urlsplit(url).query)
    assert query["access_token"] == ["T"] and query["timestamp"] == ["1700000000123"]
    expected = base64.b64encode(hmac.new(b"SECabc", b"1700000000123\nSECabc", hashlib.sha256).digest()).decode()
    assert query["sign"] == [expected]  # parse_qs undoes the URL encoding
    assert url.partition("sign=")[2] == quote_plus(expected)  # base64 then URL-encoded, as DingTalk documents
    assert json.loads(data) == body


def test_feishu_bodies_and_the_signed_body():
    body = formats.payload("feishu", True, MESSAGE)
    post = body["content"]["post"]["zh_cn"]
    assert body["msg_type"] == "post" and post["title"] == MESSAGE.title
    assert post["content"][-1] == [{"tag": "a", "text": "查看", "href": "https://x.cn/b/1"}]
    assert formats.payload("feishu", False, MESSAGE)["content"]["text"].startswith(MESSAGE.title)
    url, data = formats.signed_request("feishu", "https://open.feishu.cn/open-apis/bot/v2/hook/h", "s3cret", body,
                                       1_700_000_000.9)
    sent = json.loads(data)
    assert url == "https://open.feishu.cn/open-apis/bot/v2/hook/h"
    assert sent["timestamp"] == "1700000000"
    expected = base64.b64encode(hmac.new(b"1700000000\ns3cret", b"", hashlib.sha256).digest()).decode()
    assert sent["sign"] == expected and sent["msg_type"] == "post"


def test_unsigned_robots_get_the_body_unchanged():
    body = formats.payload("wecom", True, MESSAGE)
    url, data = formats.signed_request("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", "", body, 1.0)
    assert url.endswith("key=k") and json.loads(data) == body


def test_user_text_cannot_become_markup_or_a_mention():
    hostile = "**粗体** [点我](http://evil.cn) <@all> <font color=\"warning\">x</font> # 标题\n> 引用 @13800000000"
    clean = formats.neutralise(hostile)
    for markup in ("**", "[", "](", "<@", "<font", "\n", "#", ">", "@"):
        assert markup not in clean
    assert "粗体" in clean and "点我" in clean  # the words stay readable


@pytest.mark.parametrize("answer, status, ok", [
    (b'{"errcode":0,"errmsg":"ok"}', 200, True), (b'{"code":0,"msg":"success"}', 200, True),
    (b'{"errcode":310000,"errmsg":"sign not match"}', 200, False), (b'{"code":19021,"msg":"sign match fail"}', 200, False),
    (b"", 500, False), (b"ok", 200, True)])
def test_a_robot_takes_a_message_only_with_code_zero(answer, status, ok):
    assert formats.accepted("dingtalk", status, answer)[0] is ok


def test_addresses_are_shown_shortened():
    assert formats.mask_url("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a-xyz9") == \
        "https://qyapi.weixin.qq.com/…xyz9"


@pytest.mark.parametrize("url", ["ftp://x.cn/a", "not a url", "https://user:pw@x.cn/a", "http://qyapi.weixin.qq.com/a",
                                 "https://127.0.0.1/hook", "https://10.1.2.3/hook", "https://169.254.169.254/latest",
                                 "https://localhost/hook", "https://[::1]/hook", "https://[::ffff:10.0.0.1]/h",
                                 "https://8.8.8.8/a b", "https://8.8.8.8/a\r\nX-Injected: 1"])
def test_unsafe_webhook_addresses_are_refused(url, app):
    with pytest.raises(UnsafeWebhook):
        check_url(url, frozenset())


def test_listed_hosts_may_be_private_and_plain_http(app):
    check_url("http://127.0.0.1:9/hook", frozenset({"127.0.0.1"}))
    assert parse_target("http://127.0.0.1:9/h?x=1", {"127.0.0.1"}).path == "/h?x=1"
    with pytest.raises(UnsafeWebhook):
        parse_target("http://robot.example.cn/h", {"127.0.0.1"})


def test_long_text_fits_wecoms_byte_limits_and_keeps_the_link():
    long = formats.RobotMessage(title="长" * 3000, lines=["原因：" + "很" * 3000], link="https://x.cn/b/1",
                                link_label="查看")
    text = formats.payload("wecom", False, long)["text"]["content"]
    markdown = formats.payload("wecom", True, long)["markdown"]["content"]
    assert len(text.encode()) <= 2048 and text.endswith("查看: https://x.cn/b/1")
    assert len(markdown.encode()) <= 4096 and markdown.endswith("[查看](https://x.cn/b/1)")
    assert formats.cut_to_bytes("短", 10) == "短"
