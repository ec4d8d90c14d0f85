"""Delivery of reminder messages: SMTP (standard library), one .eml file each, or stdout.

SMTP settings live in the database's `setting` table (`trainctl config set smtp.host ...`):
one file is one department, so its backup carries its mail settings, and the read side
shows them without the ORM. The password never does: it is read from the environment
(TRAINCTL_SMTP_PASSWORD) at the moment of login, never stored, never printed.

Security: `starttls` (default, port 587) and `tls` (implicit TLS, port 465) verify the
server's certificate and host name (ssl.create_default_context, optionally with
smtp.cafile); a server that offers no STARTTLS is refused rather than spoken to in clear.
`none` is for a relay on this machine; a login over it is refused unless the host is a
loopback address.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import hmac
import os
import smtplib
import ssl
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol

from trainctl.domain.mail import parse_sender, wire_address
from trainctl.errors import MailUnavailableError, RefusedError, TrainctlError
from trainctl.queries.settings import PASSWORD_ENV

TIMEOUT = 30.0  # seconds for connecting and for each SMTP reply
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}
LOOPBACK = ("localhost", "127.0.0.1", "::1")
FALLBACK_SENDER = "trainctl <trainctl@localhost>"
# "421 Service not available, closing transmission channel" (RFC 5321 §3.8): not about the
# message but the connection, which smtplib has closed. The connection is lost: re-opened
# once (a server that takes N messages a connection), and a second 421 ends the run
# (a server throttling us) rather than knocking once per message for the rest of the batch.
CLOSING = 421
# "530 5.7.0 Authentication required" (RFC 4954), "530 Must issue a STARTTLS command first"
# (RFC 3207): not about the message but about how the connection was set up, so every
# message would get it. The run stops as when a login is refused (exit 69), naming the
# setting, rather than marking each message due failed, night after night.
NOT_AS_CONFIGURED = 530


class MessageRefused(Exception):
    """The server refused this one message (a recipient, the sender, the data)."""

    def __init__(self, answer: str) -> None:
        super().__init__(answer)
        self.answer = answer


class ConnectionLost(Exception):
    """The connection broke during a message: the server may or may not have taken it."""


class NotAsConfigured(MailUnavailableError):
    """The server takes no message on a connection set up as configured (NOT_AS_CONFIGURED):
    it did not take this one. `hint` names the setting to check; `answer` is the server's."""

    def __init__(self, message: str, hint: str, answer: str) -> None:
        super().__init__(message, hint)
        self.answer = answer


class Transport(Protocol):
    name: str

    def open(self) -> None: ...

    def send(self, msg: EmailMessage, to_addr: str) -> str: ...

    def close(self) -> None: ...


# ----------------------------------------------------------------------------- settings
@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    security: str
    user: str
    sender: Address
    cafile: str
    password: str | None = field(default=None, repr=False)

    @property
    def where(self) -> str:
        from trainctl.schemas import echo

        return f"{self.host if len(self.host) <= 80 else echo(self.host)}:{self.port}"


def sender_of(get: Callable[[str], str], *, required: bool) -> Address:
    text = get("smtp.sender")
    if not text:
        if required:
            raise TrainctlError(
                "No sender address is configured for reminders.",
                "Run `trainctl config set smtp.sender training@your-department.example`.",
            )
        text = FALLBACK_SENDER
    return parse_sender(text)


def smtp_config(get: Callable[[str], str], env: Any = os.environ) -> SmtpConfig:
    """The SMTP settings (`get` reads a setting), the password from the environment."""
    host = get("smtp.host")
    if not host:
        raise TrainctlError(
            "No mail server is configured for reminders.",
            "Run `trainctl config set smtp.host smtp.example.org` (and smtp.sender, smtp.user); "
            "or use --transport file DIR / --transport stdout.",
        )
    security = get("smtp.security") or "starttls"
    port_text = get("smtp.port")
    port = int(port_text) if port_text else DEFAULT_PORTS.get(security, 587)
    return SmtpConfig(
        host=host,
        port=port,
        security=security,
        user=get("smtp.user"),
        sender=sender_of(get, required=True),
        cafile=get("smtp.cafile"),
        password=env.get(PASSWORD_ENV) or None,
    )


# ------------------------------------------------------------------------------- SMTP
class _Answering:
    """Keeps the server's answer to DATA ("250 2.0.0 Ok: queued as 4F1C2"), which
    smtplib's sendmail() checks and drops."""

    last_answer = ""

    def data(self, msg: Any) -> tuple[int, bytes]:
        code, resp = super().data(msg)  # type: ignore[misc]
        self.last_answer = f"{code} {resp.decode('utf-8', 'replace')}"
        return code, resp


