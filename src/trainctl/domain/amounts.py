"""The bounds of a figure a person gives (pure): a target of hours, shifts or calls, one
update of progress. Sane figures that also keep every number within a database integer;
the command line (cli/options.amount), the schemas and the services read them here."""

from __future__ import annotations

MAX_AMOUNT = 100_000  # hours, shifts or calls: a requirement's target, one --add or --set
