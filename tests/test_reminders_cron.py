"""`trainctl reminders send` as cron meets it at night, with nobody watching: a mail server
that goes away or refuses mid-batch, a run killed between its claims and its marks, a
login, STARTTLS or a certificate that fails, cron's bare environment, a second run while
the first holds the lock. A real SMTP server (aiosmtpd, with STARTTLS and AUTH where the
case needs them, certificates made by openssl), real processes, real database files.
"""

from __future__ import annotations

import asyncio
import shlex
import shutil
import signal
import ssl
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from backends import POSTGRES
from reminder_helpers import Recorder, Server, configure, department, free_port

from trainctl.config import display_url

AS_OF = "2026-03-20"  # targets 2026-04-01: 12 days left, the 14-day warning is due
SECRET = "Hunter2-s3cr3t-smtp"
SRC = str(Path(__file__).resolve().parents[1] / "src")


@pytest.fixture
def server():
    s = Server().start()
    yield s
    s.stop()


def cron_env(**extra: str) -> dict[str, str]:
    """What cron gives a job: a short PATH, a C locale, no TTY, no TZ, no TERM, none of the
    shell's variables (only the database, and this checkout's trainctl on the path)."""
    return {"PATH": "/usr/bin:/bin", "LANG": "C", "PYTHONPATH": SRC, **extra}


def trainctl(
    db: str, *args: str, env: dict[str, str] | None = None, **popen: Any
) -> subprocess.Popen:
    """`trainctl --db DB ARGS` in a process of its own, stdin closed, as cron runs it."""
    return subprocess.Popen(
        [sys.executable, "-m", "trainctl", "--db", str(db), *args],
        env=env or cron_env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, cwd="/", **popen,
    )  # fmt: skip


