"""The group robots' message formats and signatures. Pure code: no database, no request, no network.

Formats (each robot's documentation, 2024):
- 企业微信 (WeCom) group robot: POST JSON to ``https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…``:
  ``{"msgtype": "text", "text": {"content": …}}`` or ``{"msgtype": "markdown", "markdown": {"content": …}}``;
  answers ``{"errcode": 0, "errmsg": "ok"}``. No signature (the key in the URL is the secret).
- 钉钉 (DingTalk) custom robot: POST JSON to ``https://oapi.dingtalk.com/robot/send?access_token=…``:
  ``{"msgtype": "text", "text": {"content": …}}`` or ``{"msgtype": "markdown", "markdown": {"title", "text"}}``;
  answers ``{"errcode": 0, …}``. Signed mode (加签): ``timestamp`` (ms) and ``sign`` are added to the query,
  ``sign`` = urlEncode(base64(HmacSHA256(key=secret, message="timestamp\\nsecret"))).
- 飞书 (Feishu) custom bot: POST JSON to ``https://open.feishu.cn/open-apis/bot/v2/hook/…``:
  ``{"msg_type": "text", "content": {"text": …}}`` or ``{"msg_type": "post", "content": {"post": {"zh_cn":
  {"title", "content": [[{"tag": "text", "text"}], …]}}}}``; answers ``{"code": 0, …}``. Signed mode (签名校验):
  ``timestamp`` (s) and ``sign`` in the body, ``sign`` = base64(HmacSHA256(key="timestamp\\nsecret", message=b"")).

User-written text (titles, reasons, names) never becomes markup: ``neutralise`` turns the characters that
markdown, WeCom's ``<font>``/``<@userid>`` and Feishu's ``<at>`` syntax use into their full-width forms.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from urllib.parse import quote_plus

WECOM, DINGTALK, FEISHU = "wecom", "dingtalk", "feishu"

# Markup characters and their full-width look-alikes: the reader sees the same text, no robot renders it.
_NEUTRAL = str.maketrans({
    "*": "＊", "_": "＿", "`": "｀", "#": "＃", "[": "［", "]": "］", "(": "（", ")": "）", "<": "＜", ">": "＞",
    "!": "！", "~": "～", "|": "｜", "\\": "＼", "@": "＠", "&": "＆", "\r": " ", "\n": " ", "\t": " ",
})
# WeCom's text content is at most 2048 bytes of UTF-8 and its markdown 4096 (a Chinese character is 3 bytes).
TEXT_BYTES, MARKDOWN_BYTES = 2000, 4000


def neutralise(text: str) -> str:
    """User-written ``text`` made inert in every robot's markdown (and kept on one line)."""
    return str(text).translate(_NEUTRAL)


@dataclass(frozen=True)
class RobotMessage:
    """What a robot posts: a headline and detail lines (already neutralised), and a link into the app."""

    title: str
    lines: list[str]
    link: str
    link_label: str


def cut_to_bytes(text: str, limit: int) -> str:
    """``text`` shortened to at most ``limit`` bytes of UTF-8, never inside a character."""
    data = text.encode()
    return text if len(data) <= limit else data[:limit - 3].decode("utf-8", "ignore") + "…"


def _plain(message: RobotMessage) -> str:
    link = f"{message.link_label}: {message.link}"
    body = cut_to_bytes("\n".join([message.title, *message.lines]), TEXT_BYTES - len(link.encode()) - 1)
    return f"{body}\n{link}"


def _markdown(message: RobotMessage) -> str:
    link = f"[{message.link_label}]({message.link})"
    body = "\n".join([f"**{message.title}**", *(f"> {line}" for line in message.lines)])
    return f"{cut_to_bytes(body, MARKDOWN_BYTES - len(link.encode()) - 1)}\n{link}"


def payload(kind: str, markdown: bool, message: RobotMessage) -> dict:
    """The JSON body ``kind``'s robot documents, in its markdown (post) or text form."""
    if kind == WECOM:
        if markdown:
            return {"msgtype": "markdown", "markdown": {"content": _markdown(message)}}
        return {"msgtype": "text", "text": {"content": _plain(message)}}
    if kind == DINGTALK:
        if markdown:
            return {"msgtype": "markdown", "markdown": {"title": message.title[:100], "text": _markdown(message)}}
        return {"msgtype": "text", "text": {"content": _plain(message)}}
    if kind == FEISHU:
        if markdown:
            rows = [[{"tag": "text", "text": line}] for line in message.lines]
            rows.append([{"tag": "a", "text": message.link_label, "href": message.link}])
            return {"msg_type": "post", "content": {"post": {"zh_cn": {"title": message.title, "content": rows}}}}
        return {"msg_type": "text", "content": {"text": _plain(message)}}
    raise ValueError(f"unknown robot kind {kind!r}")


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's ``sign`` query value (URL-encoded) for ``timestamp_ms``."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode())


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu's ``sign`` body field for ``timestamp_s``: the key is "timestamp\\nsecret", the message empty."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signed_request(kind: str, url: str, secret: str, body: dict, unix_seconds: float) -> tuple[str, bytes]:
    """The address and JSON bytes to POST at ``unix_seconds`` (signatures are only valid for about an hour,
    so they are made at each attempt)."""
    body = dict(body)
    if secret and kind == DINGTALK:
        timestamp = int(unix_seconds * 1000)
        url = f"{url}{'&' if '?' in url else '?'}timestamp={timestamp}&sign={dingtalk_sign(secret, timestamp)}"
    elif secret and kind == FEISHU:
        timestamp = int(unix_seconds)
        body = {"timestamp": str(timestamp), "sign": feishu_sign(secret, timestamp), **body}
    return url, json.dumps(body, ensure_ascii=False).encode()


def accepted(kind: str, status: int, answer: bytes) -> tuple[bool, str]:
    """Whether the robot took the message: HTTP 2xx and its own error code 0 (WeCom and DingTalk ``errcode``,
    Feishu ``code`` or ``StatusCode``). The reason when not."""
    if not 200 <= status < 300:
        return False, f"HTTP {status}"
    try:
        answer_json = json.loads(answer.decode("utf-8", "replace") or "{}")
    except ValueError:
        return True, ""  # a 2xx without JSON (a relay): taken
    if not isinstance(answer_json, dict):
        return True, ""
    code = answer_json.get("errcode", answer_json.get("code", answer_json.get("StatusCode", 0)))
    if code in (0, "0", None):
        return True, ""
    message = answer_json.get("errmsg") or answer_json.get("msg") or ""
    return False, f"robot answered code {code}: {str(message)[:200]}"


def mask_url(url: str) -> str:
    """A webhook address to show: scheme and host, and the last 4 characters of the rest."""
    scheme, _, rest = url.partition("://")
    host, _, tail = rest.partition("/")
    return f"{scheme}://{host}/…{tail[-4:]}" if tail else f"{scheme}://{host}"