def _login_bytes(text: str) -> bytes:
    """A user name or password as it goes in the login: UTF-8 (RFC 4616), and a password
    whose bytes in the environment are not UTF-8 as those very bytes (surrogateescape)."""
    return text.encode("utf-8", "surrogateescape")


class _Login:
    """smtplib's login sends ASCII only (its auth() encodes 'ascii'): a password such as
    "Grün-Wache-12" failed before a byte went out, with a UnicodeEncodeError naming the
    password's character and its place, reported as a host name that could not be looked
    up. Here the same protocol, the text as UTF-8 (AUTH PLAIN and LOGIN; CRAM-MD5's key)."""

    _auth_challenge_count: int
    password: str

    def auth(self, mechanism: str, authobject: Any, *, initial_response_ok: bool = True) -> Any:
        docmd = self.docmd  # type: ignore[attr-defined]
        mechanism = mechanism.upper()
        initial = authobject() if initial_response_ok else None
        if initial is not None:
            code, resp = docmd(
                "AUTH", f"{mechanism} {base64.b64encode(_login_bytes(initial)).decode()}"
            )
            self._auth_challenge_count = 1
        else:
            code, resp = docmd("AUTH", mechanism)
            self._auth_challenge_count = 0
        while code == 334:
            self._auth_challenge_count += 1
            answer = authobject(base64.decodebytes(resp))
            code, resp = docmd(base64.b64encode(_login_bytes(answer)).decode())
            if self._auth_challenge_count > smtplib._MAXCHALLENGE:  # type: ignore[attr-defined]
                raise smtplib.SMTPException(f"Server AUTH mechanism loops: {code} {resp!r}")
        if code in (235, 503):
            return code, resp
        raise smtplib.SMTPAuthenticationError(code, resp)

    def auth_cram_md5(self, challenge: Any = None) -> Any:
        if challenge is None:
            return None
        digest = hmac.HMAC(_login_bytes(self.password), challenge, "md5").hexdigest()
        return f"{self.user} {digest}"  # type: ignore[attr-defined]


class _SMTP(_Answering, _Login, smtplib.SMTP):
    pass


class _SMTPS(_Answering, _Login, smtplib.SMTP_SSL):
    pass


def _answer(code: Any, text: Any) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {' '.join(str(text).split())}"