def run(db: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    p = trainctl(db, *args, env=env)
    out, err = p.communicate(timeout=120)
    return subprocess.CompletedProcess(p.args, p.returncode, out, err)


def statuses(db: Any) -> Counter:
    return Counter(st for (st,) in db.rows("SELECT status FROM reminder_log"))


# ----------------------------------------------------------------- mid-batch failures
@pytest.mark.parametrize(
    "how", ["drops the connection", "answers 451 from then on", "closes with 421 from then on"]
)
def test_a_server_failing_after_3_of_10_keeps_the_3_sent_and_the_next_run_sends_the_7(
    cli, db_url, db, server, how
):
    department(cli, members=10)  # (an officer: nobody is behind, no digest goes out)
    configure(cli, server.port)
    h = server.handler
    accept = h.handle_DATA
    knocks = []

    async def mail(srv: Any, session: Any, envelope: Any, address: str, options: Any) -> str | None:
        knocks.append(address)
        if len(h.messages) < 3 or how != "closes with 421 from then on":
            envelope.mail_from = address
            return "250 OK"
        await srv.push("421 4.7.0 Too many messages, try again later")  # a throttling server
        srv.transport.close()
        return None

    async def failing(srv: Any, session: Any, envelope: Any) -> str:
        if len(h.messages) < 3:
            return await accept(srv, session, envelope)
        if how == "drops the connection":
            srv.transport.close()
            return "421 4.3.2 closing"
        return "451 4.3.0 Temporary local problem, try again later"

    h.handle_DATA = failing  # type: ignore[method-assign]
    h.handle_MAIL = mail  # type: ignore[attr-defined]
    first = run(db_url, "reminders", "send", "--as-of", AS_OF)
    sent = h.keys()
    assert len(sent) == 3
    assert first.stdout == "" and "Traceback" not in first.stderr
    if how == "drops the connection":
        assert first.returncode == 69, first
        assert "The mail server went away during the run" in first.stderr
        assert "3 sent and marked; the rest stay due and the next run sends them" in first.stderr
        # the one in flight may have arrived: failed, retried; the 6 never tried: released
        assert statuses(db) == {"sent": 3, "failed": 1}
    elif how == "closes with 421 from then on":
        # the 4th message is tried on a new connection once, then the run stops: it does not
        # knock once per message on a server that asked it to go away (it did 7 times)
        assert first.returncode == 69, first
        assert ("The mail server went away during the run: 421 4.7.0 Too many messages, try "
                "again later") in first.stderr  # fmt: skip
        assert "3 sent and marked; the rest stay due and the next run sends them" in first.stderr
        assert len(knocks) == 5 and statuses(db) == {"sent": 3, "failed": 1}
    else:
        assert first.returncode == 1, first
        assert "7 of 10 reminders failed; 3 sent." in first.stderr
        assert "Failed reminders stay due: the next run retries them" in first.stderr
        assert first.stderr.count("451 4.3.0") == 7
        assert statuses(db) == {"sent": 3, "failed": 7}
    marked = {f"program_deadline|{i}|{r}|{t}" for i, r, t in db.rows(
        "SELECT item, recipient_id, threshold FROM reminder_log WHERE status = 'sent'")}  # fmt: skip
    assert marked == set(sent)

    h.handle_DATA = accept  # type: ignore[method-assign]
    del h.handle_MAIL  # type: ignore[attr-defined]
    second = run(db_url, "reminders", "send", "--as-of", AS_OF)
    assert second.returncode == 0 and "Sent 7 reminders (2026-03-20)." in second.stderr, second
    again = h.keys()[3:]
    assert len(again) == 7 and not set(again) & set(sent)  # the 3 never again, the 7 once
    assert statuses(db) == {"sent": 10}
    third = run(db_url, "--quiet", "reminders", "send", "--as-of", AS_OF)
    assert (third.returncode, third.stdout, third.stderr, len(h.keys())) == (0, "", "", 10)


def test_a_server_taking_3_messages_a_connection_gets_all_10_in_one_run(cli, db_url, db, server):
    """A 421 after a connection's third message (a server's limit per connection): the run
    opens a new connection and goes on."""
    department(cli, members=10)
    configure(cli, server.port)
    h = server.handler

    async def mail(srv: Any, session: Any, envelope: Any, address: str, options: Any) -> str | None:
        session.taken = getattr(session, "taken", 0) + 1
        if session.taken > 3:
            await srv.push("421 4.7.0 Too many messages for this session")
            srv.transport.close()
            return None
        envelope.mail_from = address
        return "250 OK"

    h.handle_MAIL = mail  # type: ignore[attr-defined]
    r = run(db_url, "reminders", "send", "--as-of", AS_OF)
    assert r.returncode == 0 and "Sent 10 reminders" in r.stderr, r
    assert len(set(h.keys())) == 10 and statuses(db) == {"sent": 10}


# --------------------------------------------------------------------------- kill -9
def kill_while_sending(h: Any, db_url: Any, as_of: str, meanwhile: Any = None) -> None:
    """Run `reminders send` in a process and SIGKILL it once it has claimed its reminders
    and is sending the first (the server holds MAIL FROM until then), after `meanwhile()`
    if given (the run alive, holding the lock); the server takes mail again afterwards."""
    waiting, release = threading.Event(), threading.Event()

    async def stalled(srv: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        waiting.set()  # the run has claimed and is sending its first message
        while not release.is_set():
            await asyncio.sleep(0.05)
        return "451 4.3.0 too late"

    h.handle_MAIL = stalled
    proc = trainctl(db_url, "reminders", "send", "--as-of", as_of)
    try:
        assert waiting.wait(60), proc.communicate(timeout=5)
        if meanwhile is not None:
            meanwhile()
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        release.set()
        del h.handle_MAIL


def test_a_run_killed_between_its_claims_and_their_outcome_loses_no_reminder(
    cli, db_url, db, server
):
    """kill -9 (the OOM killer, a power cut) after the claims were committed and before any
    outcome: the rows stay 'claimed'. The next run sends each of them (none is lost, no
    member goes unwarned), once, under the Message-ID its claim fixed. The rule: a claim a
    dead run left is sent again by the next run; two live runs never share claims, the
    lock (held for the whole run, freed by the kernel or the server when a process dies)
    keeps a second one out while the first lives (exit 75)."""
    department(cli, members=10)
    configure(cli, server.port)
    h = server.handler
    kill_while_sending(h, db_url, AS_OF)
    rows = db.rows("SELECT status, attempts, message_id FROM reminder_log")
    assert len(rows) == 10 and {(st, n) for st, n, _ in rows} == {("claimed", 0)}
    claimed_ids = {mid for _, _, mid in rows}
    assert h.messages == []

    preview = cli("--format", "json", "reminders", "preview", "--as-of", AS_OF).json
    assert {p["status"] for p in preview} == {"retry (interrupted)"} and len(preview) == 10
    again = run(db_url, "reminders", "send", "--as-of", AS_OF)  # no 75: the lock died with it
    assert again.returncode == 0 and "Sent 10 reminders" in again.stderr, again
    keys = h.keys()
    assert len(keys) == len(set(keys)) == 10
    assert {str(m["Message-ID"]) for m in h.messages} == claimed_ids
    assert set(db.rows("SELECT status, attempts FROM reminder_log")) == {("sent", 1)}
    assert run(db_url, "--quiet", "reminders", "send", "--as-of", AS_OF).stderr == ""
    assert len(h.keys()) == 10


def test_the_failures_of_last_night_include_the_claims_a_killed_run_left(cli, db_url, db, server):
    """`reminders log --failed`, what the operator reads after a night that went wrong,
    listed the server's refusals only: the claims of a run killed between claim and
    outcome (which `reminders preview` shows as "retry (interrupted)") were missing. They
    are listed, marked interrupted (not an SMTP failure: no server answer is shown for
    them, not even the refusal an earlier try of the same reminder met), by the rule the
    preview follows."""
    department(cli, members=3, targets=["2026-04-01", "2026-05-01", "2026-05-01"])
    configure(cli, server.port)
    h = server.handler
    h.refuse = {"m0@fd.example"}  # the 14-day warning of m0 is refused, for good
    assert run(db_url, "reminders", "send", "--as-of", AS_OF).returncode == 1
    h.refuse = set()
    kill_while_sending(h, db_url, "2026-04-02")
    claims = db.rows("SELECT id FROM reminder_log WHERE status = 'claimed'")
    assert len(claims) >= 2 and statuses(db)["failed"] == 1, statuses(db)

    preview = cli("--format", "json", "reminders", "preview", "--as-of", "2026-04-02").json
    retried = {(p["email"], p["subject"]) for p in preview if p["status"] == "retry (interrupted)"}
    failed = cli("--format", "json", "reminders", "log", "--failed").json
    assert Counter(f["status"] for f in failed) == {"interrupted": len(claims), "failed": 1}
    assert {(f["to"], f["title"]) for f in failed if f["status"] == "interrupted"} == retried
    (refused,) = (f for f in failed if f["status"] == "failed")
    assert refused["to"] == "m0@fd.example" and refused["error"].startswith("550 5.1.1")
    table = cli("reminders", "log", "--failed").stdout
    assert table.count("interrupted") == len(claims) and table.count("550 5.1.1") == 1, table
    # the whole log says so too, rather than the internal 'claimed'
    assert "claimed" not in {e["status"] for e in cli("--format", "json", "reminders", "log").json}


# ---------------------------------------------------------------------------- the lock
def test_a_second_run_while_the_first_sends_exits_75_naming_the_lock(cli, db_url, db, server):
    department(cli, members=4)
    configure(cli, server.port)
    h = server.handler
    accept, go = h.handle_DATA, threading.Event()

    async def held(srv: Any, session: Any, envelope: Any) -> str:
        while h.messages and not go.is_set():  # after the first message: until the second ran
            await asyncio.sleep(0.05)
        return await accept(srv, session, envelope)

    h.handle_DATA = held  # type: ignore[method-assign]
    first = trainctl(db_url, "reminders", "send", "--as-of", AS_OF)
    try:
        deadline = time.monotonic() + 60
        while not h.messages and time.monotonic() < deadline:
            time.sleep(0.05)
        t0 = time.monotonic()
        second = run(db_url, "reminders", "send", "--as-of", AS_OF)
        took = time.monotonic() - t0
    finally:
        go.set()
    _, err = first.communicate(timeout=60)
    assert first.returncode == 0 and "Sent 4 reminders" in err, err
    assert second.returncode == 75, second
    assert took < 10  # at once, not after the first run
    assert second.stdout == "" and "Traceback" not in second.stderr
    # (the command named as it was run, with its --db: cli/state.hint)
    given = f"trainctl --db {shlex.quote(display_url(str(db_url)))}"
    holder = f"Another `{given} reminders send` is running (process {first.pid}); it holds "
    assert holder in second.stderr
    if POSTGRES:
        assert "an advisory lock in postgresql" in second.stderr
    else:
        assert f"{Path(db_url).resolve()}.reminders.lock" in second.stderr
    assert "Nothing was done. The next run sends whatever is still due." in second.stderr
    # the second run claimed nothing: what the log holds is the first run's alone
    runs = db.column("SELECT DISTINCT run_id FROM reminder_log")
    assert len(runs) == 1 and len(db.column("SELECT id FROM reminder_log")) == 4
    keys = server.handler.keys()
    assert len(keys) == len(set(keys)) == 4


# ------------------------------------------------------------- TLS, STARTTLS, login
def _openssl(folder: Path, *args: str) -> None:
    subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private CA; a certificate it signed for 127.0.0.1 ('good') and one for another
    name ('elsewhere'); a self-signed one for 127.0.0.1 ('self')."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make certificates")
    d = tmp_path_factory.mktemp("certs")
    key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    _openssl(d, "req", "-x509", *key, "-days", "30", "-subj", "/CN=Station 12 test CA",
             "-keyout", "ca.key", "-out", "ca.pem",
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign")  # fmt: skip
    for name, san in [
        ("good", "IP:127.0.0.1,DNS:localhost"),
        ("elsewhere", "DNS:mail.example.org"),
    ]:
        _openssl(
            d, "req", *key, "-subj", f"/CN={name}", "-keyout", f"{name}.key", "-out", f"{name}.csr"
        )
        (d / f"{name}.ext").write_text(f"subjectAltName={san}\n")
        _openssl(d, "x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                 "-CAcreateserial", "-days", "30", "-out", f"{name}.pem", "-extfile", f"{name}.ext")  # fmt: skip
    _openssl(d, "req", "-x509", *key, "-days", "30", "-subj", "/CN=127.0.0.1", "-keyout", "self.key",
             "-out", "self.pem", "-addext", "subjectAltName=IP:127.0.0.1")  # fmt: skip
    return d


class TlsServer:
    """aiosmtpd with STARTTLS (required) and AUTH over it: user 'training', `password`."""

    def __init__(
        self, cert: Path, key: Path, password: bytes = b"right", *, auth_required: bool = False
    ) -> None:
        self.port = free_port()
        self.handler = Recorder()
        self.logins: list[bytes] = []
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)

        def authenticator(
            srv: Any, session: Any, envelope: Any, mechanism: str, data: Any
        ) -> AuthResult:
            self.logins.append(data.password)
            ok = (data.login, data.password) == (b"training", password)
            return AuthResult(success=ok, handled=False)

        self.controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, server_hostname="127.0.0.1",
            tls_context=context, require_starttls=True, auth_require_tls=True,
            authenticator=authenticator, auth_required=auth_required,
        )  # fmt: skip

    def __enter__(self) -> TlsServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.controller.stop()


REFUSALS = {
    # case: (certificate, smtp.cafile, password, the one line said, what the hint names)
    "self-signed certificate": (
        "self", False, "right",
        "Error: The mail server 127.0.0.1:{port} has a certificate that does not verify "
        "(self-signed certificate): trainctl sends nothing to a server it cannot verify.",
        "config set smtp.cafile",
    ),
    "certificate for another name": (
        "elsewhere", True, "right",
        "Error: The mail server 127.0.0.1:{port} has a certificate that does not verify "
        "(IP address mismatch, certificate is not valid for '127.0.0.1'): trainctl sends "
        "nothing to a server it cannot verify.",
        "set smtp.host to that name",
    ),
    "wrong password": (
        "good", True, SECRET,
        "Error: Cannot log in as 'training' on the mail server 127.0.0.1:{port}: "
        "535 5.7.8 Authentication credentials invalid",
        "TRAINCTL_SMTP_PASSWORD the run is given",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", list(REFUSALS))
def test_a_certificate_or_login_the_server_refuses_is_one_line_and_nothing_is_claimed(
    cli, db_url, snapshot, monkeypatch, certs, case
):
    cert, cafile, password, said, fix = REFUSALS[case]
    department(cli, members=3)
    with TlsServer(certs / f"{cert}.pem", certs / f"{cert}.key") as s:
        configure(cli, s.port)
        cli("config", "set", "smtp.security", "starttls")
        cli("config", "set", "smtp.user", "training")
        if cafile:
            cli("config", "set", "smtp.cafile", str(certs / "ca.pem"))
        before = snapshot()
        r = run(db_url, "reminders", "send", env=cron_env(TRAINCTL_SMTP_PASSWORD=password))
        assert r.returncode == 69, r
        lines = r.stderr.splitlines()
        assert lines[0] == said.format(port=s.port), r.stderr
        assert len(lines) == 2 and lines[1].startswith("Hint: ")  # one line, and what to do
        assert fix in lines[1] and "that the server is up" not in lines[1]
        assert SECRET not in r.stdout + r.stderr and "Traceback" not in r.stderr
        assert snapshot() == before  # nothing claimed, nothing marked
        assert SECRET not in repr(before)
        assert s.handler.messages == []
        if case == "wrong password":
            assert s.logins and set(s.logins) == {SECRET.encode()}  # it did try, over TLS
        else:
            assert s.logins == []  # no password goes to a server that did not verify
        # the same server, verified and logged in: everything due goes out
        cli("config", "set", "smtp.cafile", str(certs / "ca.pem"))
        if cert == "good":
            ok = run(db_url, "reminders", "send", "--as-of", AS_OF,
                     env=cron_env(TRAINCTL_SMTP_PASSWORD="right"))  # fmt: skip
            assert ok.returncode == 0 and "Sent 3 reminders" in ok.stderr, ok
            assert len(s.handler.messages) == 3


def test_implicit_tls_to_a_certificate_that_does_not_verify_is_one_line(
    cli, db_url, snapshot, certs
):
    """smtp.security tls (port 465): the handshake is the connection's first step."""
    department(cli, members=1)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certs / "self.pem", certs / "self.key")
    port = free_port()
    controller = Controller(Recorder(), hostname="127.0.0.1", port=port, ssl_context=context)
    controller.start()
    try:
        configure(cli, port)
        cli("config", "set", "smtp.security", "tls")
        before = snapshot()
        r = run(db_url, "reminders", "send", "--as-of", AS_OF)
    finally:
        controller.stop()
    assert r.returncode == 69, r
    assert r.stderr.splitlines()[0] == (
        f"Error: The mail server 127.0.0.1:{port} has a certificate that does not verify "
        "(self-signed certificate): trainctl sends nothing to a server it cannot verify."
    )
    assert snapshot() == before


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("Grün-Wache-12", "Grün-Wache-12".encode()),  # UTF-8, as RFC 4616 carries it
        (b"Gr\xfcn-Wache-12", b"Gr\xfcn-Wache-12"),  # Latin-1 bytes in the crontab: as they are
    ],
)
def test_a_password_that_is_not_ascii_logs_in_and_a_wrong_one_is_not_spelled_out(
    cli, db_url, db, certs, given, expected
):
    """It was refused before a byte went out, as 'Cannot look up the mail server
    127.0.0.1:587: not a host name ('ascii' codec can't encode character '\\xfc' in
    position 12 ...)': the wrong diagnosis, and a character of the password with its place."""
    department(cli, members=3)
    with TlsServer(certs / "good.pem", certs / "good.key", password=expected) as s:
        configure(cli, s.port)
        cli("config", "set", "smtp.security", "starttls")
        cli("config", "set", "smtp.user", "training")
        cli("config", "set", "smtp.cafile", str(certs / "ca.pem"))
        wrong = "Falsch-Grün" if isinstance(given, str) else b"Falsch-Gr\xfcn"
        env: dict[Any, Any] = {**cron_env(), "TRAINCTL_SMTP_PASSWORD": wrong}
        r = run(db_url, "reminders", "send", "--as-of", AS_OF, env=env)
        assert r.returncode == 69, r
        assert r.stderr.splitlines()[0] == (
            f"Error: Cannot log in as 'training' on the mail server 127.0.0.1:{s.port}: "
            "535 5.7.8 Authentication credentials invalid"
        )
        assert "ü" not in r.stderr and "xfc" not in r.stderr and "position" not in r.stderr
        assert db.rows("SELECT id FROM reminder_log") == []
        env["TRAINCTL_SMTP_PASSWORD"] = given
        r = run(db_url, "reminders", "send", "--as-of", AS_OF, env=env)
        assert r.returncode == 0 and "Sent 3 reminders" in r.stderr, r
        assert s.logins[-1] == expected and len(s.handler.messages) == 3


