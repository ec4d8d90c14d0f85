"""Program files as files: reading and validating one (TOML or JSON), and the sample
programs and example files shipped with trainctl. No database and no ORM: `program
samples`, `demo --files` and a bad file's refusal answer without loading them
(services/program_files.py applies a file)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from pydantic import ValidationError

from trainctl.domain.csvfile import decode
from trainctl.domain.structured import read_json, read_toml
from trainctl.errors import BadInputError
from trainctl.schemas import TYPED, describe_errors
from trainctl.schemas.programs import ProgramFile


def parse_file(path: Path) -> ProgramFile:
    """Read and validate a program file (TOML, or JSON by suffix or content)."""
    name = str(path)
    try:
        from trainctl.inputfile import read_input

        raw = read_input(path)
    except OSError as exc:
        raise BadInputError(f"Cannot read {name}: {exc.strerror}.", "Check the path.") from None
    text = decode(raw, name, hint="Save the file as UTF-8 and try again.")
    hint = "Fix the file and try again."
    if path.suffix.lower() == ".json" or text.lstrip().startswith("{"):
        data = read_json(text, name, hint=hint)
    else:
        data = read_toml(text, name, hint=hint)
    if not isinstance(data, dict):
        raise BadInputError(
            f"{name}: a program file holds one program (an object/table).",
            "See `trainctl program export`.",
        )
    try:
        return ProgramFile.model_validate(data, context=TYPED)
    except ValidationError as exc:
        raise BadInputError(
            f"{name} is not a valid program file.",
            "Fix the fields listed; `trainctl program export` shows the format.",
            details=describe_errors(exc, name),
        ) from None


# ------------------------------------------------------------------------- sample files
def example_files() -> list[Path]:
    """The README tour's example files (roster, recruits, courses, sign-in sheets), shipped
    like the sample programs (wheel: trainctl/registries/examples)."""
    from importlib.resources import files

    try:
        packaged = Path(str(files("trainctl") / "registries" / "examples"))
    except (ModuleNotFoundError, TypeError):
        packaged = Path("/nonexistent")
    for folder in (packaged, Path(__file__).resolve().parents[3] / "registries" / "examples"):
        if folder.is_dir():
            return sorted(p for p in folder.iterdir() if p.suffix == ".csv")
    return []


def dated_example(name: str, data: bytes, today: date) -> bytes:
    """An example file as `demo --files` writes it on `today`: recruits.csv's target dates
    (a class's deadline, shorter than the program's year) become the last day of the month
    nine months on, so the README tour's `enroll bulk` runs on whatever day it is run (the
    shipped 2026-12-31 was before the enrollment day from 2027 on). Other files as shipped
    (their dates are history: sheets already signed)."""
    if name != "recruits.csv":
        return data
    month = today.month + 9
    year, month = today.year + (month - 1) // 12, (month - 1) % 12 + 1
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).isoformat()
    lines = data.decode("utf-8").splitlines(keepends=True)
    header = [h.strip() for h in lines[0].split(",")]
    at = header.index("target_date")
    out = [lines[0]]
    for line in lines[1:]:
        cells = line.rstrip("\r\n").split(",")
        if len(cells) > at and cells[at].strip():
            cells[at] = last
        out.append(",".join(cells) + line[len(line.rstrip("\r\n")):])
    return "".join(out).encode("utf-8")


def sample_programs() -> list[Path]:
    """The sample program files shipped with trainctl (wheel: trainctl/registries/programs;
    development install: the repository's registries/programs)."""
    from importlib.resources import files

    try:
        packaged = Path(str(files("trainctl") / "registries" / "programs"))
    except (ModuleNotFoundError, TypeError):
        packaged = Path("/nonexistent")
    candidates = [packaged, Path(__file__).resolve().parents[3] / "registries" / "programs"]
    for folder in candidates:
        if folder.is_dir():
            found = sorted(p for p in folder.iterdir() if p.suffix in (".toml", ".json"))
            if found:
                return found
    return []
