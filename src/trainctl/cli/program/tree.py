"""`program show` as a Rich tree: phases in order, their requirements in sort order
(● required, ○ optional) with marks, overrides and deadlines, and milestones. User text is
escaped: it is never read as Rich markup."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trainctl.queries.programs import LinkView, MilestoneRow, ProgramTree


def _deadline(days: int | None, prefix: str = "deadline") -> str:
    return f"{prefix} {days} days" if days else ""


def _link_line(lv: LinkView) -> str:
    from rich.markup import escape

    req, link = lv.requirement, lv.link
    name = f"{req.registry_code} {req.name}" if req.registry_code else req.name
    marks = ["required" if link.is_required else "optional"]
    if link.is_prerequisite:
        marks.append("prerequisite")
    if link.custom_deadline_days:
        marks.append(f"deadline {link.custom_deadline_days} days (override)")
    elif req.time_limit_days:
        marks.append(f"deadline {req.time_limit_days} days")
    text = f"[dim]{link.sort_order:>4}[/dim] {'●' if link.is_required else '○'} {escape(name)} [dim]({', '.join(marks)})[/dim]"
    if link.program_specific_description:
        text += f"\n       [italic]{escape(link.program_specific_description)}[/italic]"
    if link.notification_message:
        text += f"\n       [dim]message:[/dim] {escape(link.notification_message)}"
    return text


def _milestone_line(ms: MilestoneRow) -> str:
    from rich.markup import escape

    extra = " [dim](officer verifies)[/dim]" if ms.requires_verification else ""
    text = f"◆ {ms.completion_percentage_threshold:g}% {escape(ms.name)}{extra}"
    if ms.notification_message:
        text += f" [dim]— {escape(ms.notification_message)}[/dim]"
    return text


def render_tree(tree: ProgramTree) -> Any:
    from rich.markup import escape
    from rich.tree import Tree

    p = tree.program
    flags = [p.structure_type, p.status] + (["template"] if p.is_template else [])
    root = Tree(
        f"[bold]{escape(p.name)}[/bold] v{p.version} [dim](id {p.id}; {', '.join(flags)})[/dim]"
    )
    if p.description:
        root.add(f"[italic]{escape(p.description)}[/italic]")
    facts = [
        f"position {p.target_position}" if p.target_position else "any position",
        _deadline(p.time_limit_days, "deadline") or "no deadline",
        f"warn {p.warning_days_before} days before" if p.warning_days_before is not None else "",
        "concurrent enrollment allowed"
        if p.allows_concurrent_enrollment
        else "no concurrent enrollment",
    ]
    root.add(" · ".join(f for f in facts if f))
    rc = p.reminder_conditions or {}
    if rc:
        parts = []
        if rc.get("lead_days"):
            parts.append("lead days " + ", ".join(str(d) for d in rc["lead_days"]))
        if rc.get("only_below_percent") is not None:
            parts.append(f"only below {rc['only_below_percent']:g}%")
        if rc.get("inactive_days") is not None:
            parts.append(f"after {rc['inactive_days']} days without progress")
        root.add("Reminders: " + "; ".join(parts))
    if tree.prerequisites:
        root.add(
            "Requires first: "
            + ", ".join(escape(f"{q.name}@{q.version}") for q in tree.prerequisites)
        )
    if tree.derived_from is not None:
        root.add(
            f"[dim]Copied from {escape(tree.derived_from.name)}@{tree.derived_from.version}[/dim]"
        )
    if tree.links or not tree.phases:
        branch = root.add("[bold]Program requirements[/bold]")
        for lv in tree.links:
            branch.add(_link_line(lv))
        if not tree.links:
            branch.add("[dim]none yet: `trainctl program requirement add`[/dim]")
    for pv in tree.phases:
        ph = pv.phase
        bits = [
            _deadline(ph.time_limit_days),
            "manual advancement" if ph.requires_manual_advancement else "",
            ("after phase " + ", ".join(str(n) for n in pv.prerequisites))
            if pv.prerequisites
            else "",
        ]
        bits = [b for b in bits if b]
        node = root.add(
            f"[bold]Phase {ph.phase_number}: {escape(ph.name)}[/bold]"
            + (f" [dim]({'; '.join(bits)})[/dim]" if bits else "")
        )
        if ph.description:
            node.add(f"[italic]{escape(ph.description)}[/italic]")
        for lv in pv.links:
            node.add(_link_line(lv))
        if not pv.links:
            node.add("[dim]no requirements yet[/dim]")
        for ms in pv.milestones:
            node.add(_milestone_line(ms))
    if tree.milestones:
        branch = root.add("[bold]Milestones[/bold]")
        for ms in tree.milestones:
            branch.add(_milestone_line(ms))
    return root
