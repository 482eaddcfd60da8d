"""The apps' HTML pieces come from autoescaping templates: every payload of the hostile-text
corpus reaches the markup as text, never as a tag, an attribute or a link (the browser check of
the same is ``tests/security/test_payload_apps.py``)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from workbench.ui import _view
from workbench.ui._state import Kpi

#: The only tags the apps' own templates write.
OWN_TAGS = {"style", "h2", "h3", "div", "p", "a", "table", "tr", "th", "td"}


class _Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(markup: str) -> _Markup:
    parser = _Markup()
    parser.feed(markup)
    parser.close()
    return parser


def _assert_inert(markup: str, payload: str) -> None:
    parsed = _parse(markup)
    for tag, attributes in parsed.tags:
        assert tag in OWN_TAGS, f"{tag!r} from {payload!r}"
        assert not [name for name in attributes if name.startswith("on")], attributes
        assert not (attributes.get("href") or "").lower().startswith("javascript:")
    assert payload in "".join(parsed.text)  # shown as text, as written


def test_every_helper_escapes_every_payload(payloads) -> None:  # noqa: ANN001
    for payload in payloads.values():
        pieces = [
            _view.header_html(payload, payload),
            _view.kpi_cards_html([Kpi(payload, payload, payload, payload, None, payload)]),
            _view.message_html(payload),
            _view.message_html(payload, kind="info"),
            _view.note_html(payload),
            _view.heading_html(payload),
            _view.download_link_html("a,b\n", filename="x.csv", media_type="text/csv",
                                     label=payload, css_class=payload),
            _view.table_html(pd.DataFrame({"name": [payload], "n": [1]}),
                             columns={"name": payload, "n": "Count"}),
        ]
        for piece in pieces:
            _assert_inert(piece, payload)


def test_a_data_value_cannot_name_a_folder_or_break_the_download_attribute(payloads) -> None:  # noqa: ANN001
    for payload in payloads.values():
        link = _view.download_link_html("x", filename=f"{payload}.csv", media_type="text/csv",
                                        label="Download CSV", css_class="wb-download-csv")
        (tag, attributes), = [(t, a) for t, a in _parse(link).tags]
        assert tag == "a" and set(attributes) == {"class", "download", "href"}
        assert re.fullmatch(r"[A-Za-z0-9._-]+", attributes["download"] or "")
    assert _view.safe_filename("../../etc/passwd") == "etc-passwd"


def test_tables_keep_their_shape_and_say_when_rows_are_left_out() -> None:
    frame = pd.DataFrame({"a": range(5), "b": ["x", None, "z", "w", "v"]})
    markup = _view.table_html(frame, columns={"a": "A", "b": "B"},
                              formats={"a": lambda value: f"#{value}"}, limit=3)
    assert markup.count("<tr>") == 4 and "<th>A</th><th>B</th>" in markup
    assert "<td>#1</td><td></td>" in markup
    assert "First 3 of 5 rows" in markup
    assert "Nothing to show" in _view.table_html(frame.iloc[:0], columns={"a": "A"})


def test_kpi_cards_keep_the_attributes_the_browser_tests_read() -> None:
    markup = _view.kpi_cards_html([Kpi("incidents", "Incidents", "1,234", "note", 1234, "up")])
    assert 'class="wb-kpi wb-up" data-kpi="incidents"' in markup
    assert '<div class="wb-kpi-value">1,234</div>' in markup
    assert _view.message_html("") == ""


#: ``serve.py`` writes Voila's page template (no data in it) and is not an app module.
APP_MODULES = sorted(p for p in Path(_view.__file__).parent.glob("*.py") if p.name != "serve.py")


@pytest.mark.parametrize("path", APP_MODULES, ids=lambda path: path.name)
def test_no_module_of_the_apps_writes_html_itself(path: Path) -> None:
    """HTML lives in templates (present/templates/ui/), rendered with autoescape."""
    code = re.sub(r'"""(?:.|\n)*?"""', "", path.read_text())  # docstrings may show tags
    code = re.sub(r"#.*", "", code)  # and so may comments
    tags = re.findall(r"<(?:/?[a-z][a-z0-9]*)[\s>/]", code)
    assert not tags, f"{path.name} writes HTML: {tags[:5]}"
    assert "html.escape" not in code and "import html" not in code, \
        f"{path.name} escapes by hand instead of through a template"
