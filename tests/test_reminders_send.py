"""`trainctl reminders send` against a real SMTP server (aiosmtpd on 127.0.0.1).

No mocks of smtplib or of the database: the CLI runs in-process (or in real processes for
the concurrency and kill -9 cases) against a real SQLite file and a real SMTP listener.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
from backends import connect
from reminder_helpers import Server, configure, department, email_of, free_port

AS_OF = "2026-03-20"  # targets 2026-04-01: 12 days left, the 14-day warning is due


@pytest.fixture
def server():
    s = Server().start()
    yield s
    s.stop()


def log_rows(db: Path, *cols: str) -> list[tuple]:
    con = connect(db)
    try:
        return con.execute(f"SELECT {', '.join(cols)} FROM reminder_log ORDER BY id").fetchall()
    finally:
        con.close()


def test_a_run_sends_each_due_message_once_and_a_second_run_sends_nothing(cli, db_url, server):
    department(cli, members=3)
    configure(cli, server.port)
    due = cli("--format", "json", "reminders", "preview", "--as-of", AS_OF).json
    assert sorted((d["kind"], d["email"]) for d in due) == [
        ("program_deadline", email_of(0)), ("program_deadline", email_of(1)),
        ("program_deadline", email_of(2)),
    ]  # fmt: skip
    r = cli("reminders", "send", "--as-of", AS_OF)
    assert "Sent 3 reminders" in r.stderr and r.stdout == ""
    msgs = server.handler.messages
    assert sorted(m["X-Trainctl-Reminder"] for m in msgs) == sorted(d["key"] for d in due)
    # the log holds the server's answer and the Message-ID that went out
    rows = log_rows(db_url, "status", "answer", "message_id", "attempts")
    assert {r[0] for r in rows} == {"sent"} and all(r[1].startswith("250 2.0.0 Ok: queued as Q") for r in rows)
    assert {r[2] for r in rows} == {str(m["Message-ID"]) for m in msgs}
    assert {r[3] for r in rows} == {1}
    zoe = next(m for m in msgs if m["To"].addresses[0].addr_spec == email_of(0))
    assert zoe["To"].addresses[0].display_name == "Zoë Núñez-Ørsted"
    assert zoe["From"].addresses[0].display_name == "Training Office"
    assert zoe["Subject"] == "Reminder: Recruit Academy is due in 12 days (2026-04-01)"
    body = zoe.get_content()
    assert "Hello Zoë Núñez-Ørsted," in body and "Wednesday 1 April 2026" in body
    assert "Progress: 0% complete." in body and "What to do next:" in body
    assert zoe["Date"] is not None and zoe["Auto-Submitted"] == "auto-generated"

    r = cli("reminders", "send", "--as-of", AS_OF)
    assert "Nothing due" in r.stderr and len(server.handler.messages) == 3
    assert cli("--quiet", "reminders", "send", "--as-of", AS_OF).stderr == ""  # silent for cron


def test_the_officer_gets_one_digest_per_run_listing_who_is_behind(cli, server):
    department(cli, members=2, targets=["2026-03-01", "2026-06-01"])
    configure(cli, server.port)
    cli("reminders", "send", "--as-of", AS_OF)
    digests = [m for m in server.handler.messages if m["To"].addresses[0].addr_spec == "olive@fd.example"]
    assert len(digests) == 1
    assert digests[0]["Subject"] == f"Training digest {AS_OF}: 1 member behind"
    text = digests[0].get_content()
    assert (f"Zoë Núñez-Ørsted <{email_of(0)}> - Recruit Academy (enrollment 1): 0%; "
            "target date 2026-03-01 passed") in text  # fmt: skip
    assert email_of(1) not in text
    cli("reminders", "send", "--as-of", AS_OF)  # the same day: no second digest
    assert len(server.handler.messages) == 2  # the digest and m0's overdue follow-up


def test_server_down_exits_69_with_nothing_marked_and_the_next_run_sends_everything(cli, db_url, monkeypatch):
    department(cli, members=3)
    port = free_port()  # nothing listens here
    configure(cli, port)
    monkeypatch.delenv("TRAINCTL_DEBUG")
    r = cli("reminders", "send", "--as-of", AS_OF, ok=False)
    assert r.exit_code == 69, r
    assert "Cannot reach the mail server 127.0.0.1" in r.stderr and "Nothing was marked sent" in r.stderr
    assert log_rows(db_url, "status") == []
    s = Server(port).start()
    try:
        cli("reminders", "send", "--as-of", AS_OF)
        assert len(s.handler.messages) == 3  # nobody is behind yet: no digest
    finally:
        s.stop()
    assert {r[0] for r in log_rows(db_url, "status")} == {"sent"}


def test_a_refused_recipient_is_logged_failed_and_retried_next_time(cli, db_url, server, monkeypatch):
    department(cli, members=3, officer=False)
    configure(cli, server.port)
    server.handler.refuse = {email_of(1)}
    monkeypatch.delenv("TRAINCTL_DEBUG")
    r = cli("reminders", "send", "--as-of", AS_OF, ok=False)
    assert r.exit_code == 1, r
    assert "1 of 3 reminders failed; 2 sent" in r.stderr
    assert f"{email_of(1)}: Reminder: Recruit Academy" in r.stderr and "550 5.1.1" in r.stderr
    failed = cli("--format", "json", "reminders", "log", "--failed").json
    assert [(f["to"], f["status"]) for f in failed] == [(email_of(1), "failed")]
    assert failed[0]["error"].startswith("550 5.1.1 <m1@fd.example>: Recipient address rejected")
    table = cli("reminders", "log", "--failed").stdout
    assert "550 5.1.1" in table
    assert [d["status"] for d in cli("--format", "json", "reminders", "preview", "--as-of", AS_OF).json] == [
        "retry (failed)"
    ]

    server.handler.refuse = set()
    cli("reminders", "send", "--as-of", AS_OF)
    assert Counter(m["To"].addresses[0].addr_spec for m in server.handler.messages) == {
        email_of(0): 1, email_of(1): 1, email_of(2): 1,
    }  # fmt: skip
    logged = {to: (status, n) for to, status, n in log_rows(db_url, "to_addr", "status", "attempts")}
    assert logged[email_of(1)] == ("sent", 2)
    # the retry keeps its Message-ID: a copy is recognisable as the same message
    assert cli("--format", "json", "reminders", "log", "--failed").json == []
    assert cli("--format", "json", "reminders", "log", "--member", email_of(1)).json[0]["attempts"] == 2


def _send_in_a_process(db: str, start, out) -> None:  # spawned: a fresh interpreter
    os.environ["TRAINCTL_DB"] = db
    os.environ.pop("TRAINCTL_DEBUG", None)
    from typer.testing import CliRunner

    from trainctl.cli.main import app

    runner = CliRunner()
    start.wait()
    r = runner.invoke(app, ["reminders", "send", "--as-of", AS_OF])
    out.put(r.exit_code)


def test_two_runs_started_together_send_each_message_exactly_once(cli, db_url, server):
    department(cli, members=6, officer=False)
    configure(cli, server.port)
    server.handler.delay = 0.3  # the first run is still sending when the second starts
    ctx = mp.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_send_in_a_process, args=(str(db_url), start, out)) for _ in range(2)]
    for p in procs:
        p.start()
    time.sleep(1.5)  # both interpreters have imported and wait at the gate
    start.set()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    codes = sorted([out.get(timeout=5), out.get(timeout=5)])
    assert codes == [0, 75]  # the second exits at once: another run holds the lock
    keys = server.handler.keys()
    assert len(keys) == len(set(keys)) == 6


def test_a_second_run_while_one_holds_the_lock_exits_75_at_once(cli, db_path, monkeypatch):
    from trainctl.services.reminders import run_lock

    department(cli, members=1, officer=False)
    monkeypatch.delenv("TRAINCTL_DEBUG")
    with run_lock(f"sqlite:///{db_path}") as path:
        t0 = time.monotonic()
        r = cli("reminders", "send", "--as-of", AS_OF, "--transport", "stdout", ok=False)
        assert time.monotonic() - t0 < 2
    assert r.exit_code == 75, r
    assert f"process {os.getpid()}" in r.stderr and str(path) in r.stderr
    assert r.stdout == "" and log_rows(db_path, "status") == []


def test_a_run_killed_mid_batch_resends_nothing_marked_sent(cli, db_url, server):
    department(cli, members=12, officer=False)
    configure(cli, server.port)
    server.handler.delay = 0.4
    env = {**os.environ, "TRAINCTL_DB": str(db_url)}
    env.pop("TRAINCTL_DEBUG", None)
    proc = subprocess.Popen([sys.executable, "-m", "trainctl", "reminders", "send", "--as-of", AS_OF], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 60
    while len(server.handler.messages) < 5 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    first = server.handler.keys()
    assert 5 <= len(first) < 12
    marked = {f"program_deadline|{item}|{rid}|{th}" for item, rid, th, st in
              log_rows(db_url, "item", "recipient_id", "threshold", "status") if st == "sent"}  # fmt: skip
    assert marked and marked <= set(first)  # marks follow acceptance, never run ahead of it
    statuses = Counter(st for (st,) in log_rows(db_url, "status"))
    assert statuses["claimed"] == 12 - statuses["sent"]  # the rest wait, claimed by the dead run

    server.handler.delay = 0
    cli("reminders", "send", "--as-of", AS_OF)  # no 75: the kernel freed the lock with the process
    second = server.handler.keys()[len(first):]
    assert not marked & set(second)  # nothing marked sent is sent again
    assert len(set(first) | set(second)) == 12  # everything arrived
    # the gap: only messages accepted but not yet marked can arrive twice, with one Message-ID
    twice = [k for k, n in Counter(first + second).items() if n > 1]
    assert len(twice) <= 3
    ids = {}
    for m in server.handler.messages:
        ids.setdefault(str(m["X-Trainctl-Reminder"]), set()).add(str(m["Message-ID"]))
    assert all(len(v) == 1 for v in ids.values())
    assert {st for (st,) in log_rows(db_url, "status")} == {"sent"}


def test_a_run_stopped_by_sigterm_marks_what_went_out_and_nothing_is_sent_twice(cli, db_url, server):
    """`timeout` in a crontab, systemd or a shutdown sends SIGTERM: it ended the run at
    once, with up to a batch of messages the server had taken left unmarked, and the next
    run mailed them again. It stops the run once the message in flight is answered, with
    the marks committed: every message the server took is marked, none goes out twice."""
    department(cli, members=12, officer=False)
    configure(cli, server.port)
    server.handler.delay = 0.4
    env = {**os.environ, "TRAINCTL_DB": str(db_url)}
    env.pop("TRAINCTL_DEBUG", None)
    proc = subprocess.Popen([sys.executable, "-m", "trainctl", "reminders", "send", "--as-of", AS_OF], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)  # fmt: skip
    deadline = time.monotonic() + 60
    while len(server.handler.messages) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode != 0 and "Interrupted" in err, (proc.returncode, err)
    first = server.handler.keys()
    assert 3 <= len(first) < 12
    marked = {f"program_deadline|{item}|{rid}|{th}" for item, rid, th, st in
              log_rows(db_url, "item", "recipient_id", "threshold", "status") if st == "sent"}  # fmt: skip
    assert marked == set(first)  # every message the server took is marked sent
    server.handler.delay = 0
    cli("reminders", "send", "--as-of", AS_OF)
    second = server.handler.keys()[len(first):]
    assert sorted(first + second) == sorted(set(first + second)) and len(second) == 12 - len(first)


def test_weekly_runs_deliver_every_30_14_7_day_warning_once(cli, server):
    # seven enrollments whose deadlines fall on every weekday relative to the weekly run
    targets = [(date(2026, 4, 1) + timedelta(days=i)).isoformat() for i in range(7)]
    department(cli, members=7, targets=targets, officer=False)
    configure(cli, server.port)
    day = date(2026, 2, 1)
    while day <= date(2026, 4, 12):
        cli("reminders", "send", "--as-of", day.isoformat())
        day += timedelta(days=7)
    got = Counter(
        (str(m["To"].addresses[0].addr_spec), str(m["X-Trainctl-Reminder"]).rsplit("|", 1)[1])
        for m in server.handler.messages
    )
    for i in range(7):
        for threshold in ("30d", "14d", "7d", "overdue"):
            assert got[(email_of(i), threshold)] == 1, (i, threshold, got)
    assert sum(got.values()) == 7 * 4


def test_a_moved_deadline_gets_fresh_warnings_and_a_completed_one_none(cli, db_url, server):
    department(cli, members=2, officer=False)
    configure(cli, server.port)
    cli("reminders", "send", "--as-of", AS_OF)
    assert len(server.handler.messages) == 2
    con = connect(db_url)
    con.execute("UPDATE enrollment SET target_completion_date = '2026-04-25' WHERE member_id = "
                "(SELECT id FROM member WHERE email = ?)", (email_of(0),))  # fmt: skip
    con.commit()
    con.close()
    cli("progress", "update", "--member", email_of(1), "--requirement", "Live fire", "--add", "12")
    assert cli("--format", "json", "enroll", "show", "2").json["status"] == "completed"
    due = cli("--format", "json", "reminders", "preview", "--as-of", "2026-03-27").json
    assert [(d["email"], d["threshold"], d["key"].split("|")[1]) for d in due] == [
        (email_of(0), "30d", "enrollment:1/due:2026-04-25")
    ]


def test_year_end_and_leap_day_deadlines(cli, server):
    department(cli, members=2, targets=["2027-01-03", "2028-02-29"], enrolled="2026-12-01",
               reminders='{"lead_days": [30, 7]}', officer=False)  # fmt: skip
    configure(cli, server.port)
    cli("reminders", "send", "--as-of", "2026-12-04")  # 30 days before Jan 3
    assert cli("--format", "json", "reminders", "preview", "--as-of", "2026-12-26").json == []
    cli("reminders", "send", "--as-of", "2026-12-27")  # 7 days before, across the year end
    cli("reminders", "send", "--as-of", "2028-01-29")
    assert len(server.handler.messages) == 2
    cli("reminders", "send", "--as-of", "2028-01-30")  # 30 days before Feb 29
    assert server.handler.keys() == [
        "program_deadline|enrollment:1/due:2027-01-03|1|30d",
        "program_deadline|enrollment:1/due:2027-01-03|1|7d",
        "program_deadline|enrollment:2/due:2028-02-29|2|30d",
    ]


def test_file_and_stdout_transports(cli, db_url, tmp_path):
    department(cli, members=2, officer=False)
    out = tmp_path / "outbox"
    r = cli("reminders", "send", "--as-of", AS_OF, "--transport", "file", str(out))
    files = sorted(out.glob("*.eml"))
    assert len(files) == 2 and "to " + str(out) in r.stderr
    assert all(oct(f.stat().st_mode)[-3:] == "600" for f in files)
    from email import message_from_bytes
    from email.policy import default

    msgs = [message_from_bytes(f.read_bytes(), policy=default) for f in files]
    assert {str(m["Message-ID"]) for m in msgs} == {r[0] for r in log_rows(db_url, "message_id")}
    assert msgs[0]["From"].addresses[0].addr_spec == "trainctl@localhost"  # no sender configured

    r = cli("reminders", "send", "--as-of", "2026-03-26", "--transport", "stdout")  # the 7-day ones
    assert r.stdout.startswith("From trainctl ") and r.stdout.count("\nFrom trainctl ") == 1
    assert r.stdout.count("Subject: Reminder: Recruit Academy is due in 6 days (2026-04-01)") == 2
    assert "Sent 2 reminders to stdout" in r.stderr


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (["--transport", "file"], "needs a folder"),
        (["--transport", "smtp", "somewhere"], "only for --transport file"),
        (["--transport", "pigeon"], "pigeon"),
    ],
)
def test_transport_usage_errors(cli, args, text, monkeypatch):
    monkeypatch.delenv("TRAINCTL_DEBUG")
    r = cli("reminders", "send", *args, ok=False)
    assert r.exit_code == 2 and text in r.stderr, r


@pytest.mark.parametrize("host", ["mail..example.org", "x" * 100_000], ids=["empty-label", "long"])
def test_a_host_the_resolver_cannot_encode_exits_69_with_nothing_marked(cli, db_url, monkeypatch, host):
    """A host stored before `config set` refused such names made every nightly run crash
    with exit 70 (UnicodeError from the "idna" codec); it is a server that cannot be reached."""
    department(cli, members=1)
    configure(cli, free_port())
    con = connect(db_url)
    try:
        con.execute("UPDATE setting SET value = ? WHERE key = 'smtp.host'", (host,))
        con.commit()
    finally:
        con.close()
    monkeypatch.delenv("TRAINCTL_DEBUG")
    r = cli("reminders", "send", "--as-of", AS_OF, ok=False)
    assert r.exit_code == 69, r
    assert "Cannot look up the mail server" in r.stderr and "not a host name" in r.stderr
    assert len(r.stderr) < 1000  # a long name is shown by its start and length
    assert "Nothing was marked sent" in r.stderr
    assert log_rows(db_url, "status") == []


def test_without_a_mail_server_configured_the_run_says_how(cli, monkeypatch):
    department(cli, members=1, officer=False)
    monkeypatch.delenv("TRAINCTL_DEBUG")
    r = cli("reminders", "send", "--as-of", AS_OF, ok=False)
    assert r.exit_code == 1 and "No mail server is configured" in r.stderr
    assert "config set smtp.host" in r.stderr
    # nothing due: the server is not needed at all
    assert cli("reminders", "send", "--as-of", "2026-01-02").exit_code == 0


def test_members_cannot_send_or_read_others_reminders(cli, server, monkeypatch):
    department(cli, members=2)
    configure(cli, server.port)
    cli("reminders", "send", "--as-of", AS_OF)
    monkeypatch.delenv("TRAINCTL_DEBUG")
    r = cli("--as", email_of(0), "reminders", "send", "--as-of", AS_OF, ok=False)
    assert r.exit_code == 77
    assert cli("--as", email_of(0), "reminders", "preview", ok=False).exit_code == 77
    assert cli("--as", email_of(0), "reminders", "log", ok=False).exit_code == 77
    mine = cli("--as", email_of(0), "--format", "json", "reminders", "log", "--member", email_of(0)).json
    assert [m["to"] for m in mine] == [email_of(0)]
    assert cli("--as", email_of(0), "reminders", "log", "--member", email_of(1), ok=False).exit_code == 77
    assert cli("--as", "olive@fd.example", "reminders", "preview").exit_code == 0


def test_the_server_going_away_mid_run_exits_69_and_releases_what_was_not_sent(cli, db_url, monkeypatch):
    import threading

    department(cli, members=6, officer=False)
    s = Server().start()
    configure(cli, s.port)
    handler = s.handler
    original = handler.handle_DATA

    async def dying(server, session, envelope):
        if len(handler.messages) == 2:  # the third message: the server goes away before answering
            threading.Thread(target=s.stop).start()
            import asyncio

            await asyncio.sleep(5)
        return await original(server, session, envelope)

    handler.handle_DATA = dying
    monkeypatch.delenv("TRAINCTL_DEBUG")
    r = cli("reminders", "send", "--as-of", AS_OF, ok=False)
    assert r.exit_code == 69, r
    assert "went away during the run" in r.stderr and "2 sent and marked" in r.stderr
    rows = log_rows(db_url, "status", "error")
    assert [st for st, _ in rows].count("sent") == 2
    assert [st for st, _ in rows].count("failed") == 1  # the one in flight: maybe taken, so retried
    assert "connection lost" in next(err for st, err in rows if st == "failed")
    assert len(rows) == 3  # the claims never tried were released

    again = Server(s.port).start()
    try:
        cli("reminders", "send", "--as-of", AS_OF)
        assert len(again.handler.messages) == 4
        assert not set(again.handler.keys()) & set(handler.keys())
    finally:
        again.stop()
    assert {st for st, _ in log_rows(db_url, "status", "error")} == {"sent"}


def _drop_after(server: Server, n: int) -> None:
    """The server takes `n` messages, then drops the connection at every DATA after that
    (the run's one new connection too): the mail server went away mid-run."""
    h = server.handler
    accept = h.handle_DATA

    async def dropping(srv, session, envelope):
        if len(h.messages) < n:
            return await accept(srv, session, envelope)
        srv.transport.close()
        return "421 4.3.2 closing"

    h.handle_DATA = dropping


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_a_run_the_server_left_mid_way_still_lists_for_a_script_what_it_did(cli, db_url, server, fmt):
    """`--format json|csv` after the server went away (exit 69): the same listing as a run
    that finished, each reminder once: what went out (with the server's answer), the one in
    flight (failed, "connection lost", retried) and those never tried ("not_sent"; they
    stay due). A script reading cron's output knows what the next run sends; the human
    summary on stderr is as it was."""
    department(cli, members=6, officer=False)
    configure(cli, server.port)
    due = {d["key"] for d in cli("--format", "json", "reminders", "preview", "--as-of", AS_OF).json}
    _drop_after(server, 2)
    r = cli("--format", fmt, "reminders", "send", "--as-of", AS_OF, ok=False)
    assert r.exit_code == 69, r
    assert "went away during the run" in r.stderr and "2 sent and marked" in r.stderr
    if fmt == "json":
        rows = r.json
    else:
        import csv
        import io

        rows = list(csv.DictReader(io.StringIO(r.stdout.lstrip("\ufeff"))))
    assert Counter(x["status"] for x in rows) == {"sent": 2, "failed": 1, "not_sent": 3}
    assert {x["key"] for x in rows} == due and len(rows) == 6
    sent = {x["key"] for x in rows if x["status"] == "sent"}
    assert sent == set(server.handler.keys())
    assert all(x["answer"].startswith("250 2.0.0 Ok: queued as Q") for x in rows if x["status"] == "sent")
    (failed,) = (x for x in rows if x["status"] == "failed")
    assert failed["answer"].startswith("connection lost")
    assert all("the next run sends it" in x["answer"] for x in rows if x["status"] == "not_sent")
    # what the listing calls still due is what the next run finds due
    left = {d["key"] for d in cli("--format", "json", "reminders", "preview", "--as-of", AS_OF).json}
    assert left == due - sent
    # (the table format prints no listing: stdout stays empty for cron)
    assert {st for st, in log_rows(db_url, "status")} == {"sent", "failed"}


def test_a_server_that_cannot_be_reached_still_gives_a_script_its_listing(cli, db_url, server, snapshot):
    """Review: `--format json` printed nothing when the server could not be reached at all
    (exit 69 before any claim): not even valid JSON for the script reading cron's output.
    Every due reminder is listed, not_sent, still due; nothing is claimed."""
    department(cli, members=3, officer=False)
    configure(cli, server.port)
    due = {d["key"] for d in cli("--format", "json", "reminders", "preview", "--as-of", AS_OF).json}
    server.stop()
    before = snapshot()
    r = cli("--format", "json", "reminders", "send", "--as-of", AS_OF, ok=False)
    assert r.exit_code == 69 and "Cannot reach the mail server" in r.stderr, r
    assert {x["key"] for x in r.json} == due and {x["status"] for x in r.json} == {"not_sent"}
    assert all("it stays due and the next run sends it" in x["answer"] for x in r.json)
    assert snapshot() == before
    r = cli("reminders", "send", "--as-of", AS_OF, ok=False)  # the table format: stdout stays empty
    assert r.exit_code == 69 and r.stdout == "", r


def test_with_no_active_officer_the_run_says_nobody_gets_the_digest(cli, server):
    """The digest of who is behind goes to the active officers; with none, a run that went
    quiet about it would leave the training office believing someone was told."""
    department(cli, members=2, officer=False)
    configure(cli, server.port)
    assert "No active officer" in cli("reminders", "preview", "--as-of", AS_OF).stderr
    assert "No active officer" in cli("reminders", "send", "--dry-run", "--as-of", AS_OF).stderr
    # a cron run (--quiet) says it too: it needs someone, and cron mails what is printed
    assert "No active officer" in cli("reminders", "send", "--dry-run", "--quiet", "--as-of", AS_OF).stderr
    r = cli("reminders", "send", "--as-of", AS_OF)
    assert "No active officer" in r.stderr and "--role officer" in r.stderr
    assert len(server.handler.messages) == 2
    cli("member", "add", "Olive Officer", "--email", "olive@fd.example", "--role", "officer")
    assert "No active officer" not in cli("reminders", "preview", "--as-of", AS_OF).stderr


def _hold_the_database_when_mail_goes_out(
    monkeypatch, db_path: Path, seconds: float, until: threading.Event | None = None
) -> list:
    """Another process's writer takes the database as the first message goes out and keeps
    it `seconds`, or until `until` is set (a real second connection, BEGIN IMMEDIATE);
    trainctl's busy wait is shortened to 0.2 s so the test need not wait 10 s for each try."""
    import sqlite3

    from trainctl import dbfile
    from trainctl.services import mail

    monkeypatch.setattr(dbfile, "BUSY_TIMEOUT_MS", 200)
    held: list[threading.Thread] = []
    send = mail.SmtpTransport.send

    def hold() -> None:
        con = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
        con.execute("BEGIN IMMEDIATE")
        taken.set()
        if until is None:
            time.sleep(seconds)
        else:
            until.wait(seconds)
        con.execute("ROLLBACK")
        con.close()

    taken = threading.Event()

    def sending(self, msg, to_addr):  # the real send, then (once) the other writer
        answer = send(self, msg, to_addr)
        if not held:
            held.append(threading.Thread(target=hold))
            held[0].start()
            taken.wait(5)
        return answer

    monkeypatch.setattr(mail.SmtpTransport, "send", sending)
    return held


@pytest.mark.sqlite_only("SQLite's busy timeout is what the test shortens")
def test_marks_wait_out_a_busy_database_and_nothing_is_sent_twice(cli, db_path, server, monkeypatch):
    """The messages are out: the run waits for the database to record them rather than
    stopping with them unmarked (a re-run would mail them again)."""
    department(cli, members=12, officer=False)
    configure(cli, server.port)
    held = _hold_the_database_when_mail_goes_out(monkeypatch, db_path, 1.5)
    r = cli("reminders", "send", "--as-of", AS_OF)
    held[0].join()
    assert "Sent 12 reminders" in r.stderr
    assert {st for (st,) in log_rows(db_path, "status")} == {"sent"}
    cli("reminders", "send", "--as-of", AS_OF)
    keys = server.handler.keys()
    assert len(keys) == len(set(keys)) == 12


@pytest.mark.sqlite_only("SQLite's busy timeout is what the test shortens")
def test_marks_that_cannot_be_written_stop_the_run_and_say_what_went_out(cli, db_path, server, monkeypatch):
    from trainctl.services import reminders

    department(cli, members=12, officer=False)
    configure(cli, server.port)
    monkeypatch.setattr(reminders, "MARK_PATIENCE_SECONDS", 0.5)
    # marks go by the batch alone: on a loaded machine a second can pass before the tenth
    # message, and the marks would then be tried (and stick) after fewer
    monkeypatch.setattr(reminders, "MARK_SECONDS", 3600.0)
    monkeypatch.delenv("TRAINCTL_DEBUG")
    done = threading.Event()  # the other writer keeps the database until the run has ended
    held = _hold_the_database_when_mail_goes_out(monkeypatch, db_path, 60, until=done)
    r = cli("reminders", "send", "--as-of", AS_OF, ok=False)
    done.set()
    held[0].join()
    assert r.exit_code == 75
    out = len(server.handler.keys())
    assert out == 10 < 12  # one batch went out; the run sent nothing more once stuck
    assert f"{out} messages the mail server accepted could not be marked sent" in r.stderr
    assert "sends those again (with the same Message-ID)" in r.stderr


@pytest.mark.sqlite_only("SQLite's busy timeout is what the test shortens")
def test_marks_that_cannot_be_written_say_how_long_the_run_waited_and_guess_no_holder(
    cli, db_path, server, monkeypatch
):
    """It said "another trainctl run held it for more than 10 s" after waiting its whole
    patience (120 s), whoever held the file (a backup, a sqlite3 shell)."""
    import re

    from trainctl.services import reminders

    department(cli, members=12, officer=False)
    configure(cli, server.port)
    monkeypatch.setattr(reminders, "MARK_PATIENCE_SECONDS", 3.0)
    monkeypatch.setattr(reminders, "MARK_SECONDS", 3600.0)  # marks by the batch alone
    monkeypatch.delenv("TRAINCTL_DEBUG")
    done = threading.Event()  # a plain sqlite3 connection, not trainctl, holds the file
    held = _hold_the_database_when_mail_goes_out(monkeypatch, db_path, 60, until=done)
    t0 = time.monotonic()
    r = cli("reminders", "send", "--as-of", AS_OF, ok=False)
    took = time.monotonic() - t0
    done.set()
    held[0].join()
    assert r.exit_code == 75, r
    said = re.search(r"locked by another connection for the (\d+) s this run waited", r.stderr)
    assert said is not None, r
    assert 3 <= int(said.group(1)) <= took + 1
    assert "trainctl run held" not in r.stderr and "10 s" not in r.stderr
    assert "10 messages the mail server accepted could not be marked sent" in r.stderr
    assert "sends those again (with the same Message-ID)" in r.stderr
    assert "sent" not in {st for (st,) in log_rows(db_path, "status")}  # (not marked: stuck)


def test_a_run_through_a_symlink_meets_the_same_lock(cli, db_path, monkeypatch, tmp_path):
    from trainctl.services.reminders import lock_path, run_lock

    department(cli, members=1, officer=False)
    link = tmp_path / "link.db"
    link.symlink_to(db_path)
    assert lock_path(f"sqlite:///{link}") == lock_path(f"sqlite:///{db_path}")
    monkeypatch.delenv("TRAINCTL_DEBUG")
    with run_lock(f"sqlite:///{db_path}"):
        r = cli("--db", str(link), "reminders", "send", "--as-of", AS_OF, "--transport", "stdout", ok=False)
    assert r.exit_code == 75 and r.stdout == ""


@pytest.mark.parametrize("where", ["missing folder", "existing folder", "empty file"])
def test_a_mistyped_database_path_is_refused_and_nothing_is_created(cli, db_path, server, monkeypatch, tmp_path, where):
    """A crontab's --db with a typo: `reminders send` made a new, empty database there (and
    its lock file), found nothing due and exited 0, night after night; the only line it
    printed was the no-officer warning, which blamed the wrong thing."""
    department(cli, members=1)
    configure(cli, server.port)
    typo = {
        "missing folder": tmp_path / "trainctl" / "departmnet.db",
        "existing folder": tmp_path / "departmnet.db",
        "empty file": tmp_path / "departmnet.db",
    }[where]
    if where == "empty file":
        typo.touch()
    monkeypatch.delenv("TRAINCTL_DEBUG")
    before = sorted(p.name for p in tmp_path.rglob("*"))
    for args in (["--quiet", "reminders", "send"], ["reminders", "send", "--dry-run"],
                 ["reminders", "preview"], ["reminders", "send", "--transport", "stdout"]):  # fmt: skip
        r = cli("--db", str(typo), *args, "--as-of", AS_OF, ok=False)
        assert r.exit_code == 1, (args, r)
        assert str(typo) in r.stderr and "typo" in r.stderr, (args, r)
        assert "db upgrade" in r.stderr and "No active officer" not in r.stderr, (args, r)
        assert r.stdout == ""
        assert sorted(p.name for p in tmp_path.rglob("*")) == before, args  # no db, no lock
    if where == "empty file":
        assert typo.stat().st_size == 0  # left as it was
    assert server.handler.messages == []
    # the right path sends; an ordinary command still makes a new database on first use
    cli("--db", str(db_path), "--quiet", "reminders", "send", "--as-of", AS_OF)
    assert len(server.handler.messages) == 1
    if where != "missing folder":
        cli("--db", str(typo), "member", "list")
        assert cli("--db", str(typo), "reminders", "send", "--as-of", AS_OF).exit_code == 0


@pytest.mark.parametrize("outcome", ["sent", "failed"])
def test_a_run_of_an_earlier_day_never_sends_a_warning_the_log_holds_a_later_one_of(
    cli, db_url, server, monkeypatch, outcome
):
    """After the 1-day warning went out, `--as-of` ten days earlier found the 14-day
    warning crossed and never sent, and mailed "is due in 10 days" for a deadline of
    tomorrow, marking it sent. A warning the log holds a later one of is stale (a failed
    later one too: it is retried while due, and the earlier one's days are wrong)."""
    department(cli, members=1, officer=False, reminders='{"lead_days": [30, 14, 7, 1]}')
    configure(cli, server.port)
    monkeypatch.delenv("TRAINCTL_DEBUG")
    if outcome == "failed":
        server.handler.refuse = {email_of(0)}
    r = cli("reminders", "send", "--as-of", "2026-03-31", ok=False)  # target 2026-04-01
    assert r.exit_code == (0 if outcome == "sent" else 1), r
    assert log_rows(db_url, "threshold", "status") == [("1d", outcome)]
    sent = [m["Subject"] for m in server.handler.messages]
    assert sent == (["Reminder: Recruit Academy is due tomorrow (2026-04-01)"] if outcome == "sent" else [])
    server.handler.refuse = set()
    # ten days back, a month back: nothing (the 14- and 30-day warnings are overtaken)
    for day in ("2026-03-22", "2026-03-01"):
        r = cli("reminders", "send", "--as-of", day)
        assert f"Nothing due on {day}" in r.stderr, (day, r)
        assert cli("--format", "json", "reminders", "preview", "--as-of", day).json == [], day
    assert [m["Subject"] for m in server.handler.messages] == sent
    assert log_rows(db_url, "threshold", "status") == [("1d", outcome)]
    # a later warning still goes out: --as-of works for sends as before
    r = cli("reminders", "send", "--as-of", "2026-04-02")
    assert server.handler.messages[-1]["Subject"] == "Overdue: Recruit Academy was due 2026-04-01"
    assert log_rows(db_url, "threshold", "status") == [("1d", outcome), ("overdue", "sent")]
    # a run of another day than today says its messages count from that day
    assert "not today" in r.stderr and "counted from 2026-04-02" in r.stderr


def test_a_run_of_today_does_not_warn_about_its_day(cli, server):
    from datetime import UTC, datetime

    today = datetime.now(UTC).date()  # the department's day (its timezone: UTC here)
    department(cli, members=1, officer=False, targets=[(today + timedelta(days=5)).isoformat()],
               enrolled=(today - timedelta(days=10)).isoformat())  # fmt: skip
    configure(cli, server.port)
    r = cli("reminders", "send")
    assert "Sent 1 reminder" in r.stderr and "not today" not in r.stderr


def test_a_non_ascii_domain_goes_in_its_idna_form_to_a_server_without_smtputf8(cli, db_url, monkeypatch):
    """bob@bücher.example failed every night with "does not advertise the required SMTPUTF8
    capability", though bob@xn--bcher-kva.example, the same mailbox, was delivered: only a
    local part that is not ASCII needs SMTPUTF8; a domain has its ASCII (IDNA) form."""
    s = Server(smtputf8=False).start()
    try:
        department(cli, members=0, officer=False)
        configure(cli, s.port)
        cli("config", "set", "smtp.sender", "Training Office <training@wache-süd.example>")
        for name, email in (("Bob Bücher", "bob@bücher.example"), ("Émile Öst", "émile@station12.example")):
            cli("member", "add", name, "--email", email)
            cli("--as-of", "2026-01-01", "enroll", "add", email, "Recruit Academy", "--target-date", "2026-04-01")
        monkeypatch.delenv("TRAINCTL_DEBUG")
        r = cli("reminders", "send", "--as-of", AS_OF, ok=False)
        # the local part émile still needs SMTPUTF8: that one fails, with the clear error
        assert r.exit_code == 1 and "1 of 2 reminders failed; 1 sent" in r.stderr, r
        assert "émile@station12.example" in r.stderr and "SMTPUTF8" in r.stderr
        assert s.handler.envelopes == [("training@xn--wache-sd-d6a.example", ["bob@xn--bcher-kva.example"])]
        bob = s.handler.messages[0]
        assert bob["To"].addresses[0].addr_spec == "bob@xn--bcher-kva.example"
        assert bob["To"].addresses[0].display_name == "Bob Bücher"
        assert bob["From"].addresses[0].addr_spec == "training@xn--wache-sd-d6a.example"
        assert str(bob["Message-ID"]).endswith("@xn--wache-sd-d6a.example>")
        rows = log_rows(db_url, "to_addr", "status")
        assert sorted(rows) == [("bob@bücher.example", "sent"), ("émile@station12.example", "failed")]
    finally:
        s.stop()


def test_the_log_in_csv_or_json_has_every_row_and_a_table_says_how_many_more(cli, tmp_path):
    """After 105 reminders, `reminders log -f csv` stopped at 100 rows without a word, and
    `--limit 0` was refused (exit 2), unlike `record list`, `shift list` and `call list`.
    Now the same listing convention: a table shows the newest 100 and says how many more,
    csv and json every row, `--limit N` at most N, `--limit 0` all."""
    people = tmp_path / "people.csv"
    people.write_text("name,email,hire_date\n" + "".join(
        f"Member {i},m{i}@fd.example,2015-01-01\n" for i in range(105)))  # fmt: skip
    cli("member", "import", "--csv", people)
    cli("--as-of", "2026-01-02", "requirement", "add", "--name", "Hazmat refresher", "--type",
        "hours", "--hours", "6", "--frequency", "annual")  # fmt: skip
    cli("reminders", "send", "--as-of", "2026-12-10", "--transport", "file", tmp_path / "out")
    assert len(cli("--format", "json", "reminders", "log").json) == 105
    assert len(cli("reminders", "log", "--format", "csv").stdout.splitlines()) == 1 + 105
    assert len(cli("--format", "json", "reminders", "log", "--limit", "7").json) == 7
    r = cli("reminders", "log", "--format", "csv", "--limit", "7")
    assert len(r.stdout.splitlines()) == 1 + 7 and "Showing the newest 7 of 105 reminders" in r.stderr
    r = cli("reminders", "log")
    said = " ".join(r.stderr.split())
    assert "Showing the newest 100 of 105 reminders; --limit 0 shows them all" in said, r
    r = cli("reminders", "log", "--limit", "0")
    assert "Showing" not in r.stderr and r.stdout.count("@fd.example") == 105, r
    r = cli("reminders", "log", "--limit", "-1", ok=False)
    assert r.exit_code == 2 and "--limit" in r.stderr
