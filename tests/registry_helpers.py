"""Builders for registry files and requirement rows used by the requirement/registry tests."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from backends import Db

REPO = Path(__file__).resolve().parents[1]

SHIPPED = {
    "nfpa": (
        "NFPA",
        ["NFPA 1001", "NFPA 1002", "NFPA 1021", "NFPA 1041", "NFPA 1403", "NFPA 1500", "NFPA 1500-ANNUAL", "NFPA 1582"],
    ),
    "nremt": (
        "NREMT",
        ["NREMT-EMR", "NREMT-EMT", "NREMT-AEMT", "NREMT-NRP", "CPR-BLS", "ACLS", "PALS", "PHTLS"],
    ),
    "proboard": (
        "Pro Board",
        [
            "PB-FF1",
            "PB-FF2",
            "PB-DO-PUMPER",
            "PB-DO-AERIAL",
            "PB-FO1",
            "PB-FO2",
            "PB-HM-OPS",
            "PB-INST1",
        ],
    ),
    "iso": (
        "ISO",
        [
            "ISO-COMPANY",
            "ISO-FACILITY",
            "ISO-OFFICER-CE",
            "ISO-DRIVER-NEW",
            "ISO-DRIVER-EXISTING",
            "ISO-HAZMAT",
            "ISO-RECRUIT",
        ],
    ),
}

VALID: dict[str, Any] = {
    "registry": "State",
    "description": "A state's requirements, for tests.",
    "edition": "2026",
    "requirements": [
        {
            "name": "Annual hours",
            "description": "Hours every year.",
            "registry_code": "ST-1",
            "requirement_type": "hours",
            "required_hours": 24,
            "frequency": "annual",
            "required_positions": ["firefighter"],
            "is_editable": True,
            "source": "state",
            "source_document": "State Fire Code (2026 edition), 4.1",
            "aliases": [],
        },
        {
            "name": "Driver cert",
            "description": "Driver certification.",
            "registry_code": "ST-2",
            "requirement_type": "certification",
            "credential_code": "ST-DRIVER",
            "frequency": "biannual",
            "required_positions": [],
            "is_editable": False,
            "source": "state",
            "source_document": "State Fire Code (2026 edition), 4.2",
        },
    ],
}


def registry_doc(**changes: Any) -> dict[str, Any]:
    doc = copy.deepcopy(VALID)
    doc.update(changes)
    return doc


def write(path: Path, doc: Any) -> Path:
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return path


def requirement_rows(db: Path | str, registry: str | None = None) -> list[dict[str, Any]]:
    query = (
        "SELECT * FROM requirement"
        + (" WHERE registry_name = :registry" if registry else "")
        + " ORDER BY id"
    )
    return Db(str(db)).dicts(query, {"registry": registry} if registry else {})


def audit_rows(db: Path | str) -> list[dict[str, Any]]:
    return Db(str(db)).dicts("SELECT * FROM audit_log ORDER BY id")
