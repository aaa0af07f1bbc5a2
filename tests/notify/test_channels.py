"""E-mail on a real SMTP server and robot webhooks on a real HTTP receiver (127.0.0.1)."""

from __future__ import annotations

import base64
import datetime as dt
import email
import hashlib
import hmac
import time
import urllib.parse
from email import policy

from shequ.notify import Message, deliver, dispatch, subscribe
from shequ.notify.settings import SendSettings
from shequ.store import notify as store_notify

T0 = dt.datetime(2026, 3, 2, 1, 0)  # 09:00 Beijing time
GREEN = Message(
    subject_zh="甲社区绿地率未达标",
    subject_en="Community A misses the green-area target",
    body_zh="绿地率 35%，目标 ≥ 38%",
    unit="A",
    severity="warning",
    link="/scorecard?unit=A",
    source_kind="warning",
    source_id="w-1",
)


def test_email_reaches_the_smtp_server_with_a_utf8_chinese_subject(city, smtp_server):
    mailbox, settings = smtp_server
    subscribe(city, owner="unit:S1", kind="email", target="s1@example.org")
    dispatch(city, [GREEN], now=T0)
    report = deliver(city, now=T0, settings=settings)
    assert len(report.sent) == 1 and len(mailbox.envelopes) == 1
    envelope = mailbox.envelopes[0]
    assert envelope.mail_from == "shequ@example.org"
    assert envelope.rcpt_tos == ["s1@example.org"]
    raw = envelope.content
    # the Chinese subject travels as an RFC 2047 encoded word, never as raw 8-bit bytes
    subject_line = next(x for x in raw.split(b"\r\n") if x.startswith(b"Subject:"))
    assert b"=?utf-8?" in subject_line.lower()
    mail = email.message_from_bytes(raw, policy=policy.default)
    assert mail["Subject"] == "[预警] 甲社区绿地率未达标"
    assert mail["To"] == "s1@example.org" and mail["Message-ID"]
    assert mail.get_content_charset() == "utf-8"
    assert mail.get_content().replace("\r\n", "\n") == (  # lines end in CRLF on the wire
        "[预警] 甲社区绿地率未达标\n单位: A\n绿地率 35%，目标 ≥ 38%\n/scorecard?unit=A\n"
    )


def test_email_without_an_smtp_server_is_refused_and_logged(city):
    subscribe(city, owner="unit:S1", kind="email", target="s1@example.org")
    dispatch(city, [GREEN], now=T0)
    report = deliver(city, now=T0, settings=SendSettings())
    assert report.retrying == [1]
    with city.begin() as conn:
        (attempt,) = store_notify.attempts(conn, 1)
    assert attempt["status"] == "refused" and "SHEQU_SMTP_HOST" in attempt["error"]


def test_wecom_robot_gets_its_markdown_message(city, receiver):
    subscribe(
        city, owner="unit:D", kind="wecom", target=receiver.url + "/cgi-bin/webhook/send?key=K"
    )
    dispatch(city, [GREEN], now=T0)
    deliver(city, now=T0, settings=SendSettings(base_url="https://shequ.example.gov.cn"))
    (request,) = receiver.requests
    assert request["path"] == "/cgi-bin/webhook/send?key=K"
    assert request["headers"]["Content-Type"] == "application/json; charset=utf-8"
    assert request["body"] == {
        "msgtype": "markdown",
        "markdown": {
            "content": "**[预警] 甲社区绿地率未达标**\n> 单位: A\n绿地率 35%，目标 ≥ 38%\n"
            "[查看](https://shequ.example.gov.cn/scorecard?unit=A)"
        },
    }


def test_wecom_text_in_english(city, receiver):
    subscribe(
        city, owner="unit:S1", kind="wecom", target=receiver.url, text_format="text", lang="en"
    )
    dispatch(city, [GREEN], now=T0)
    deliver(city, now=T0, settings=SendSettings())
    assert receiver.requests[0]["body"] == {
        "msgtype": "text",
        "text": {
            # no English body was given: the Chinese one stands in
            "content": "[warning] Community A misses the green-area target\nunit: A\n"
            "绿地率 35%，目标 ≥ 38%\n/scorecard?unit=A"
        },
    }


def test_dingtalk_robot_gets_a_signed_markdown_message(city, receiver):
    secret = "SECabc123"
    subscribe(city, owner="unit:S1", kind="dingtalk", target=receiver.url + "/robot/send?access_token=T",
              secret=secret)  # fmt: skip
    dispatch(city, [GREEN], now=T0)
    before = int(time.time() * 1000)
    deliver(city, now=T0, settings=SendSettings())
    after = int(time.time() * 1000)
    (request,) = receiver.requests
    path, _, query = request["path"].partition("?")
    params = urllib.parse.parse_qs(query)
    assert path == "/robot/send" and params["access_token"] == ["T"]
    timestamp = int(params["timestamp"][0])
    assert before <= timestamp <= after
    # DingTalk's documented formula, worked here independently of shequ.notify.formats:
    # sign = urlencode(base64(HmacSHA256(key=secret, msg=timestamp + "\n" + secret)))
    expected = base64.b64encode(
        hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    ).decode()
    assert params["sign"] == [expected]
    assert urllib.parse.quote_plus(expected) in query  # sent URL-encoded
    assert request["body"] == {
        "msgtype": "markdown",
        "markdown": {
            "title": "[预警] 甲社区绿地率未达标",
            "text": "**[预警] 甲社区绿地率未达标**\n> 单位: A\n绿地率 35%，目标 ≥ 38%\n"
            "[查看](/scorecard?unit=A)",
        },
    }


def test_dingtalk_without_secret_is_not_signed(city, receiver):
    subscribe(city, owner="unit:S1", kind="dingtalk", target=receiver.url + "/robot/send?access_token=T",
              text_format="text")  # fmt: skip
    dispatch(city, [GREEN], now=T0)
    deliver(city, now=T0, settings=SendSettings())
    (request,) = receiver.requests
    assert request["path"] == "/robot/send?access_token=T"
    assert request["body"]["msgtype"] == "text"
    assert request["body"]["text"]["content"].startswith("[预警] 甲社区绿地率未达标\n单位: A\n")


def test_robot_refusal_with_errcode_is_retried(city, receiver):
    receiver.script = [(200, {"errcode": 93000, "errmsg": "invalid webhook url"})]
    subscribe(city, owner="unit:S1", kind="wecom", target=receiver.url)
    dispatch(city, [GREEN], now=T0)
    report = deliver(city, now=T0, settings=SendSettings())
    assert report.retrying == [1] and report.sent == []
    with city.begin() as conn:
        (attempt,) = store_notify.attempts(conn, 1)
    assert attempt["error"] == "errcode 93000: invalid webhook url"


def test_plain_json_webhook_gets_every_field(city, receiver):
    subscribe(city, owner="user:s1", kind="json", target=receiver.url + "/hook")
    dispatch(city, [GREEN], now=T0)
    deliver(city, now=T0, settings=SendSettings())
    (request,) = receiver.requests
    assert request["body"] == {
        "kind": "shequ.notifications",
        "digest": False,
        "messages": [
            {
                "id": 1,
                "subject_zh": "甲社区绿地率未达标",
                "subject_en": "Community A misses the green-area target",
                "body_zh": "绿地率 35%，目标 ≥ 38%",
                "body_en": "",
                "severity": "warning",
                "org_unit": "A",
                "source_kind": "warning",
                "source_id": "w-1",
                "link": "/scorecard?unit=A",
                "created_at": "2026-03-02T01:00:00",
            }
        ],
    }
