"""Atomic writes: readers see the old file or the new one, never a part, and no leftovers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from workbench.publish import atomic


def test_write_replaces_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "site" / "index.html"
    atomic.write_text_atomic(target, "old")
    atomic.write_text_atomic(target, "new")
    assert target.read_text() == "new"
    assert sorted(p.name for p in target.parent.iterdir()) == ["index.html"]


def test_a_failed_write_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "index.html"
    atomic.write_text_atomic(target, "old page")

    def refuse(source: str, destination: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        atomic.write_text_atomic(target, "new page")
    monkeypatch.undo()
    assert target.read_text() == "old page"
    assert [p.name for p in tmp_path.iterdir()] == ["index.html"]


def test_folder_appears_whole(tmp_path: Path) -> None:
    destination = tmp_path / "runs" / "run-1"
    atomic.publish_folder_atomic({"index.html": b"<p>1</p>", "summary.json": b"{}"}, destination)
    assert sorted(p.name for p in destination.iterdir()) == ["index.html", "summary.json"]
    atomic.publish_folder_atomic({"index.html": b"<p>2</p>"}, destination)
    assert sorted(p.name for p in destination.iterdir()) == ["index.html"]
    assert (destination / "index.html").read_bytes() == b"<p>2</p>"
    assert sorted(p.name for p in destination.parent.iterdir()) == ["run-1"]


def test_json_is_written_atomically(tmp_path: Path) -> None:
    target = tmp_path / "summary.json"
    atomic.write_json_atomic(target, {"value": 3})
    assert target.read_text().strip().startswith("{")
    assert '"value": 3' in target.read_text()
