"""Markdown built from values: every interpolated value is shown as text, never as markup.

A notebook line such as ``display(Markdown(f"**{name}** …"))`` lets a neighbourhood name like
``<img src=x onerror=…>`` or ``[x](javascript:…)`` become HTML or a link on the page. Build the
line with :func:`markdown` instead: the template is Markdown written in code, the values are
escaped (HTML characters as entities, Markdown punctuation with a backslash)::

    >>> str(markdown("**{area}** · data to {day:%d %B %Y}", area="<b>D1</b>",
    ...              day=__import__("datetime").date(2025, 3, 9)))
    '**&lt;b&gt;D1&lt;/b&gt;** · data to 09 March 2025'

:func:`md_escape` escapes one value for code that assembles Markdown itself.

Imported inside report kernels (through ``workbench.publish.sections``): standard library only.
"""

from __future__ import annotations

import re
import string
from typing import Any

__all__ = ["MarkdownText", "markdown", "md_escape"]

_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_INLINE = re.compile(r"([\\`*_\[\]|~$])")
"""Characters that start inline Markdown: emphasis, code, links and images, tables, math."""
_BLOCK_MARK = re.compile(r"^(\s*)([#+=-])")
_LIST_NUMBER = re.compile(r"^(\s*\d+)([.)])")


def md_escape(value: Any) -> str:
    """``value`` as Markdown that renders as exactly its text, on one line (None → empty).

    HTML characters become entities (no tag, comment or autolink can start); Markdown's inline
    punctuation gets a backslash (no link, emphasis, code or math; no bare URL becomes a
    link); line breaks become spaces and a leading heading, list or rule mark is escaped (no
    block can start). Plain words and sentences come out unchanged.
    """
    text = "" if value is None else str(value)
    text = "".join(_HTML.get(character, character) for character in text)
    text = _INLINE.sub(r"\\\1", text).replace("://", "\\://")  # no bare-URL autolink
    text = " ".join(text.splitlines())
    text = _BLOCK_MARK.sub(r"\1\\\2", text)
    return _LIST_NUMBER.sub(r"\1\\\2", text)


class _EscapingFormatter(string.Formatter):
    """``str.format`` whose fields are formatted first (``{day:%d %B}``), then escaped."""

    def format_field(self, value: Any, format_spec: str) -> str:
        return md_escape(super().format_field(value, format_spec))


class MarkdownText:
    """Markdown for a notebook to show (``text/markdown``), like ``IPython.display.Markdown``:
    display it, or end a cell with it. ``data`` (and ``str()``) is the Markdown source."""

    def __init__(self, data: str) -> None:
        self.data = data

    def _repr_markdown_(self) -> str:
        return self.data

    def __str__(self) -> str:
        return self.data

    def __repr__(self) -> str:
        return self.data

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MarkdownText) and other.data == self.data

    def __hash__(self) -> int:
        return hash(self.data)


def markdown(template: str, /, **values: Any) -> MarkdownText:
    """``template`` (Markdown written in code, ``str.format`` fields) with escaped ``values``."""
    return MarkdownText(_EscapingFormatter().format(template, **values))
