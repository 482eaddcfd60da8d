"""Publish: scheduled report jobs rendered into a static, offline HTML site.

Pieces
------
- :mod:`~workbench.publish.reports` — the registry: report name → notebook + parameter model.
- :mod:`~workbench.publish.jobs` — ``params/*.yaml`` jobs, validated before any kernel starts.
- :mod:`~workbench.publish.execute` — Papermill on IPC-socket kernels (parallel-safe).
- :mod:`~workbench.publish.convert` — nbconvert in-process with the offline ``workbench`` template.
- :mod:`~workbench.publish.site` — site layout, shared assets, index, archive; atomic writes.
- :mod:`~workbench.publish.runner` — cache keys, ``--due``, thread pool, state, failure isolation.
- :mod:`~workbench.publish.runlog` — the restricted run log: what went wrong, kept off the site.
- :mod:`~workbench.publish.cli` — ``workbench render``.

In a notebook
-------------
``from workbench.publish import headline`` and call
``headline("quarantined_rows", 42, unit="rows", better="lower")``: the figure shows on the page
and goes into the run's ``summary.json`` and the site index, from one value. A section the
data may not allow (a forecast on a few months of history) goes in
``with data_permitting("Forecast"):`` — the page then says why it is not shown instead of the
render failing. Tables go through ``workbench.present.tables.table(frame, formats=...)`` and
Markdown that quotes values through ``workbench.present.markdown.markdown(...)``: text from the
data is shown as text (pages run no inline script either: see
:mod:`~workbench.publish.convert`).

Adding a report (three files, no change here)
--------------------------------------------
1. ``notebooks/<report>.py`` — jupytext percent notebook. First a markdown title, then a cell
   tagged ``parameters`` (``# %% tags=["parameters"]``) assigning one plain literal per parameter
   (dates as ISO strings or ``None``), then a cell validating them with the model
   (``params = MyReportParameters(a=a, b=b)``) and a handful of calls into ``workbench.analysis``,
   ``workbench.charts`` and ``headline``. No ``def`` or ``class`` (a test fails on them).
2. ``src/workbench/publish/catalog/<domain>.py`` (imported automatically by the registry) —
   a ``ReportParameters`` subclass whose defaults equal the parameters cell, and
   ``register_report("my_report", notebook="my_report.py", parameters=MyReportParameters,
   description=...)``.
3. ``params/<job>.yaml`` — ``report``, ``title``, ``audience`` (public | internal |
   restricted), ``schedule`` (cron), optional ``timeout`` (seconds) and ``parameters``.

Then ``workbench render <job>``. ``docs/reports.md`` has the details, cron and systemd lines.

This package's top level stays light (it is imported inside report kernels for ``headline``).
"""

from __future__ import annotations

from workbench.publish.headline import HEADLINE_MIMETYPE, headline
from workbench.publish.reports import (
    REPORTS,
    Report,
    ReportParameters,
    get_report,
    register_report,
    report_parameters,
)
from workbench.publish.sections import data_permitting

__all__ = ["HEADLINE_MIMETYPE", "REPORTS", "Report", "ReportParameters", "data_permitting",
           "get_report", "headline", "register_report", "report_parameters"]