def test_a_server_offering_no_starttls_is_refused_in_one_line_without_the_password(
    cli, db_url, snapshot, server
):
    department(cli, members=3)
    configure(cli, server.port)  # aiosmtpd without TLS: it offers no STARTTLS
    cli("config", "set", "smtp.security", "starttls")
    cli("config", "set", "smtp.user", "training")
    before = snapshot()
    r = run(
        db_url, "reminders", "send", "--as-of", AS_OF, env=cron_env(TRAINCTL_SMTP_PASSWORD=SECRET)
    )
    assert r.returncode == 69, r
    lines = r.stderr.splitlines()
    assert lines[0] == (f"Error: Cannot use the mail server 127.0.0.1:{server.port}: it offers no "
                        "STARTTLS, and trainctl does not send in clear text")  # fmt: skip
    assert len(lines) == 2 and lines[1].startswith("Hint: ")
    assert "config set smtp.security tls" in lines[1] and "that the server is up" not in lines[1]
    assert SECRET not in r.stdout + r.stderr and "Traceback" not in r.stderr
    assert snapshot() == before and server.handler.messages == []


def test_a_server_offering_no_login_says_so_and_what_to_set(cli, db_url, snapshot, server):
    department(cli, members=1)
    configure(cli, server.port)  # a relay on this machine, without AUTH
    cli("config", "set", "smtp.user", "training")
    before = snapshot()
    r = run(
        db_url, "reminders", "send", "--as-of", AS_OF, env=cron_env(TRAINCTL_SMTP_PASSWORD=SECRET)
    )
    assert r.returncode == 69, r
    lines = r.stderr.splitlines()
    assert lines[0].startswith(f"Error: Cannot log in on the mail server 127.0.0.1:{server.port}: ")
    assert len(lines) == 2 and "config set smtp.user ''" in lines[1]
    assert "that the server is up" not in lines[1] and SECRET not in r.stderr
    assert snapshot() == before and server.handler.messages == []


