"""The versioned offence-codes file (``src/workbench/data/offence_codes.csv``) as an Arrow table.

The file is the single source of offence codes, categories, UCR codes, violent flags and Crime
Severity Index weights; see ``src/workbench/data/README.md`` for its version and sources.
"""

from __future__ import annotations

import csv
import io
from importlib import resources
from pathlib import Path

import pyarrow as pa

from workbench import schema
from workbench.demo.errors import DemoCityError

OFFENCE_CODES_FILE = "offence_codes.csv"
_BOOLEAN = {"true": True, "false": False}


def offence_codes_path() -> Path:
    """Where the installed offence-codes file lives."""
    return Path(str(resources.files("workbench") / "data" / OFFENCE_CODES_FILE))


def load_offence_codes(path: Path | None = None) -> pa.Table:
    """The offence codes, typed as the canonical ``offence_codes`` table.

    Raises :class:`DemoCityError` naming the file, line and column of the first problem:
    a missing column, an unknown category, a non-boolean ``violent``, a non-numeric weight,
    a duplicate code.
    """
    path = path or offence_codes_path()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DemoCityError(f"{path}: cannot read the offence-codes file ({exc})") from exc
    reader = csv.DictReader(io.StringIO(text))
    expected = schema.table("offence_codes").column_names
    missing = [c for c in expected if c not in (reader.fieldnames or [])]
    if missing:
        raise DemoCityError(f"{path}: missing column(s) {', '.join(missing)}")
    columns: dict[str, list[object]] = {name: [] for name in expected}
    seen: set[str] = set()
    for line, row in enumerate(reader, start=2):
        code = (row["offence_code"] or "").strip()
        if not code:
            raise DemoCityError(f"{path}, line {line}, column offence_code: empty code")
        if code in seen:
            raise DemoCityError(
                f"{path}, line {line}, column offence_code: duplicate code {code!r}"
            )
        seen.add(code)
        category = row["offence_category"].strip()
        if category not in schema.OFFENCE_CATEGORIES:
            raise DemoCityError(
                f"{path}, line {line}, column offence_category: unknown category {category!r}"
            )
        violent = _BOOLEAN.get(row["violent"].strip().lower())
        if violent is None:
            raise DemoCityError(
                f"{path}, line {line}, column violent: {row['violent']!r} is not true or false"
            )
        weight_text = row["csi_weight"].strip()
        try:
            weight = float(weight_text) if weight_text else None
        except ValueError:
            raise DemoCityError(
                f"{path}, line {line}, column csi_weight: {weight_text!r} is not a number"
            ) from None
        version = row["weights_version"].strip()
        if not version:
            raise DemoCityError(f"{path}, line {line}, column weights_version: empty version")
        columns["offence_code"].append(code)
        columns["description"].append(row["description"].strip() or None)
        columns["offence_category"].append(category)
        columns["ucr_code"].append(row["ucr_code"].strip() or None)
        columns["violent"].append(violent)
        columns["csi_weight"].append(weight)
        columns["weights_version"].append(version)
    return pa.table(columns, schema=schema.table("offence_codes").ibis_schema().to_pyarrow())
