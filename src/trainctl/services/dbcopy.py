"""`trainctl db copy --to URL`: move a department from its SQLite file to PostgreSQL.

The target must be a fresh, empty database (createdb): it is created at the newest schema
(the same `create_schema` as a first use), then every table is copied in foreign-key order,
all inside one transaction on each side: one read snapshot of the file, one write
transaction (under the write lock) on the server, so a failure leaves the target empty. Rows travel
set-based: read in slices of CHUNK rows and written through COPY (db.BulkInsert), with the
foreign keys added back, and so checked, after the data (see `_drop_foreign_keys`). Values
pass through the models' own types on both sides (SQLite's ISO text becomes dates,
timestamps, JSON and booleans), so the copy holds the same values, not the same text. The
id sequences are then set past the largest id, and the row count of every table is
compared on both sides.

Measured on this machine (2 shared cores, PostgreSQL 15 on localhost, the whole call):
the demo department (2,646 rows) in 2.3-2.5 s, mostly creating the schema; the world of
bench/bulk_enroll.py after its bulk enrollment (210,093 rows) in 15.4-15.6 s, about 13,500
rows/s, of which about 10 s is Python turning values into types and back. Row by row
INSERTs (executemany with insertmanyvalues) took 57-61 s for the same copy.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import SQLModel

from trainctl.config import display_url, sqlite_path
from trainctl.db import BulkInsert, create_schema, make_engine, server_url
from trainctl.dbfile import no_database, read_schema_version, refuse_unless_head
from trainctl.errors import TrainctlError
from trainctl.queries import CHUNK


@dataclass(frozen=True)
class TableCount:
    table: str
    source: int
    target: int

    @property
    def ok(self) -> bool:
        return self.source == self.target


def _refuse_target(to_url: str) -> None:
    if not server_url(to_url).startswith("postgresql"):
        raise TrainctlError(
            f"`db copy` copies into a PostgreSQL database; {display_url(to_url)} is not one.",
            "Give --to postgresql+psycopg://USER@HOST/DB (an empty database: createdb DB). "
            "For a copy of the file, use `trainctl db backup FILE`.",
        )
    version = read_schema_version(to_url)
    if version is not None:
        raise TrainctlError(
            f"{display_url(to_url)} is not empty (it already has tables"
            + (f", schema {version}" if version else "")
            + "); db copy only fills a fresh database.",
            "Create a new empty database (createdb NAME) and copy into that; nothing was written.",
        )


def copy_to_postgres(from_url: str, to_url: str) -> list[TableCount]:
    """Copy the SQLite database at `from_url` into the empty PostgreSQL database `to_url`.
    Returns the row counts of every table on both sides (all equal, or an error)."""
    import trainctl.models  # noqa: F401  (the tables, in SQLModel.metadata)

    if sqlite_path(from_url) is None:
        raise TrainctlError(
            "`db copy` copies a SQLite file into PostgreSQL; the current database is not a file.",
            "Point --db (or TRAINCTL_DB) at the SQLite file to copy; between two servers use "
            "pg_dump and pg_restore.",
        )
    version = read_schema_version(from_url)
    if version is None:
        raise no_database(from_url)
    refuse_unless_head(from_url, version)
    _refuse_target(to_url)

    tables = list(SQLModel.metadata.sorted_tables)
    source = make_engine(from_url)
    target = make_engine(to_url)
    try:
        with source.connect() as src, target.execution_options(trainctl_write=True).begin() as dst:
            src.begin()  # one snapshot of the file for the whole copy
            create_schema(dst)
            for table in reversed(tables):  # the target's own seed rows (positions) go first
                dst.execute(table.delete())
            foreign_keys = _drop_foreign_keys(dst)
            for table in tables:
                try:
                    _copy_table(src, dst, table)
                except sa.exc.IntegrityError as exc:
                    raise _refused(table.name, exc) from None
            for statement in foreign_keys:  # each validated over the whole table at once
                _add_back(dst, statement)
            for table in tables:
                _reset_sequence(dst, table)
        return _counts(source, target, tables)
    finally:
        source.dispose()
        target.dispose()


def _copy_table(src: sa.Connection, dst: sa.Connection, table: sa.Table) -> None:
    order = list(table.primary_key.columns)  # parents before children in a self-reference
    columns = [c.name for c in table.columns]
    result = src.execute(sa.select(table).order_by(*order))
    writer = BulkInsert(dst, table, columns)  # COPY on PostgreSQL, with the types' processing
    for part in result.partitions(CHUNK):
        writer.execute([tuple(r) for r in part])


def _drop_foreign_keys(dst: sa.Connection) -> list[str]:
    """Drop the foreign keys for the copy and return the statements that put them back, as
    they were (name and definition from pg_constraint). Kept during the copy, each key is
    checked row by row by a trigger; added afterwards, PostgreSQL checks it with one join
    over the table, as pg_restore does: the copy of bench/bulk_enroll.py's world (210,000
    rows) took 25-31 s with the keys in place, 15.4 s without. The keys are back, and
    every row checked, before the transaction commits."""
    rows = dst.execute(
        sa.text(
            "SELECT t.relname, k.conname, pg_get_constraintdef(k.oid) FROM pg_constraint k "
            "JOIN pg_class t ON t.oid = k.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace "
            "WHERE k.contype = 'f' AND n.nspname = current_schema() ORDER BY 1, 2"
        )
    ).all()
    q = dst.dialect.identifier_preparer.quote
    for table, name, _ in rows:
        dst.exec_driver_sql(f"ALTER TABLE {q(table)} DROP CONSTRAINT {q(name)}")
    return [f"ALTER TABLE {q(t)} ADD CONSTRAINT {q(n)} {d}" for t, n, d in rows]


def _refused(table: str, exc: sa.exc.IntegrityError) -> TrainctlError:
    """A row the server refuses that the file holds: PostgreSQL's lower() folds every
    letter, SQLite's only A-Z, so 'ZOË' and 'zoë' are two names in the file and one on
    the server."""
    detail = " ".join(str(exc.orig).strip().splitlines()[:2])
    return TrainctlError(
        f"PostgreSQL refuses a row of {table}: {detail}",
        "Nothing was written to the target. Rename one of the two rows in the file "
        "(names and emails that differ only in the case of accented letters count as one "
        "on PostgreSQL), then copy again into a new empty database.",
    )


def _add_back(dst: sa.Connection, statement: str) -> None:
    try:
        with dst.begin_nested():
            dst.exec_driver_sql(statement)
    except sa.exc.IntegrityError as exc:
        detail = str(exc.orig).strip().splitlines()
        raise TrainctlError(
            f"The file has rows whose references point nowhere: {' '.join(detail[:2])}",
            "Nothing was written to the target. Run `trainctl db check` on the file, repair "
            "or restore it, then copy again.",
        ) from None


def _reset_sequence(dst: sa.Connection, table: sa.Table) -> None:
    """Rows keep their ids; the id sequence continues after the largest one."""
    pk = list(table.primary_key.columns)
    if len(pk) != 1 or not isinstance(pk[0].type, sa.Integer) or pk[0].autoincrement is False:
        return
    name, column = table.name, pk[0].name
    seq = dst.execute(
        sa.text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": f'"{name}"', "c": column}
    ).scalar()
    if seq is None:
        return
    dst.execute(
        sa.text(
            f'SELECT setval(:s, COALESCE(MAX("{column}"), 1), MAX("{column}") IS NOT NULL) '
            f'FROM "{name}"'
        ),
        {"s": seq},
    )


def _counts(source: sa.Engine, target: sa.Engine, tables: list[sa.Table]) -> list[TableCount]:
    counts = []
    with source.connect() as src, target.connect() as dst:
        for table in tables:
            stmt = sa.select(sa.func.count()).select_from(table)
            counts.append(TableCount(table.name, src.scalar(stmt) or 0, dst.scalar(stmt) or 0))
    bad = [c for c in counts if not c.ok]
    if bad:
        raise TrainctlError(
            f"The copy in {target.url.render_as_string(hide_password=True)} does not match the file: "
            + ", ".join(f"{c.table} {c.source} rows here, {c.target} there" for c in bad),
            "Drop the target database and run the copy again; report this if it repeats.",
        )
    return counts
