"""Reminder messages as RFC 5322 plain text (standard library `email`; no I/O).

- From / To carry display names encoded per RFC 2047 when they are not ASCII ("Zoë
  Núñez" -> =?utf-8?q?Zo=C3=AB_N=C3=BA=C3=B1ez?=); the Subject likewise.
- The body is UTF-8 text/plain, quoted-printable: 7-bit safe through any relay.
- An address's domain goes out in its IDNA (punycode) form, bob@bücher.example as
  bob@xn--bcher-kva.example (`wire_address`): every server takes it. Only a local part
  that is not ASCII (émile@...) needs a server that offers SMTPUTF8.
- Date is the moment of sending; Message-ID is stable for the reminder's key (made once,
  when the reminder is claimed, and kept in the log), so a copy re-sent after a crash
  carries the same Message-ID and mail systems can recognise it as the same message.
"""

from __future__ import annotations

import secrets
import unicodedata
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP, SMTPUTF8
from email.utils import format_datetime, getaddresses

from trainctl.errors import BadInputError

_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})  # ideographic, fullwidth


def ascii_domain(domain: str) -> str:
    """A mail domain as it goes on the wire (RFC 5890/5891): each label that is not ASCII as
    "xn--" + its punycode, after the mapping of UTS #46 that matters for addresses typed
    by people (compatibility forms, upper case to lower case; ideographic and fullwidth
    dots are dots). Nontransitional, as IDNA 2008: ß and ς stay themselves (faß.de is
    xn--fa-hia.de, a domain of its own; Python's "idna" codec, IDNA 2003, would mail
    fass.de). ASCII labels are left as they are. ValueError for a label too long."""
    if domain.isascii():
        return domain
    labels = []
    for label in domain.translate(_DOTS).split("."):
        if not label.isascii():
            label = unicodedata.normalize("NFKC", label).lower()
            label = unicodedata.normalize("NFC", label)
            if not label.isascii():
                label = "xn--" + label.encode("punycode").decode("ascii")
        if len(label) > 63:
            raise ValueError(f"the domain {domain!r} has a label longer than 63 characters")
        labels.append(label)
    return ".".join(labels)


def wire_address(email: str) -> str:
    """local@domain with the domain as it goes on the wire (`ascii_domain`): the envelope's
    address and the header's. The local part is kept as it is."""
    local, at, domain = email.rpartition("@")
    return f"{local}{at}{ascii_domain(domain)}" if at else email


def parse_sender(text: str) -> Address:
    """'Training Office <training@fd.example>' or 'training@fd.example' -> Address."""
    pairs = getaddresses([text])
    if len(pairs) != 1 or not pairs[0][1] or "@" not in pairs[0][1]:
        raise BadInputError(
            f"smtp.sender: {text!r} is not one mail address.",
            "e.g. training@fd.example or 'Training Office <training@fd.example>'.",
        )
    name, addr = pairs[0]
    local, _, domain = addr.rpartition("@")
    if not local or not domain or any(c.isspace() for c in addr):
        raise BadInputError(f"smtp.sender: {addr!r} is not a mail address.")
    try:
        ascii_domain(domain)  # as it will go on the wire
    except ValueError as exc:
        raise BadInputError(f"smtp.sender: {addr!r} is not a mail address: {exc}.") from None
    return Address(display_name=name, username=local, domain=domain)


def new_message_id(sender: Address) -> str:
    """A Message-ID made once per reminder key (random, so two departments sharing a mail
    domain never collide) and stored with the claim."""
    return f"<trainctl.{secrets.token_hex(12)}@{ascii_domain(sender.domain) or 'trainctl.invalid'}>"


def address(name: str, email: str) -> Address:
    """A header's address: the display name on one line, the domain as on the wire."""
    local, _, domain = email.rpartition("@")
    return Address(display_name=" ".join(name.split()), username=local, domain=ascii_domain(domain))


def build_message(
    *,
    sender: Address,
    to_name: str,
    to_addr: str,
    title: str,
    body: str,
    message_id: str,
    now: datetime,
    key: str,
) -> EmailMessage:
    """One plain-text reminder. `key` goes in X-Trainctl-Reminder for filtering. Domains go
    in their IDNA form (`wire_address`); an address whose local part is not ASCII
    (émile@station12.example) is written as UTF-8 (RFC 6532, SMTPUTF8): an encoded word
    inside an address is forbidden (RFC 2047 §5) and no client could reply to it; names
    alone are encoded words as usual."""
    sender = Address(sender.display_name, sender.username, ascii_domain(sender.domain))
    to = address(to_name, to_addr)
    plain = to.addr_spec.isascii() and sender.addr_spec.isascii()
    msg = EmailMessage(policy=SMTP if plain else SMTPUTF8)
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = " ".join(title.split())
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = message_id
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies, please
    msg["X-Trainctl-Reminder"] = key
    msg.set_content(body, charset="utf-8", cte="quoted-printable")
    return msg
