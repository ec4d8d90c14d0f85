"""Whether members may report their own progress (an officer verifies what they report)."""

from __future__ import annotations

from sqlmodel import Session

from trainctl.permissions import MANAGE, Actor
from trainctl.services.audit import audit
from trainctl.services.settings import set_setting


def set_self_reporting(session: Session, actor: Actor, on: bool) -> None:
    actor.require(MANAGE, "change the self-reporting setting")
    value = "on" if on else "off"
    set_setting(session, "self_reporting", value)
    audit(session, actor, "setting.self_reporting", "setting", None, value=value)
