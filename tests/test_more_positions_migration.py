"""The positions migration (0019_more_positions) on SQLite and PostgreSQL: it adds the
built-in aerial_operator and chief_officer that the Pro Board registry's higher levels
apply to, keeps a department's own row of either code (its name, not built-in), and the
downgrade removes only the built-in rows it added."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from backends import Db
from postgres_helpers import BACKENDS, migrate, seeded_at, url_of

from trainctl.dbfile import REVISIONS

REV = next(r for r in REVISIONS if r.endswith("_more_positions"))
BEFORE = REVISIONS[REVISIONS.index(REV) - 1]

SEED = ["INSERT INTO position (code, name, is_builtin) VALUES ('aerial_operator', 'Tiller and aerial', FALSE)"]


@pytest.fixture(params=BACKENDS)
def before(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Db]:
    """A database at the revision before, with the department's own aerial_operator."""
    with seeded_at(request.param, tmp_path, BEFORE, SEED) as db:
        yield db


def _positions(db: Db) -> dict[str, tuple[str, bool]]:
    rows = db.rows("SELECT code, name, is_builtin FROM position WHERE code IN ('aerial_operator', 'chief_officer')")
    return {code: (name, bool(builtin)) for code, name, builtin in rows}


def test_upgrade_adds_the_positions_and_keeps_the_departments_own(before: Db):
    migrate(url_of(before), REV)
    assert _positions(before) == {
        "aerial_operator": ("Tiller and aerial", False),
        "chief_officer": ("Chief officer", True),
    }
    migrate(url_of(before), BEFORE, down=True)
    assert _positions(before) == {"aerial_operator": ("Tiller and aerial", False)}
