"""Where the write side prints what the read side also prints, both use the same shape."""

from __future__ import annotations

from dataclasses import fields


def test_a_requirements_json_keys_are_the_same_on_both_sides():
    from trainctl.queries.requirements import TABLES, RequirementRow
    from trainctl.schemas.requirements import RequirementRead

    keys = [f.name for f in fields(RequirementRow)]
    assert keys == list(RequirementRead.model_fields) == list(TABLES["requirement"])
