"""Report sections that the data may not allow, e.g. a forecast on eleven months of history.

In a notebook::

    with data_permitting("Forecast"):
        prediction = forecast.forecast_monthly_incidents(incidents, as_of=window.end)
        display(crime_charts.forecast_chart(prediction.tidy()))

When an analysis inside raises :class:`~workbench.errors.InsufficientDataError` (too little
history, no population, no complete year…), the page says which section is not shown and why
— the error's own message, shown as text — and the render goes on. Any other error still fails the render:
only "the data do not allow it" is an expected outcome. Headlines inside the block are not
recorded past the call that failed, so ``summary.json`` carries no figure the page lacks.

This module is imported inside report kernels: it must stay light.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from workbench.errors import InsufficientDataError
from workbench.present.markdown import MarkdownText, md_escape

__all__ = ["data_permitting", "unavailable_note"]


def unavailable_note(section: str, reason: str) -> str:
    """The Markdown shown in place of a section the data do not allow (the section's name and
    the reason are shown as text: an error message may quote values from the data)."""
    reason = reason.strip()
    if reason and reason[-1] not in ".!?":
        reason += "."
    return f"**{md_escape(section)} not shown.** {md_escape(reason[:1].upper() + reason[1:])}"


@contextlib.contextmanager
def data_permitting(section: str) -> Iterator[None]:
    """Run a report section; if the data do not allow it, show why instead (see the module)."""
    try:
        yield
    except InsufficientDataError as error:
        from IPython.display import display

        display(MarkdownText(unavailable_note(section, str(error))))
