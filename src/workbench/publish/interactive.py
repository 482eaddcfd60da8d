"""Run a report from Python (JupyterLab, a script) exactly as ``workbench render`` would.

```python
from workbench.publish.interactive import run_report
run = run_report("data_quality", stale_after_days=3)   # validated by the report's model
run.headlines                                          # the figures summary.json would hold
run.save_html("/tmp/data_quality.html")                # the page, with code shown
```
Nothing is published and no render state changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from workbench.errors import RenderError
from workbench.present.html import render
from workbench.publish.convert import collect_headlines, localize, notebook_to_html
from workbench.publish.execute import CellFailure, execute_notebook, read_template
from workbench.publish.headline import format_value
from workbench.publish.reports import ReportParameters, get_report


@dataclass
class ReportRun:
    """The result of :func:`run_report`."""

    report: str
    parameters: ReportParameters
    notebook: nbformat.NotebookNode
    headlines: list[dict[str, Any]]
    failure: CellFailure | None
    duration_seconds: float

    @property
    def succeeded(self) -> bool:
        return self.failure is None

    def page_html(self, *, site_root: str = "site/") -> str:
        """The report page (code shown); ``site_root`` is where a site's ``assets/`` folder is,
        relative to where the page will be opened (charts need its Vega bundle)."""
        if self.failure is not None:
            raise RenderError(f"report {self.report} failed: {self.failure.summary()}")
        return localize(notebook_to_html(self.notebook, title=self.report, show_code=True),
                        site_root)

    def save_html(self, path: Path, *, site_root: str = "site/") -> Path:
        """Write :meth:`page_html` to ``path``; returns the path."""
        path = Path(path)
        path.write_text(self.page_html(site_root=site_root), encoding="utf-8")
        return path

    def _repr_html_(self) -> str:
        figures = [{"label": h["label"], "value": format_value(h.get("value"), h.get("unit", ""))}
                   for h in self.headlines]
        return str(render("publish/report_run.html.j2", report=self.report,
                          failure=self.failure.summary() if self.failure is not None else None,
                          seconds=f"{self.duration_seconds:.1f}", figures=figures))


def run_report(name: str, *, timeout: int | None = None, **parameters: Any) -> ReportRun:
    """Execute report ``name`` with ``parameters`` (validated first) in a fresh kernel."""
    from workbench.publish.runner import kernel_environment
    from workbench.settings import get_settings

    report = get_report(name)
    validated = report.parameters(**parameters)
    settings = get_settings()
    template = read_template(settings.notebooks_dir / report.notebook)
    result = execute_notebook(template, validated.notebook_values(),
                              env=kernel_environment(settings, settings.site_dir),
                              cwd=settings.home, timeout_seconds=timeout)
    headlines = collect_headlines(result.notebook) if result.succeeded else []
    return ReportRun(name, validated, result.notebook, headlines, result.failure,
                     result.duration_seconds)
