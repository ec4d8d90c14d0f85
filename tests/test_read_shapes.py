"""Where the write side prints what the read side also prints, both use the same shape."""

from __future__ import annotations

from dataclasses import fields


def test_a_requirements_json_keys_are_the_same_on_both_sides():
    from trainctl.queries.requirements import TABLES, RequirementRow
    from trainctl.schemas.requirements import RequirementRead

    keys = [f.name for f in fields(RequirementRow)]
    assert keys == list(RequirementRead.model_fields) == list(TABLES["requirement"])


def test_an_exported_requirement_definition_has_the_schemas_fields_and_defaults():
    from trainctl.queries.program_document import DEFINITION_DEFAULTS
    from trainctl.schemas.programs import RequirementDefinition

    schema = {
        k: f.get_default(call_default_factory=True)
        for k, f in RequirementDefinition.model_fields.items()
        if k not in ("id", "name", "requirement_type")
    }
    ours = {k: v for k, v in DEFINITION_DEFAULTS.items() if k != "requirement_type"}
    assert list(DEFINITION_DEFAULTS) == [
        k for k in RequirementDefinition.model_fields if k not in ("id", "name")
    ]
    assert ours == schema
