"""App registry, the state/view split, the views' messages, and ``workbench apps`` set-up
(everything short of a browser)."""

from __future__ import annotations

import ast
import base64
import contextlib
import inspect
import io
import re
import socket
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from workbench import ui
from workbench.cli import main
from workbench.errors import UnknownNameError
from workbench.settings import get_settings
from workbench.ui import serve

STATE_CLASSES = {
    "crime_explorer": "CrimeExplorerState",
    "workforce_dashboard": "WorkforceDashboardState",
    "neighbourhood_profile": "NeighbourhoodProfileState",
    "chain_of_command": "ChainOfCommandState",
}
WIDGET_MODULES = {"widgets", "ipywidgets", "_view"}  # names bound to widget code
WIDGET_ATTRIBUTES = {"JupyterChart", "AppView", "Downloads", "chart_widget"}


# ------------------------------------------------------------------------------ registry


def test_every_registered_app_has_a_notebook_and_a_view() -> None:
    widgets_dir = get_settings().widgets_dir
    assert set(ui.APPS) == set(STATE_CLASSES)
    for spec in ui.APPS.values():
        assert (widgets_dir / spec.notebook).is_file(), spec.notebook
        assert spec.view_class().__name__ == spec.view.split(":")[1]
    assert ui.get_app("chain_of_command").audience == "restricted"


def test_unknown_app_names_the_known_ones() -> None:
    with pytest.raises(UnknownNameError, match="crime_explorer"):
        ui.get_app("no_such_app")


@pytest.mark.parametrize("name", sorted(STATE_CLASSES))
def test_state_classes_use_no_widgets(name: str) -> None:
    module = __import__(f"workbench.ui.{name}", fromlist=["_"])
    source = inspect.getsource(getattr(module, STATE_CLASSES[name]))
    tree = ast.parse(source)
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    attributes = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    found = (names & WIDGET_MODULES) | (attributes & WIDGET_ATTRIBUTES)
    assert not found, f"{STATE_CLASSES[name]} refers to {found}"
    # and the view of the same module does use them (the check can see widget code)
    view_source = inspect.getsource(getattr(module, ui.get_app(name).view.split(":")[1]))
    assert "_view." in view_source


@pytest.mark.parametrize("name", sorted(STATE_CLASSES))
def test_widget_notebooks_are_three_statements(name: str) -> None:
    import jupytext

    notebook = jupytext.read(get_settings().widgets_dir / ui.get_app(name).notebook)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", [])
    body = ast.parse(code[-1].source).body
    view_name = ui.get_app(name).view.split(":")[1]
    assert isinstance(body[-1], ast.Expr) and ast.unparse(body[-1]) == "app"
    assert any(isinstance(s, ast.Assign) and ast.unparse(s.value).startswith(f"{view_name}(")
               for s in body)


# ------------------------------------------------------------------------------ views


def test_a_view_without_a_warehouse_shows_a_message(tmp_path: Path) -> None:
    from ipywidgets import HTML

    app = ui.CrimeExplorerApp(warehouse_url=f"duckdb://{tmp_path / 'missing.duckdb'}")
    texts = [child.value for child in app.children if isinstance(child, HTML)]
    message = next(text for text in texts if 'role="alert"' in text)
    assert "no warehouse at" in message and "workbench demo-data" in message
    assert app.state is None


def test_the_restricted_app_refuses_other_audiences(demo_warehouse_path: Path) -> None:
    from ipywidgets import HTML

    app = ui.ChainOfCommandApp(warehouse_url=f"duckdb://{demo_warehouse_path}",
                               audience="internal")
    texts = " ".join(child.value for child in app.children if isinstance(child, HTML))
    assert "restricted audience only" in texts
    assert app.state is None


@pytest.mark.slow
def test_crime_view_follows_its_state(demo_warehouse_path: Path) -> None:
    app = ui.CrimeExplorerApp(warehouse_url=f"duckdb://{demo_warehouse_path}")
    state = app.state
    assert state is not None and state.message == ""
    kpi_html = app._kpis.value
    for kpi in state.kpis:
        assert f'data-kpi="{kpi.key}"' in kpi_html and kpi.value in kpi_html
    app._division.value = "D4"  # the drop-down drives the state through the link
    assert state.division == "D4"
    incidents = next(kpi for kpi in state.kpis if kpi.key == "incidents")
    assert f">{incidents.value}<" in app._kpis.value
    link = re.search(r'href="data:text/csv;base64,([^"]+)"', app._downloads._csv.value)
    assert link is not None
    csv = pd.read_csv(io.StringIO(base64.b64decode(link.group(1)).decode()))
    assert csv["incidents"].tolist() == state.frame["incidents"].tolist()
    assert app._chart.spec is not None and "Incidents per month" in str(app._chart.spec)
    app._downloads._prepare_png(app._downloads._png_button)
    png = re.search(r'href="data:image/png;base64,([^"]+)"', app._downloads._png.value)
    assert png is not None and base64.b64decode(png.group(1))[:4] == b"\x89PNG"


