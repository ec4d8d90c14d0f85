"""`trainctl reminders test TO`: one message through the configured mail server, so the
officer setting up cron learns the day of the set-up that the settings work (or which one
does not), rather than from the first night something is due. A real SMTP server (aiosmtpd
on 127.0.0.1); the database is never written."""

from __future__ import annotations

import pytest
from reminder_helpers import Server, configure, free_port


@pytest.fixture
def server():
    s = Server().start()
    yield s
    s.stop()


@pytest.fixture
def dept(cli, server):
    cli("member", "add", "Zoë Núñez", "--email", "zoe@fd.example", "--badge", "F-1")
    cli("member", "add", "Bo Berg", "--email", "bo@fd.example")
    configure(cli, server.port)
    return cli


def test_a_test_message_reaches_a_member_and_writes_nothing(dept, server, snapshot):
    before = snapshot()
    r = dept("reminders", "test", "F-1")
    said = " ".join(r.stderr.split())
    assert (f"Test message to zoe@fd.example taken by 127.0.0.1:{server.port} (no encryption, "
            "no login): 250 2.0.0 Ok: queued as Q0001.") in said, said  # fmt: skip
    (msg,) = server.handler.messages
    assert msg["To"].addresses[0].addr_spec == "zoe@fd.example"
    assert msg["To"].addresses[0].display_name == "Zoë Núñez"
    assert "test message" in str(msg["Subject"])
    assert msg["From"].addresses[0].addr_spec == "training@fd.example"
    assert "reminders send" in msg.get_content()
    assert snapshot() == before  # no reminder claimed, nothing logged
    assert dept("--format", "json", "reminders", "log").json == []


def test_an_address_that_is_no_member_is_taken_as_given(dept, server):
    dept("reminders", "test", "Chief@Elsewhere.example")
    (msg,) = server.handler.messages
    assert msg["To"].addresses[0].addr_spec == "Chief@Elsewhere.example"


def test_a_refused_message_and_an_absent_server_say_which_and_write_nothing(dept, server, snapshot):
    before = snapshot()
    server.handler.refuse.add("bo@fd.example")
    r = dept("reminders", "test", "bo@fd.example", ok=False)
    assert r.exit_code == 1, r
    said = " ".join(r.stderr.split())
    assert (f"The mail server 127.0.0.1:{server.port} refused the test message to bo@fd.example: "
            "550 5.1.1 <bo@fd.example>: Recipient address rejected") in said, said  # fmt: skip
    dept("config", "set", "smtp.port", str(free_port()))
    before = snapshot()
    r = dept("reminders", "test", "bo@fd.example", ok=False)
    assert r.exit_code == 69, r
    assert "Cannot reach the mail server 127.0.0.1:" in r.stderr
    assert snapshot() == before


@pytest.mark.parametrize(("to", "code", "said"), [
    ("nobody", 1, "No member 'nobody'"),
    ("x@", 65, "TO: 'x@' is neither a member nor a mail address"),
    ("a b@fd.example", 65, "TO: 'a b@fd.example' is neither a member nor a mail address"),
])  # fmt: skip
def test_neither_a_member_nor_an_address_is_refused_before_any_mail(dept, server, to, code, said):
    r = dept("reminders", "test", to, ok=False)
    assert r.exit_code == code and said in r.stderr, r
    assert server.handler.messages == []


def test_only_who_may_send_reminders_sends_a_test(dept, server):
    r = dept("--as", "bo@fd.example", "reminders", "test", "bo@fd.example", ok=False)
    assert r.exit_code == 77 and "training.manage" in r.stderr, r
    assert server.handler.messages == []


def test_no_server_configured_says_which_setting(cli, server):
    cli("member", "add", "Bo Berg", "--email", "bo@fd.example")
    r = cli("reminders", "test", "bo@fd.example", ok=False)
    assert r.exit_code == 1 and "config set smtp.host" in r.stderr, r
