"""A real SMTP server for reminder tests (aiosmtpd on 127.0.0.1, a free port) and a small
department built through the CLI."""

from __future__ import annotations

import asyncio
import socket
import threading
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Recorder:
    """An aiosmtpd handler: keeps every accepted message; refuses chosen recipients with
    550; can be slow (seconds per message) to let a test kill a run mid-batch."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []  # (MAIL FROM, RCPT TOs) of each
        self.refuse: set[str] = set()
        self.delay = 0.0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: Any) -> str:  # fmt: skip
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected: no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        msg = message_from_bytes(envelope.content, policy=default)
        with self.lock:
            self.messages.append(msg)  # type: ignore[arg-type]
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            n = len(self.messages)
        return f"250 2.0.0 Ok: queued as Q{n:04d}"

    def keys(self) -> list[str]:
        with self.lock:
            return [str(m["X-Trainctl-Reminder"]) for m in self.messages]


class Server:
    def __init__(self, port: int | None = None, *, smtputf8: bool = True) -> None:
        self.port = port or free_port()
        self.handler = Recorder()
        self.controller: Controller | None = None
        self.smtputf8 = smtputf8  # False: a server that does not offer SMTPUTF8

    def start(self) -> Server:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port,
                                     enable_SMTPUTF8=self.smtputf8)  # fmt: skip
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def configure(cli: Any, port: int) -> None:
    cli("config", "set", "smtp.host", "127.0.0.1")
    cli("config", "set", "smtp.port", str(port))
    cli("config", "set", "smtp.security", "none")
    cli("config", "set", "smtp.sender", "Training Office <training@fd.example>")


NAMES = ["Zoë Núñez-Ørsted", "Ann Lee", "李小龍", "Bo Berg", "Cy Cole", "Di Dunn", "Ed Eng",
         "Fay Fox", "Gus Gray", "Hal Hunt", "Ida Ives", "Jo Jung"]  # fmt: skip


def email_of(i: int) -> str:
    return f"m{i}@fd.example"


def department(
    cli: Any,
    *,
    members: int = 3,
    targets: list[str] | None = None,
    enrolled: str = "2026-01-01",
    reminders: str = '{"lead_days": [30, 14, 7]}',
    officer: bool = True,
) -> None:
    """Members m0.. enrolled in 'Recruit Academy' (warnings 30/14/7) with target dates."""
    if officer:
        cli("member", "add", "Olive Officer", "--email", "olive@fd.example", "--role", "officer")
    cli("requirement", "add", "--name", "Live fire", "--type", "hours", "--hours", "12")
    cli("program", "create", "Recruit Academy", "--time-limit-days", "90", "--reminders", reminders)
    cli("program", "requirement", "add", "Recruit Academy", "Live fire")
    cli("program", "activate", "Recruit Academy")
    targets = targets or ["2026-04-01"] * members
    for i in range(members):
        cli("member", "add", NAMES[i % len(NAMES)] + ("" if i < len(NAMES) else f" {i}"),
            "--email", email_of(i))  # fmt: skip
        cli("--as-of", enrolled, "enroll", "add", email_of(i), "Recruit Academy",
            "--target-date", targets[i % len(targets)])  # fmt: skip
