"""present.tables: the one path from a frame to an HTML table — every cell escaped text."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest

from workbench.present.tables import column_label, format_cell, table

HOSTILE = "<script>window.__wb_pwned=1</script>"


def _cells(html: str) -> list[str]:
    return re.findall(r"<td[^>]*>(.*?)</td>", html)


def test_every_cell_and_header_is_escaped_text() -> None:
    frame = pd.DataFrame({HOSTILE: [HOSTILE, '" onfocus="x'], "n": [1, 2]})
    html = table(frame, caption=HOSTILE).to_html()
    assert "<script>" not in html and "onfocus=\"x" not in html
    assert html.count("&lt;script&gt;") == 3  # header, cell, caption
    assert _cells(html)[0] == "&lt;script&gt;window.__wb_pwned=1&lt;/script&gt;"
    assert "&#34; onfocus=&#34;x" in html


def test_formats_labels_and_missing_values() -> None:
    frame = pd.DataFrame({"offence_category": ["theft", "fraud"], "incidents": [12345, 7],
                          "rate": [1.23456, np.nan], "share": [0.1234, None]})
    html = table(frame, formats={"incidents": "{:,}", "rate": "{:.1f}",
                                 "share": lambda v: f"{v:.0%}"},
                 labels={"rate": "Per 100,000"}).to_html()
    assert re.findall(r"<th[^>]*>(.*?)</th>", html) == [
        "Offence category", "Incidents", "Per 100,000", "Share"]
    assert _cells(html) == ["theft", "12,345", "1.2", "12%", "fraud", "7", "–", "–"]
    assert 'class="wb-num">12,345' in html and 'class="wb-text">theft' in html


def test_default_text_of_values() -> None:
    assert format_cell(2024) == "2024"
    assert format_cell(np.int64(7)) == "7"
    assert format_cell(3.0) == "3"
    assert format_cell(1234.5678) == "1,234.57"
    assert format_cell(np.bool_(True)) == "yes" and format_cell(False) == "no"
    assert format_cell(pd.Timestamp("2025-03-01")) == "2025-03-01"
    assert format_cell(pd.Timestamp("2025-03-01 08:05")) == "2025-03-01 08:05"
    assert format_cell(dt.date(2025, 3, 1)) == "2025-03-01"
    assert column_label("rate_per_1000") == "Rate per 1000"


def test_row_styles_come_from_code_and_are_escaped_too() -> None:
    frame = pd.DataFrame({"a": [1, 2]})
    html = table(frame, row_styles=[{"background-color": "#fde0d2"}, None],
                 row_classes=["wb-up", None]).to_html()
    assert '<tr class="wb-up" style="background-color: #fde0d2;">' in html
    with pytest.raises(ValueError, match="row_styles has 1 entries for 2 rows"):
        table(frame, row_styles=[None])


def test_an_empty_frame_says_so_and_a_wrong_column_is_an_error() -> None:
    html = table(pd.DataFrame(columns=["table", "rule"])).to_html()
    assert "<th" in html and "None." in html
    with pytest.raises(KeyError, match="no column 'rules'"):
        table(pd.DataFrame({"rule": []}), formats={"rules": "{:,}"})


def test_a_table_displays_as_html_in_a_notebook() -> None:
    shown = table(pd.DataFrame({"a": [HOSTILE]}))
    assert shown._repr_html_() == shown.to_html()
    assert HOSTILE in repr(shown)  # the plain-text form is text