def test_a_failing_view_shows_a_message_and_the_app_recovers(empty_warehouse) -> None:  # noqa: ANN001
    from workbench.ui.crime_explorer import CrimeExplorerState

    empty_warehouse.append("neighbourhoods", pd.DataFrame({
        "neighbourhood_id": ["N1"], "name": ["One"], "division": ["D1"], "source": ["test"]}))
    empty_warehouse.append("incidents", pd.DataFrame({
        "incident_id": ["1", "2"], "source": ["test", "test"],
        "occurred_at": pd.to_datetime(["2024-05-01 10:00", "2024-05-02 11:00"]),
        "offence_category": ["assault", "assault"], "division": ["D1", "D1"],
        "neighbourhood_id": ["N1", "N1"]}))
    empty_warehouse.con.raw_sql("DROP TABLE population")
    empty_warehouse.con.raw_sql("CREATE TABLE population (neighbourhood_id VARCHAR)")
    state = CrimeExplorerState(empty_warehouse)
    state.start()
    assert state.message == ""
    state.view = "neighbourhoods"
    assert "population" in state.message and "lacks column" in state.message
    assert "Traceback" not in state.message
    state.view = "trend"
    assert state.message == ""
    assert state.frame["incidents"].sum() == 2


# ------------------------------------------------------------------------------ serving


def test_notebooks_are_written_for_voila(tmp_path: Path) -> None:
    written = serve.build_notebooks(get_settings().widgets_dir, tmp_path / "nb")
    assert sorted(p.stem for p in written) == sorted(ui.APPS)
    for path in written:
        notebook = nbformat.read(path, as_version=4)
        assert notebook.metadata["kernelspec"]["name"] == "python3"
        assert notebook.cells[-1].source.rstrip().endswith("app")


def test_voila_runs_locally_preheated_without_sources_or_tracebacks(tmp_path: Path) -> None:
    command = serve.voila_command(tmp_path, port=9999, token="secret", pool_size=2)
    assert "--Voila.ip=127.0.0.1" in command and "--Voila.token=secret" in command
    assert "--VoilaConfiguration.strip_sources=True" in command
    assert "--VoilaConfiguration.show_tracebacks=False" in command
    assert "--VoilaConfiguration.preheat_kernel=True" in command
    assert "--VoilaConfiguration.default_pool_size=2" in command
    assert "--VoilaConfiguration.preheat_kernel=False" in serve.voila_command(
        tmp_path, port=9999, token="t", pool_size=0)


def test_the_template_removes_every_cdn_link_of_voilas_lab_template(tmp_path: Path) -> None:
    import sys

    lab = Path(sys.prefix) / "share" / "jupyter" / "voila" / "templates" / "lab" / "index.html.j2"
    links = re.findall(r'<link[^>]+href="https?://[^"]+"[^>]*/>', lab.read_text())
    assert links, "Voila's lab template no longer links another host: drop the override"
    template = (serve.write_template(tmp_path) / "index.html.j2").read_text()
    for link in links:
        assert repr(link) in template


def test_urls_carry_the_token() -> None:
    urls = serve.app_urls(port=8123, token="abc")
    assert urls["index"] == "http://127.0.0.1:8123/?token=abc"
    assert urls["crime_explorer"].endswith("/voila/render/crime_explorer.ipynb?token=abc")


def _run_cli(argv: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(argv)
    return code, err.getvalue()


def test_apps_command_refuses_a_port_in_use(demo_warehouse_path: Path,  # noqa: ANN001
                                            monkeypatch) -> None:
    monkeypatch.setenv("WORKBENCH_WAREHOUSE", f"duckdb://{demo_warehouse_path}")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, err = _run_cli(["apps", "--port", str(port), "--no-browser"])
    assert code == 2
    assert f"port {port}" in err and "--port" in err


def test_apps_command_names_a_missing_warehouse(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("WORKBENCH_WAREHOUSE", f"duckdb://{tmp_path / 'none.duckdb'}")
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(tmp_path / "data"))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, err = _run_cli(["apps", "--port", str(port), "--no-browser"])
    assert code == 2
    assert "none.duckdb" in err and "workbench demo-data" in err