class SmtpTransport:
    name = "smtp"

    def __init__(self, settings: Callable[[str], str]) -> None:
        self.settings = settings
        self._config: SmtpConfig | None = None
        self.conn: _SMTP | _SMTPS | None = None

    @property
    def config(self) -> SmtpConfig:
        """Read when first needed: a run with nothing due needs no mail server at all."""
        if self._config is None:
            self._config = smtp_config(self.settings)
        return self._config

    def _unavailable(
        self, what: str, exc: BaseException | str, check: str = "and that the server is up"
    ) -> MailUnavailableError:
        detail = exc if isinstance(exc, str) else (str(exc) or type(exc).__name__)
        return MailUnavailableError(
            f"Cannot {what} the mail server {self.config.where}: {detail}",
            "Nothing was marked sent; the next run sends everything that is due. Check "
            f"`trainctl config show` {check}.",
        )

    def _unverified(self, exc: ssl.SSLCertVerificationError) -> MailUnavailableError:
        """The server's certificate does not verify: said as that (not "cannot reach", and
        without OpenSSL's "[SSL: ...] (_ssl.c:1006)"), with the settings that fix it."""
        cfg = self.config
        why = (exc.verify_message or exc.reason or "").rstrip(".") or str(exc)
        against = f"the CA in smtp.cafile {cfg.cafile}" if cfg.cafile else "this machine's CAs"
        return MailUnavailableError(
            f"The mail server {cfg.where} has a certificate that does not verify ({why}): "
            "trainctl sends nothing to a server it cannot verify.",
            "Nothing was marked sent; once it verifies, the next run sends everything that is "
            f"due. Checked against {against}: a certificate of your own CA takes `trainctl "
            "config set smtp.cafile /path/to/ca.pem`; one made out to another name, set "
            "smtp.host to that name.",
        )

    def open(self) -> None:
        cfg = self.config
        if cfg.user and cfg.password is None:
            raise TrainctlError(
                f"smtp.user is {cfg.user!r} but {PASSWORD_ENV} is not set.",
                f"Set {PASSWORD_ENV} in the environment of the run (never on the command line).",
            )
        if cfg.user and cfg.security == "none" and cfg.host not in LOOPBACK:
            raise TrainctlError(
                "Refusing to send the mail password unencrypted (smtp.security is none).",
                "Run `trainctl config set smtp.security starttls` (or tls, for a server that "
                "speaks TLS from the start on port 465).",
            )
        try:
            context = ssl.create_default_context(cafile=cfg.cafile or None)
        except (OSError, ssl.SSLError) as exc:
            raise TrainctlError(f"Cannot read smtp.cafile {cfg.cafile!r}: {exc}.") from None
        conn: _SMTP | _SMTPS | None = None
        try:
            if cfg.security == "tls":
                conn = _SMTPS(cfg.host, cfg.port, timeout=TIMEOUT, context=context)
            else:
                conn = _SMTP(cfg.host, cfg.port, timeout=TIMEOUT)
            conn.ehlo()
            if cfg.security == "starttls":
                if not conn.has_extn("starttls"):
                    raise self._unavailable(
                        "use",
                        "it offers no STARTTLS, and trainctl does not send in clear text",
                        "(smtp.port, smtp.security): a server that speaks TLS from the start "
                        "(port 465) takes `trainctl config set smtp.security tls`",
                    )
                conn.starttls(context=context)
                conn.ehlo()
            if cfg.user:
                conn.login(cfg.user, cfg.password or "")
        except MailUnavailableError:
            _quietly_close(conn)
            raise
        except smtplib.SMTPNotSupportedError as exc:
            _quietly_close(conn)
            raise self._unavailable(
                "log in on",
                f"{exc} (smtp.user is set)",
                "for smtp.user: a server that takes mail without a login takes `trainctl "
                "config set smtp.user ''`",
            ) from None
        except smtplib.SMTPAuthenticationError as exc:
            _quietly_close(conn)
            raise self._unavailable(
                f"log in as {cfg.user!r} on",
                _answer(exc.smtp_code, exc.smtp_error),
                f"for smtp.user, and the {PASSWORD_ENV} the run is given (for cron: in "
                "the crontab)",
            ) from None
        except ssl.SSLCertVerificationError as exc:
            _quietly_close(conn)
            raise self._unverified(exc) from None
        except (OSError, smtplib.SMTPException) as exc:  # ssl.SSLError is an OSError
            _quietly_close(conn)
            raise self._unavailable("reach", exc) from None
        except UnicodeError as exc:  # a host name the resolver cannot encode (set before
            _quietly_close(conn)  # `config set` checked it, or written into the database)
            raise self._unavailable("look up", f"not a host name ({exc})") from None
        self.conn = conn

    def send(self, msg: EmailMessage, to_addr: str) -> str:
        if self.conn is None:
            raise ConnectionLost("not connected")
        try:
            self.conn.last_answer = ""
            # the envelope's address as the header's: the domain in its IDNA form, so only
            # a local part that is not ASCII asks the server for SMTPUTF8
            self.conn.send_message(msg, to_addrs=[wire_address(to_addr)])
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            if code == CLOSING:
                raise ConnectionLost(_answer(code, text)) from None
            if code == NOT_AS_CONFIGURED:
                raise self._not_as_configured(_answer(code, text)) from None
            raise MessageRefused(_answer(code, text)) from None
        except smtplib.SMTPNotSupportedError as exc:
            raise MessageRefused(f"not supported by the server: {exc}") from None
        except smtplib.SMTPServerDisconnected as exc:
            raise ConnectionLost(str(exc) or "the server closed the connection") from None
        except smtplib.SMTPResponseException as exc:  # sender refused, data refused, 4xx
            if exc.smtp_code == CLOSING:
                raise ConnectionLost(_answer(exc.smtp_code, exc.smtp_error)) from None
            if exc.smtp_code == NOT_AS_CONFIGURED:
                raise self._not_as_configured(_answer(exc.smtp_code, exc.smtp_error)) from None
            raise MessageRefused(_answer(exc.smtp_code, exc.smtp_error)) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise ConnectionLost(str(exc) or type(exc).__name__) from None
        return self.conn.last_answer or "250 accepted"

    def close(self) -> None:
        _quietly_close(self.conn)
        self.conn = None

    def _not_as_configured(self, answer: str) -> NotAsConfigured:
        """530: the server wants STARTTLS (smtp.security none) or a login (smtp.user empty)."""
        cfg = self.config
        if "starttls" in answer.lower():
            hint = ("It takes mail over TLS only: run `trainctl config set smtp.security "
                    "starttls` (or tls, on port 465).")  # fmt: skip
        elif not cfg.user:
            hint = ("It takes mail after a login only: run `trainctl config set smtp.user NAME` "
                    f"and give the run {PASSWORD_ENV} (for cron: in the crontab).")  # fmt: skip
        else:
            hint = f"Check `trainctl config show` for smtp.user, and the {PASSWORD_ENV} the run is given."
        return NotAsConfigured(
            f"The mail server {cfg.where} takes no mail as configured: {answer}",
            hint,
            answer,
        )


