"""Writing a public release: protected datasets only, into a folder that is the command's own.

Two rules hold whatever the caller passes:

* **Only protected data is written.** A :class:`PublicDataset` holds its table (and map) as
  :class:`~workbench.privacy.Protected` values; anything else is refused when the dataset is
  made (:class:`~workbench.privacy.PrivacyError`), and identifier columns are dropped once more
  when the CSV is written.
* **Nothing is destroyed.** :func:`write_release` writes only into a folder it creates or one
  holding its marker (:data:`MARKER`, the list of files an earlier release wrote; a folder of
  an earlier version is recognised by its ``index.json``). Any other existing folder is
  refused, untouched. In its own folder it replaces the files it wrote before and keeps every
  other file where it is. The new release is assembled in a hidden sibling folder and renamed
  into place, so a reader sees the old release or the new one, never half of one.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import pandas as pd

from workbench.privacy import Audience, Protected, drop_identifiers, require_protected
from workbench.public.options import ID_COLUMNS, OpenDataError

__all__ = ["MARKER", "PublicDataset", "release_files", "write_release"]

#: The file that marks a folder as written by ``workbench export-open-data``: it lists the
#: files the release wrote (the only ones a later release may replace or remove).
MARKER = ".workbench-open-data.json"
_WRITER = "workbench export-open-data"


@dataclass(frozen=True)
class PublicDataset:
    """One dataset of the open-data folder: a protected table (written as CSV), optionally a
    protected GeoJSON map, and its metadata (title, dictionary, rules: no records)."""

    name: str
    title: str
    table: Protected[pd.DataFrame]
    metadata: Mapping[str, Any] = field(default_factory=dict)
    geojson: Protected[dict[str, Any]] | None = None

    def __post_init__(self) -> None:
        require_protected(self.table, audience=Audience.PUBLIC,
                          what=f"the table of public dataset {self.name!r}")
        if self.geojson is not None:
            require_protected(self.geojson, audience=Audience.PUBLIC,
                              what=f"the map of public dataset {self.name!r}")

    @property
    def files(self) -> tuple[str, ...]:
        """The dataset's files, relative to the release folder."""
        names = [f"{self.name}/{self.name}.csv"]
        if self.geojson is not None:
            names.append(f"{self.name}/{self.name}.geojson")
        return (*names, f"{self.name}/metadata.json")

    def frame(self) -> pd.DataFrame:
        """The table as written: identifier columns (privacy list plus record ids) dropped."""
        cleaned, _ = drop_identifiers(self.table.value, extra=ID_COLUMNS)
        return cleaned


