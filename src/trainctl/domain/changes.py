"""A progress change as a value (pure: no database).

`progress update` says what to change with flags; `parse_update` turns them into typed,
frozen changes, and refuses a contradictory or empty combination as a usage error (exit 2)
before the database is touched. services/progress/changes.py applies each kind of change
with its own small use case, then runs the one shared finish.

An update holds at most one credit (AddCredit, SetTotal, Check or Uncheck), at most one
override (Override or Waive), a Verify, and a Note when no credit carries it; they are
applied in that order. A Reject goes alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from trainctl.errors import UsageError


@dataclass(frozen=True)
class AddCredit:
    """`--add N`: credit N hours / shifts / calls (negative corrects)."""

    amount: float
    category: str | None = None
    distributive: bool = False
    note: str | None = None


@dataclass(frozen=True)
class SetTotal:
    """`--set N`: set the total to N by crediting the difference."""

    total: float
    category: str | None = None
    distributive: bool = False
    note: str | None = None


@dataclass(frozen=True)
class Check:
    """`--check ITEM`: a checklist item, course, skill or credential done."""

    item: str
    note: str | None = None


@dataclass(frozen=True)
class Uncheck:
    """`--uncheck ITEM`: take back a checked item."""

    item: str
    note: str | None = None


@dataclass(frozen=True)
class Override:
    """`--status completed` (an officer's sign-off) or `--status auto` (drop an override)."""

    status: str | None  # "completed", or None: the status follows the value again
    reason: str | None = None


@dataclass(frozen=True)
class Waive:
    """`--waive --reason ...` (or `--status waived`): the requirement counts as done."""

    reason: str


@dataclass(frozen=True)
class Verify:
    """`--verify`: an officer verifies the row and its pending self-reported credit; with
    `entries` (`--credit ID`, the ids `progress pending` lists), only those entries."""

    entries: tuple[int, ...] = ()


@dataclass(frozen=True)
class Reject:
    """`--reject --reason ...`: an officer turns down the row's pending self-reported credit;
    with `entries` (`--credit ID`), only those entries, the others still waiting."""

    reason: str
    entries: tuple[int, ...] = ()


@dataclass(frozen=True)
class Note:
    """`--note` on its own: a note kept in the ledger (a credit of nothing)."""

    text: str


CreditChange = AddCredit | SetTotal | Check | Uncheck
OverrideChange = Override | Waive
Change = AddCredit | SetTotal | Check | Uncheck | Override | Waive | Verify | Reject | Note


@dataclass(frozen=True)
class Update:
    """One `progress update`: its changes, in the order they are applied."""

    credit: CreditChange | None = None
    override: OverrideChange | None = None
    verify: Verify | None = None
    note: Note | None = None
    reject: Reject | None = None

    @property
    def changes(self) -> tuple[Change, ...]:
        return tuple(
            c for c in (self.credit, self.override, self.verify, self.reject, self.note) if c
        )

    @property
    def moves_figures(self) -> bool:
        """Anything but a note: closed or held enrollments refuse it (a rejection, like a
        verification, is an officer's ruling on what waits: resumed first)."""
        return bool(self.credit or self.override or self.verify or self.reject)

    @property
    def status(self) -> str | None:
        """The override as `--status` names it (the audit log's word): completed, waived,
        auto, or None."""
        if isinstance(self.override, Waive):
            return "waived"
        if isinstance(self.override, Override):
            return self.override.status or "auto"
        return None


STATUS_HINT = (
    "Use --status completed (officer sign-off), --status waived --reason ..., or --status auto "
    "(drop an override); change the value with --add or --set."
)


def parse_update(
    *,
    add: float | None = None,
    set_to: float | None = None,
    check: str | None = None,
    uncheck: str | None = None,
    category: str | None = None,
    distributive: bool = False,
    status: str | None = None,
    waive: bool = False,
    reason: str | None = None,
    verify: bool = False,
    note: str | None = None,
    reject: bool = False,
    entries: Sequence[int] = (),
) -> Update:
    """The update the flags describe. Usage errors (exit 2) for a combination that cannot
    mean anything: two credits, nothing at all, a waiver or a rejection without a reason,
    a rejection beside anything else, a status that only the value decides, an entry
    (`--credit ID`) without --verify or --reject to rule on it."""
    from trainctl.domain.text import check_reason

    reason, note = check_reason("--reason", reason), check_reason("--note", note)
    given = [x for x in (add, set_to, check, uncheck) if x is not None]
    if len(given) > 1:
        raise UsageError("Give only one of --add, --set, --check and --uncheck.")
    entries = tuple(dict.fromkeys(entries))
    if entries and not (verify or reject):
        raise UsageError(
            "--credit names a pending entry to rule on: give --verify or --reject --reason with it.",
            "`trainctl progress pending` lists the entries waiting, with their ids (Credit).",
        )
    if entries and given:
        raise UsageError(
            "--credit rules on entries already reported: not with --add, --set, --check or --uncheck.",
            "Verify or reject the entry first, then record what counts in another update.",
        )
    if reject:
        return Update(reject=replace(_reject(given, status, waive, verify, note, reason), entries=entries))
    if not given and status is None and not waive and not verify and note is None:
        raise UsageError(
            "Nothing to update.",
            "Give --add N, --set N, --check ITEM, --status, --waive --reason, --verify, "
            "--reject --reason or --note.",
        )
    override: OverrideChange | None = None
    if waive or status == "waived":
        if status not in (None, "waived"):
            raise UsageError("--waive and --status disagree; give one of them.")
        if not (reason or "").strip():
            raise UsageError(
                "A waiver needs a reason.", 'Add --reason "..." (it is kept in the ledger).'
            )
        override = Waive(reason or "")
    elif status is not None:
        if status not in ("completed", "auto"):
            raise UsageError(
                f"--status {status}: in progress / not started follow from the credited value.",
                STATUS_HINT,
            )
        override = Override(None if status == "auto" else status, reason)

    credit: CreditChange | None = None
    if add is not None:
        credit = AddCredit(add, category, distributive, note)
    elif set_to is not None:
        credit = SetTotal(set_to, category, distributive, note)
    elif check is not None:
        credit = Check(check, note)
    elif uncheck is not None:
        credit = Uncheck(uncheck, note)
    return Update(
        credit=credit,
        override=override,
        verify=Verify(entries) if verify else None,
        note=Note(note) if note is not None and credit is None else None,
    )


def _reject(
    given: Sequence[object], status: str | None, waive: bool, verify: bool, note: str | None,
    reason: str | None,
) -> Reject:  # fmt: skip
    """`--reject`: alone, and with a reason (kept in the ledger, as a waiver's)."""
    others = [flag for flag, on in (
        ("--add / --set / --check / --uncheck", bool(given)), ("--status", status is not None),
        ("--waive", waive), ("--verify", verify), ("--note", note is not None),
    ) if on]  # fmt: skip
    if others:
        raise UsageError(
            f"--reject goes alone: it turns down what the member reported (not with {', '.join(others)}).",
            "Reject first, then record what counts in another update (--reason says why).",
        )
    if not (reason or "").strip():
        raise UsageError(
            "A rejection needs a reason.",
            'Add --reason "..." (it is kept in the ledger and `progress log` shows it).',
        )
    return Reject(" ".join((reason or "").split()))