def _quietly_close(conn: Any) -> None:
    if conn is None:
        return
    try:
        conn.quit()
    except (OSError, smtplib.SMTPException):
        with contextlib.suppress(OSError):
            conn.close()


# ------------------------------------------------------------------------ file, stdout
class FileTransport:
    """One .eml file per message in DIR (mode 0600: reminders name people)."""

    name = "file"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def open(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise TrainctlError(
                f"Cannot make the folder {self.folder}: {exc.strerror or exc}.",
                "Give --transport file a folder you may write.",
            ) from None
        if not os.access(self.folder, os.W_OK):
            raise TrainctlError(f"Cannot write to {self.folder}.", "Give a folder you may write.")

    def send(self, msg: EmailMessage, to_addr: str) -> str:
        token = str(msg["Message-ID"]).strip("<>").split("@", 1)[0].replace("trainctl.", "")
        name = f"{msg['X-Trainctl-Reminder'].split('|', 1)[0]}-{token}.eml"
        path = self.folder / name
        tmp = path.with_name(f".{name}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(msg.as_bytes())
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except OSError as exc:
            raise ConnectionLost(f"cannot write {path}: {exc.strerror or exc}") from None
        return f"written to {path}"

    def close(self) -> None:
        pass


class StdoutTransport:
    """Messages on stdout, one after another in mbox form ("From " lines between them)."""

    name = "stdout"

    def open(self) -> None:
        pass

    def send(self, msg: EmailMessage, to_addr: str) -> str:
        # for a reader: the body as 8-bit UTF-8 rather than quoted-printable ("Decem=" /
        # "ber", "=E2=80=94"); the headers stay as sent (RFC 2047 words for non-ASCII)
        readable = copy.deepcopy(msg)
        readable.set_content(msg.get_content(), charset="utf-8", cte="8bit")
        text = readable.as_bytes(policy=msg.policy.clone(linesep="\n")).decode("utf-8", "replace")
        text = text.replace("\nFrom ", "\n>From ")
        sys.stdout.write(f"From trainctl {msg['Date']}\n{text}\n")
        sys.stdout.flush()
        return "written to stdout"

    def close(self) -> None:
        pass


def transport_for(kind: str, folder: Path | None, settings: dict[str, str]) -> Transport:
    """`settings`: the department's settings (queries.settings.all_settings), read once."""
    if kind == "file":
        assert folder is not None
        return FileTransport(folder)
    if kind == "stdout":
        return StdoutTransport()
    return SmtpTransport(lambda key: settings.get(key, ""))


@dataclass(frozen=True)
class TestSent:
    """What `reminders test` did: the server and how it was spoken to, and its answer."""

    where: str
    security: str
    user: str
    to: str
    answer: str


def send_test(
    actor: Any, settings: dict[str, str], *, to_name: str, to_addr: str, now: Any
) -> TestSent:
    """One test message through the configured server, as `reminders send` would speak to
    it (the same transport: STARTTLS, certificate checks, login, the same one-line errors
    and exit 69), so a set-up is proved the day it is made, not the first night something
    is due. Nothing is written to the database. Who may send reminders may send it."""
    from trainctl.domain.mail import build_message, new_message_id
    from trainctl.permissions import MANAGE

    actor.require(MANAGE, "send a test message")
    transport = SmtpTransport(lambda key: settings.get(key, ""))
    cfg = transport.config
    msg = build_message(
        sender=cfg.sender, to_name=to_name, to_addr=to_addr,
        title="trainctl: test message (mail settings work)",
        body=(f"Hello{' ' + to_name if to_name else ''},\n\nThis is a test message from "
              f"`trainctl reminders test`: the mail server {cfg.where} took it, so the nightly "
              "`trainctl reminders send` can reach your members with these settings.\n"),
        message_id=new_message_id(cfg.sender), now=now, key="test",
    )  # fmt: skip
    transport.open()
    try:
        answer = transport.send(msg, to_addr)
    except MessageRefused as exc:
        raise RefusedError(
            f"The mail server {cfg.where} refused the test message to {to_addr}: {exc.answer}",
            "The login and connection work; check the address, and smtp.sender "
            "(`trainctl config show`): some servers take only their own domain as sender.",
        ) from None
    except ConnectionLost as exc:
        raise MailUnavailableError(
            f"The mail server {cfg.where} closed the connection during the test message: {exc}",
            "Check `trainctl config show` and that the server is up.",
        ) from None
    finally:
        transport.close()
    return TestSent(cfg.where, cfg.security, cfg.user, to_addr, answer)
