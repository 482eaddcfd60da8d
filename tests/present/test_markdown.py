"""present.markdown: values put into Markdown show as their text, never as markup or links."""

from __future__ import annotations

import datetime as dt
import html
import importlib.util
import re
from pathlib import Path

import pytest
from nbconvert.filters.markdown import markdown2html

from workbench.present.markdown import MarkdownText, markdown, md_escape

ROOT = Path(__file__).resolve().parents[2]


def _corpus() -> dict[str, str]:
    spec = importlib.util.spec_from_file_location("payloads", ROOT / "tests/security/payloads.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return dict(module.PAYLOADS)


def _rendered_text(source: str) -> tuple[str, str]:
    """(HTML that nbconvert makes of ``source``, the text a reader sees)."""
    page = markdown2html(source)
    return page, html.unescape(re.sub(r"<[^>]+>", "", page)).strip()


@pytest.mark.parametrize("value", [*_corpus().values(), "$1,000 and $2", "# heading", "- item",
                                   "1. first", "a_b_c *x* `y` ~~z~~ a|b", "http://example.org/",
                                   "line one\nline two", "&amp; stays &amp;"])
def test_a_value_renders_as_exactly_its_text(value: str) -> None:
    page, text = _rendered_text(str(markdown("**{v}**", v=value)))
    assert text == " ".join(value.splitlines())
    assert re.findall(r"<(\w+)", page) == ["p", "strong"]  # no other element, no link


def test_the_template_keeps_its_markdown_and_fields_keep_their_format() -> None:
    shown = markdown("**Week to {end:%d %B %Y}** · {area} · {rows:,} records",
                     end=dt.date(2025, 3, 9), area="<b>D1</b>", rows=12345)
    assert isinstance(shown, MarkdownText)
    assert str(shown) == "**Week to 09 March 2025** · &lt;b&gt;D1&lt;/b&gt; · 12,345 records"
    assert shown._repr_markdown_() == shown.data


def test_plain_sentences_are_unchanged() -> None:
    text = "A forecast needs at least 24 months of counts; got 11."
    assert md_escape(text) == text
    assert md_escape(None) == ""
