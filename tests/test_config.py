"""`trainctl config`: settings stored in the database, the mail password never."""

from __future__ import annotations

import pytest
from backends import connect

SECRET = "correct horse battery staple"


def test_set_show_and_reset(cli, db_url, monkeypatch):
    monkeypatch.setenv("TRAINCTL_SMTP_PASSWORD", SECRET)
    cli("config", "set", "smtp.host", "smtp.example.org")
    cli("config", "set", "smtp.port", "465")
    cli("config", "set", "smtp.security", "tls")
    cli("config", "set", "smtp.user", "training")
    r = cli("config", "set", "smtp.sender", "Training Office <training@fd.example>")
    assert "smtp.sender = Training Office <training@fd.example>" in r.stderr
    shown = {row["key"]: row for row in cli("--format", "json", "config", "show").json}
    assert shown["smtp.host"]["value"] == "smtp.example.org" and shown["smtp.host"]["source"] == "set"
    assert shown["smtp.port"]["value"] == "465" and shown["timezone"]["source"] == "default"
    assert shown["smtp.password"]["value"] == "(set)"
    assert shown["smtp.password"]["source"] == "env TRAINCTL_SMTP_PASSWORD"
    table = cli("config", "show").stdout
    assert "smtp.example.org" in table and SECRET not in table
    # the value whole, at 80 columns too (a table cut it: "<training@fd.exa…")
    assert "smtp.sender = Training Office <training@fd.example>  (set)" in table.splitlines()
    cli("config", "set", "smtp.port", "")
    shown = {row["key"]: row for row in cli("--format", "json", "config", "show").json}
    assert shown["smtp.port"] == {**shown["smtp.port"], "value": "", "source": "default"}
    con = connect(db_url)
    stored = con.execute("SELECT key, value FROM setting").fetchall()
    con.close()
    assert SECRET not in repr(stored) and "smtp.port" not in dict(stored)


def test_the_password_is_never_stored_or_printed(cli, db_url, monkeypatch):
    monkeypatch.delenv("TRAINCTL_DEBUG")
    r = cli("config", "set", "smtp.password", SECRET, ok=False)
    assert r.exit_code == 65 and "TRAINCTL_SMTP_PASSWORD" in r.stderr
    assert SECRET not in r.stderr + r.stdout
    monkeypatch.delenv("TRAINCTL_SMTP_PASSWORD", raising=False)
    shown = {row["key"]: row for row in cli("--format", "json", "config", "show").json}
    assert shown["smtp.password"]["value"] == "(not set)"


def test_a_login_without_the_password_in_the_environment_is_refused(cli, monkeypatch):
    from reminder_helpers import Server, configure, department

    department(cli, members=1, officer=False)
    s = Server().start()
    try:
        configure(cli, s.port)
        cli("config", "set", "smtp.user", "training")
        monkeypatch.delenv("TRAINCTL_DEBUG")
        monkeypatch.delenv("TRAINCTL_SMTP_PASSWORD", raising=False)
        r = cli("reminders", "send", "--as-of", "2026-03-20", ok=False)
        assert r.exit_code == 1 and "TRAINCTL_SMTP_PASSWORD is not set" in r.stderr
        monkeypatch.setenv("TRAINCTL_SMTP_PASSWORD", SECRET)
        r = cli("reminders", "send", "--as-of", "2026-03-20", ok=False)  # this server has no AUTH
        assert r.exit_code == 69 and "Cannot log in on the mail server" in r.stderr, r
        cli("config", "set", "smtp.host", "mail.example.org")  # not this machine: refused, not sent
        r = cli("reminders", "send", "--as-of", "2026-03-20", ok=False)
        assert r.exit_code == 1 and "unencrypted" in r.stderr, r
        assert "Run `trainctl config set smtp.security starttls`" in " ".join(r.stderr.split()), r
        assert SECRET not in r.stderr + r.stdout
        assert s.handler.messages == []
    finally:
        s.stop()


def test_starttls_is_required_when_asked_for(cli, monkeypatch):
    from reminder_helpers import Server, configure, department

    department(cli, members=1, officer=False)
    s = Server().start()  # aiosmtpd without TLS: it offers no STARTTLS
    try:
        configure(cli, s.port)
        cli("config", "set", "smtp.security", "starttls")
        monkeypatch.delenv("TRAINCTL_DEBUG")
        r = cli("reminders", "send", "--as-of", "2026-03-20", ok=False)
        assert r.exit_code == 69 and "offers no STARTTLS" in r.stderr, r
        assert s.handler.messages == []
    finally:
        s.stop()


