"""`trainctl demo`: a sample department in its own database, never the user's."""

from __future__ import annotations

import typer


def demo(ctx: typer.Context) -> None:
    """Build a sample department in a separate demo database and show it."""
    raise NotImplementedError