@pytest.mark.parametrize("left", ["smtp.user", "smtp.security"])
def test_a_server_that_takes_no_mail_as_configured_is_one_line_and_nothing_is_marked(
    cli, db_url, snapshot, certs, left
):
    """The README's set-up with one step left out: no smtp.user for a server that takes
    mail only after a login, or smtp.security none for one that takes it only after
    STARTTLS. The server answers every message "530 5.7.0 ...": each was marked failed,
    one error line per message (night after night, exit 1, "the next run retries them").
    It is the server that cannot be used as configured, as a refused login is: one line
    with the server's answer and the setting to check, exit 69, nothing marked."""
    department(cli, members=3)
    with TlsServer(certs / "good.pem", certs / "good.key", auth_required=True) as s:
        configure(cli, s.port)
        cli("config", "set", "smtp.cafile", str(certs / "ca.pem"))
        if left == "smtp.user":
            cli("config", "set", "smtp.security", "starttls")
        env = cron_env(TRAINCTL_SMTP_PASSWORD="right")
        before = snapshot()
        r = run(db_url, "--format", "json", "reminders", "send", "--as-of", AS_OF, env=env)
        assert r.returncode == 69, r.stderr
        lines = r.stderr.splitlines()
        assert lines[0].startswith(f"Error: The mail server 127.0.0.1:{s.port} takes no mail "), r
        assert ("530 5.7.0 Authentication required" if left == "smtp.user"
                else "530 Must issue a STARTTLS command first") in lines[0]  # fmt: skip
        assert len(lines) == 2 and lines[1].startswith("Hint: ") and "Traceback" not in r.stderr
        assert (f"config set {left} " in lines[1]) and "the next run sends" in lines[1]
        assert {x["status"] for x in __import__("json").loads(r.stdout)} == {"not_sent"}
        assert snapshot() == before and s.handler.messages == []

        cli("config", "set", "smtp.security", "starttls")
        cli("config", "set", "smtp.user", "training")
        r = run(db_url, "reminders", "send", "--as-of", AS_OF, env=env)
        assert r.returncode == 0 and "Sent 3 reminders" in r.stderr, r
        assert len(s.handler.messages) == 3