def release_files(datasets: Sequence[PublicDataset]) -> dict[str, bytes]:
    """Every dataset's files (relative name → bytes); ``metadata.json`` gets ``rows`` and
    ``files``. Refuses anything that is not a :class:`PublicDataset`."""
    files: dict[str, bytes] = {}
    for dataset in datasets:
        if not isinstance(dataset, PublicDataset):
            raise OpenDataError(f"a release holds PublicDatasets, not {type(dataset).__name__}")
        frame = dataset.frame()
        names = dataset.files
        files[names[0]] = csv_bytes(frame)
        if dataset.geojson is not None:
            files[names[1]] = json_bytes(dataset.geojson.value)
        files[names[-1]] = json_bytes({**dataset.metadata, "rows": len(frame),
                                       "files": list(names)})
    return files


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as UTF-8 CSV: no index, missing values empty, ``\\n`` line ends."""
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, na_rep="", lineterminator="\n")
    return buffer.getvalue().encode("utf-8")


def json_bytes(value: Any) -> bytes:
    """``value`` as indented UTF-8 JSON with a final newline."""
    return (json.dumps(value, indent=2, ensure_ascii=False, default=str) + "\n").encode("utf-8")


def write_release(files: Mapping[str, bytes], destination: Path | str) -> Path:
    """Put ``files`` (relative name → bytes) in the folder ``destination`` in one step.

    ``destination`` must not exist (it is created), or be a folder an earlier release wrote
    (it holds :data:`MARKER`, or an ``index.json`` listing every file it holds): anything else
    raises :class:`OpenDataError` and nothing is touched. Files of the earlier release that
    this one does not write again are removed; every other file stays, as it is (a file of
    someone else's at a name this release would write is refused). Returns the folder.
    """
    folder = Path(destination).expanduser().resolve()
    names = [_relative(name) for name in files]
    foreign: list[str] = []
    if folder.exists() or folder.is_symlink():
        if not folder.is_dir():
            raise OpenDataError(f"{folder} exists and is not a folder; nothing was written")
        owned = _owned_files(folder)
        if owned is None:
            raise OpenDataError(
                f"{folder} exists and was not written by {_WRITER} (it holds no {MARKER}); "
                "nothing was written or deleted. Give --out a new folder, or one an earlier "
                "export wrote")
        foreign = [name for name in _contents(folder) if name not in owned]
        clashes = sorted(set(foreign) & set(names))
        if clashes:
            raise OpenDataError(
                f"{folder} holds files this release would overwrite but an earlier one did not "
                f"write: {', '.join(clashes[:5])}; move them away first (nothing was written)")
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = folder.parent / f".{folder.name}.{uuid.uuid4().hex[:8]}.tmp"
    staging.mkdir()
    try:
        for name, content in zip(names, files.values(), strict=True):
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        (staging / MARKER).write_bytes(json_bytes(
            {"written_by": _WRITER, "files": sorted(names)}))
        for name in foreign:
            _keep(folder / name, staging / name)
        _swap(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return folder


def _relative(name: str) -> str:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts or name == MARKER:
        raise OpenDataError(f"a release file needs a plain relative name, not {name!r}")
    return str(path)


def _contents(folder: Path) -> list[str]:
    """Every file, link and empty folder under ``folder``, relative, POSIX-style."""
    found = []
    for root, directories, files in os.walk(folder):
        base = Path(root)
        for name in files + [d for d in directories if (base / d).is_symlink()]:
            found.append((base / name).relative_to(folder).as_posix())
        if not directories and not files and base != folder:
            found.append(base.relative_to(folder).as_posix() + "/")
    return sorted(found)


def _owned_files(folder: Path) -> set[str] | None:
    """The files an earlier release wrote in ``folder`` (with the marker and index), or None
    when ``folder`` is not a release folder."""
    marker = folder / MARKER
    if marker.is_file():
        try:
            listed = json.loads(marker.read_text(encoding="utf-8"))
            if listed.get("written_by") == _WRITER:
                return {*map(str, listed["files"]), MARKER}
        except (ValueError, KeyError, TypeError, AttributeError):
            pass
        return None
    try:  # a release of an earlier version: its index lists every file it wrote
        index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
        owned = {"index.json", *(name for dataset in index["datasets"]
                                 for name in dataset["files"])}
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return owned if set(_contents(folder)) <= owned else None


def _keep(source: Path, target: Path) -> None:
    """Carry someone else's file (or empty folder) into the new release, unchanged: a hard
    link where the system allows one, else a copy with its times."""
    if str(target).endswith(("/", os.sep)) or (source.is_dir() and not source.is_symlink()):
        target.mkdir(parents=True, exist_ok=True)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_symlink():
        os.symlink(os.readlink(source), target)
        return
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _swap(staging: Path, folder: Path) -> None:
    """Rename ``staging`` to ``folder``; an existing ``folder`` is renamed aside first, put
    back if the second rename fails, and removed once the new one is in place."""
    if not folder.exists():
        os.replace(staging, folder)
        return
    retired = folder.parent / f".{folder.name}.{uuid.uuid4().hex[:8]}.old"
    os.replace(folder, retired)
    try:
        os.replace(staging, folder)
    except BaseException:
        os.replace(retired, folder)
        raise
    shutil.rmtree(retired, ignore_errors=True)
