"""The hostile-text corpus: each payload is named for what it attacks.

Used by the ingest, page and app security tests. Every payload, if it ever reached a page as
markup, would run script (and so open a dialog or set ``window.__wb_pwned``); the tests assert
that none does, and that the text still shows to the reader as text where it is shown at all.
"""

from __future__ import annotations

MARKER = "__wb_pwned"

PAYLOADS: dict[str, str] = {
    "script_tag": f"<script>window.{MARKER}=1;alert('script_tag')</script>",
    "img_onerror": f"<img src=x onerror=\"window.{MARKER}=1;alert('img_onerror')\">",
    "svg_onload": f"<svg onload=\"window.{MARKER}=1;alert('svg_onload')\"></svg>",
    "javascript_link_markdown": f"[click me](javascript:window.{MARKER}=1;alert('md_link'))",
    "javascript_link_html": f"<a href=\"javascript:window.{MARKER}=1;alert('a_href')\">x</a>",
    "markdown_html_mix": f"**bold** <b onmouseover=\"window.{MARKER}=1\">hover</b> "
                         f"<script>alert('mix')</script>",
    "attribute_breakout": f"\" onfocus=\"window.{MARKER}=1;alert('attr')\" autofocus=\"",
    "style_breakout": f"</style><script>window.{MARKER}=1;alert('style')</script>",
    "template_injection": "{{ 7*7 }}${7*7}<%= 7*7 %>",
    "iframe_srcdoc": f"<iframe srcdoc=\"<script>parent.{MARKER}=1</script>\"></iframe>",
}