# -------------------------------------------------------------------- cron's environment
# the clock of the process set to a moment (time-machine), then trainctl's own entry point
AT = ("import sys, time_machine; time_machine.travel(sys.argv.pop(1), tick=True).start(); "
      "sys.argv[0] = 'trainctl'; from trainctl.cli.main import main; main()")  # fmt: skip


@pytest.mark.parametrize(("utc", "day", "left", "home"), [
    ("2026-03-21T00:30:00+00:00", "2026-03-20", 12, "no HOME"),  # 19:30 on the 20th in Chicago
    ("2026-03-21T00:30:00+00:00", "2026-03-20", 12, "HOME not writable"),
    ("2026-03-21T00:30:00+00:00", "2026-03-20", 12, "HOME missing"),
    ("2026-03-21T05:30:00+00:00", "2026-03-21", 11, "no HOME"),  # 00:30 on the 21st there
])  # fmt: skip
def test_a_cron_run_dates_today_in_the_departments_timezone_in_plain_text(
    cli, db_url, server, tmp_path, utc, day, left, home
):
    """cron: no TTY, no TERM, no TZ, LANG=C, HOME unset or not writable, the clock just past
    midnight UTC. The run's today is the department's (America/Chicago), its mail counts
    the days from it, and what it prints is plain text: no colour codes, no traceback."""
    pytest.importorskip("time_machine")
    department(cli, members=2)
    configure(cli, server.port)
    cli("config", "set", "timezone", "America/Chicago")
    env = cron_env()
    if home == "HOME not writable":  # (a file: not even root can write under it)
        (tmp_path / "home").write_text("")
        env["HOME"] = str(tmp_path / "home")
    elif home == "HOME missing":
        env["HOME"] = "/nonexistent"
    p = subprocess.run([sys.executable, "-c", AT, utc, "--db", str(db_url), "reminders", "send"],
                       env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       cwd="/", timeout=120)  # fmt: skip
    assert p.returncode == 0, p
    assert p.stdout == "" and p.stderr == f"Sent 2 reminders ({day}).\n"  # no --as-of warning
    assert [m["Subject"] for m in server.handler.messages] == [
        f"Reminder: Recruit Academy is due in {left} days (2026-04-01)"] * 2  # fmt: skip


