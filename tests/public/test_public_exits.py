"""The public exits refuse what did not pass through workbench.privacy: a file writer, a page
table and a derived table accept protected families only, and escape what they show."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from workbench.privacy import PrivacyError
from workbench.public import (
    MARKER,
    OpenDataError,
    PublicDataset,
    PublicTable,
    derived_table_html,
    public_table_html,
    write_release,
)
from workbench.public.release import release_files

RAW = pd.DataFrame({"year": ["2024", "2024", "2024"], "area": ["<script>x</script>", "b", "c"],
                    "count": [3, 40, 25]})


def _table() -> PublicTable:
    return PublicTable.from_counts(RAW, name="t", title="T", description="d",
                                   dimensions=("year", "area"), count="count", threshold=10)


def test_the_file_writer_refuses_an_unprotected_frame(tmp_path):
    with pytest.raises(PrivacyError, match="table of public dataset 'raw' is not protected"):
        PublicDataset("raw", "Raw counts", RAW)  # type: ignore[arg-type]
    with pytest.raises(OpenDataError, match="not DataFrame"):
        release_files([RAW])  # type: ignore[list-item]
    assert list(tmp_path.iterdir()) == []
    table = _table()
    dataset = PublicDataset(table.name, table.title, table.protected)
    folder = write_release(release_files([dataset]), tmp_path / "out")
    written = pd.read_csv(folder / "t" / "t.csv", dtype=str, keep_default_na=False)
    small = written.loc[written["area"] == "<script>x</script>"]
    assert small["count"].tolist() == [""] and small["suppressed"].tolist() == ["True"]
    assert json.loads((folder / MARKER).read_text())["files"] == ["t/metadata.json", "t/t.csv"]


def test_page_tables_refuse_unprotected_frames_and_escape_levels():
    with pytest.raises(PrivacyError, match="not protected"):
        PublicTable(name="t", title="T", description="d", dimensions=("year", "area"),
                    count="count", threshold=10, protected=RAW)  # type: ignore[arg-type]
    with pytest.raises(OpenDataError, match="PublicTable, not DataFrame"):
        public_table_html(RAW, rows="area")  # type: ignore[arg-type]
    page = _table().html(rows="area", where={"year": 2024})
    assert "<script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    figures = pd.DataFrame({"area": ["b"], "share": [0.5]})
    with pytest.raises(OpenDataError, match="PublicTables, not DataFrame"):
        derived_table_html(figures, columns=[("share", "Share", "percent", "all")],
                           row_sources=[[(RAW, {"year": 2024, "area": "b"})]])  # type: ignore[list-item]


def test_a_figure_derived_from_a_hidden_count_is_never_shown():
    table = _table()
    hidden = table.value(year=2024, area="<script>x</script>")
    assert hidden is None
    figures = pd.DataFrame({"area": ["<script>x</script>", "b"], "share": [0.04, 0.59]})
    page = derived_table_html(
        figures, columns=[("area", "Area", "text", "label"), ("share", "Share", "percent", "all")],
        row_sources=[[(table, {"year": 2024, "area": "<script>x</script>"})],
                     [(table, {"year": 2024, "area": "b"})]])
    assert "4.0%" not in page and "59.0%" in page  # shown only where its count is published
    assert "<script>" not in page
