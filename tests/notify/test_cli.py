"""``shequ notify test|subscribe|deliver|log`` against the local SMTP server and receiver."""

from __future__ import annotations

import email
from email import policy

from shequ.notify import Message, dispatch
from tests.cli._invoke import invoke


def test_notify_test_sends_an_email(smtp_server, monkeypatch):
    mailbox, settings = smtp_server
    monkeypatch.setenv("SHEQU_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SHEQU_SMTP_PORT", str(settings.smtp_port))
    result = invoke("notify", "test", "--to", "ops@example.org")
    assert result.exit_code == 0, result.output
    assert "test notification sent (email)" in result.output
    mail = email.message_from_bytes(mailbox.envelopes[0].content, policy=policy.default)
    assert mail["Subject"] == "[通知] shequ 测试通知"


def test_notify_test_reports_a_refusal_with_exit_2(receiver):
    receiver.script = [(500, {})]
    result = invoke("notify", "test", "--to", receiver.url + "/hook")
    assert result.exit_code == 2
    assert "refused (json): HTTP 500" in result.output


def test_subscribe_deliver_and_log(sqlite_city, receiver, tmp_path):
    db = tmp_path / "shequ.db"
    receiver.script = [(500, {})]
    result = invoke("notify", "subscribe", "unit:S1", "--to", receiver.url, "--kind", "wecom",
                    "--db", db)  # fmt: skip
    assert result.exit_code == 0, result.output
    dispatch(sqlite_city, [Message(subject_zh="甲社区预警", unit="A", severity="warning")])
    result = invoke("notify", "deliver", "--db", db)
    assert "sent 0, retrying 1, failed 0" in result.output
    log = invoke("notify", "log", "--db", db).output
    assert "wecom" in log and "refused" in log and "HTTP 500" in log
    assert receiver.requests[0]["body"]["msgtype"] == "markdown"


def test_subscribe_refuses_an_unknown_unit(sqlite_city, tmp_path):
    result = invoke("notify", "subscribe", "unit:Z", "--to", "a@example.org", "--db",
                    tmp_path / "shequ.db")  # fmt: skip
    assert result.exit_code == 2
    assert "unknown org unit 'Z'" in result.output
