"""The map in docs/architecture.md names every module and package of the library, and nothing
that is gone (issue 13: "the README's map matches the folders")."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIBRARY = ROOT / "src" / "workbench"
MAP = ROOT / "docs" / "architecture.md"


def _library_entries() -> set[str]:
    entries = set()
    for path in LIBRARY.iterdir():
        if path.name.startswith(("_", ".")):
            continue
        if path.is_dir() and not path.name.endswith(".egg-info"):
            entries.add(f"{path.name}/")
        elif path.suffix == ".py":
            entries.add(path.name)
    return entries


def _mapped_entries() -> set[str]:
    table = MAP.read_text().split("## The library, folder by folder")[1].split("Outside")[0]
    return set(re.findall(r"^\| `([^`]+)` \|", table, flags=re.M))


def test_every_library_module_is_on_the_map() -> None:
    missing = sorted(_library_entries() - _mapped_entries())
    assert not missing, f"add to docs/architecture.md: {missing}"


def test_the_map_names_nothing_that_is_gone() -> None:
    gone = sorted(_mapped_entries() - _library_entries())
    assert not gone, f"remove from docs/architecture.md: {gone}"


def test_the_readme_points_to_the_map() -> None:
    assert "docs/architecture.md" in (ROOT / "README.md").read_text()
