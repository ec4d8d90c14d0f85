"""The registry file format (registries/*.json, `trainctl import registry FILE`).

One JSON object:

    {
      "registry": "NFPA",                       # registry name stored on every entry
      "description": "...",
      "edition": "...", "last_updated": "YYYY-MM-DD",   # at least one of the two
      "sources": ["https://..."],               # optional: where the figures were checked
      "notes": "...",                           # optional
      "requirements": [ RegistryEntry, ... ]    # at least one
    }

A RegistryEntry is a RequirementCreate with `registry_code`, `source`, `source_document`,
`frequency` and `is_editable` required (a fact must say where it comes from and whether a
department may change it). `required_positions: []` means it applies to everyone. Unknown
keys are refused, so a typo never silently drops a figure. Values are checked strictly
(JSON types: "40" is not a number, "yes" is not a boolean).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from trainctl.schemas.requirements import (
    Code,
    FrequencyIn,
    LongText,
    RequirementCreate,
    Source,
    Text,
)


class RegistryHeader(BaseModel):
    model_config = ConfigDict(extra="forbid")

    registry: Code
    description: LongText
    edition: Text | None = None
    last_updated: Text | None = None
    sources: list[Text] = Field(default_factory=list)
    notes: str | None = None

    @model_validator(mode="after")
    def _dated(self) -> RegistryHeader:
        if not self.edition and not self.last_updated:
            raise ValueError("give the registry's edition or last_updated")
        return self


class RegistryEntry(RequirementCreate):
    registry_code: Code
    source: Source
    source_document: Text
    frequency: FrequencyIn
    is_editable: bool