@pytest.mark.parametrize("who", ["m0@fd.example"])
def test_members_may_not_change_settings(cli, monkeypatch, who):
    cli("member", "add", "Ann Lee", "--email", who)
    monkeypatch.delenv("TRAINCTL_DEBUG")
    assert cli("--as", who, "config", "set", "smtp.host", "evil.example", ok=False).exit_code == 77
    assert cli("--as", who, "config", "show", ok=False).exit_code == 77


@pytest.mark.parametrize(
    ("host", "says"),
    [
        ("training:hunter2@mail.example.org", "the login does not go in it"),
        ("mail.example.org:587", "config set smtp.port 587"),
        ("smtp://mail.example.org", "is not a host name"),
        ("[::1]:2525", "config set smtp.port 2525"),
        (":587", "config set smtp.port 587"),
        ("localhost:", "is not a host name"),
        ("mail example.org", "is not a host name"),
        # each of these crashed every `reminders send` (UnicodeError from the resolver's codec)
        ("mail..example.org", "has an empty part between dots"),
        (".example.org", "has an empty part between dots"),
        ("a" * 64 + ".example.org", "a part of 64 characters between dots"),
        pytest.param("x" * 100_000, "xxx'... (100,000 characters) has a part of 100000 characters",
                     id="100000-characters"),
    ],
)
def test_a_host_that_is_not_a_host_name_is_refused(cli, snapshot, host, says):
    """A login typed into the host would put a secret in the database and on screen; a
    port or scheme in it fails only when cron sends. Refused, naming where each part goes."""
    cli("config", "set", "smtp.host", "smtp.example.org")
    before = snapshot()
    r = cli("config", "set", "smtp.host", host, ok=False)
    assert r.exit_code == 65 and says in r.stdout + r.stderr, r.stderr
    assert "hunter2" not in r.stdout + r.stderr
    assert snapshot() == before


@pytest.mark.parametrize(
    "host", ["smtp.example.org", "192.0.2.25", "::1", "[2001:db8::25]", "smtp.example.org.",
             "bücher.example", "a" * 63 + ".example.org"],
)  # fmt: skip
def test_a_host_name_or_address_is_accepted(cli, host):
    assert f"smtp.host = {host}" in cli("config", "set", "smtp.host", host).stderr


def test_config_show_says_a_timezone_from_the_environment_is_no_timezone(cli, monkeypatch):
    """A cron's mistyped TRAINCTL_TIMEZONE went unsaid until `reminders send` refused it."""
    monkeypatch.setenv("TRAINCTL_TIMEZONE", "Mars/Olympus")
    r = cli("--format", "json", "config", "show")
    shown = {row["key"]: row for row in r.json}
    assert shown["timezone"]["source"] == "env TRAINCTL_TIMEZONE, NOT A TIMEZONE"
    assert "Unknown timezone 'Mars/Olympus'" in r.stderr and "America/Chicago" in r.stderr
    monkeypatch.setenv("TRAINCTL_TIMEZONE", "America/Chicago")
    r = cli("--format", "json", "config", "show")
    assert {row["key"]: row for row in r.json}["timezone"]["source"] == "env TRAINCTL_TIMEZONE"
    assert "Warning" not in r.stderr


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("Denver", "America/Denver"), ("new york", "America/New_York"), ("america/denver", "America/Denver")],
)
def test_a_timezone_typed_as_its_city_is_offered_its_iana_name(cli, snapshot, typed, meant):
    """A new department's officer in Denver typed `config set timezone Denver` and read
    "Unknown timezone 'Denver'" with a hint naming America/Chicago. The refusal now offers
    the zone that city (or that name in another case) is; nothing is written."""
    cli("config", "set", "timezone", "America/Chicago")
    before = snapshot()
    r = cli("config", "set", "timezone", typed, ok=False)
    assert r.exit_code == 65 and snapshot() == before, r
    assert f"Unknown timezone {typed!r}. Did you mean {meant}?" in r.stderr, r
    assert "Did you mean" not in cli("config", "set", "timezone", "Mars/Olympus", ok=False).stderr