def test_a_failing_cron_run_prints_plain_lines_and_no_traceback(cli, db_url):
    department(cli, members=2)
    configure(cli, free_port())  # nothing listens there
    r = run(db_url, "--quiet", "reminders", "send", "--as-of", AS_OF)
    assert r.returncode == 69, r
    assert r.stdout == "" and "\x1b" not in r.stderr and "Traceback" not in r.stderr
    assert r.stderr.startswith("Error: Cannot reach the mail server 127.0.0.1:")
    assert len(r.stderr.splitlines()) == 2


def test_the_claims_of_a_run_still_sending_are_not_called_interrupted(cli, db_url, db, server):
    """Review: `reminders log --failed`, read while the nightly run was still sending,
    listed every claim not yet sent as interrupted ("its run stopped first"), and
    `reminders preview` called them "retry (interrupted)": false at that moment. While
    a run holds the lock they are "sending"; once it is gone (killed), interrupted."""
    department(cli, members=3)
    configure(cli, server.port)
    seen: dict[str, Any] = {}

    def meanwhile() -> None:
        seen["log"] = cli("--format", "json", "reminders", "log").json
        seen["failed"] = cli("--format", "json", "reminders", "log", "--failed").json
        seen["table"] = " ".join(cli("reminders", "log").stdout.split())
        seen["preview"] = cli("--format", "json", "reminders", "preview", "--as-of", AS_OF).json

    kill_while_sending(server.handler, db_url, AS_OF, meanwhile)
    assert seen["log"] and {e["status"] for e in seen["log"]} == {"sending"}, seen["log"]
    assert seen["failed"] == []
    assert "no answer yet: the `reminders send`" in seen["table"], seen["table"]
    assert {p["status"] for p in seen["preview"]} == {"sending (a run is in progress)"}, seen["preview"]
    # the run killed: the same claims are interrupted, and what did not go out
    after = cli("--format", "json", "reminders", "log", "--failed").json
    assert len(after) == len(seen["log"]) and {e["status"] for e in after} == {"interrupted"}
    preview = cli("--format", "json", "reminders", "preview", "--as-of", AS_OF).json
    assert {p["status"] for p in preview} == {"retry (interrupted)"}
