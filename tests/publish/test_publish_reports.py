"""Notebooks stay thin; each report's parameters cell agrees with its model."""

from __future__ import annotations

import ast
from pathlib import Path

import jupytext
import pytest

from workbench.errors import UnknownNameError
from workbench.publish.reports import (
    REPORTS,
    ReportParameters,
    get_report,
    register_report,
    report_parameters,
)
from workbench.settings import get_settings

SETTINGS = get_settings()
NOTEBOOK_FILES = sorted([*SETTINGS.notebooks_dir.glob("*.py"), *SETTINGS.widgets_dir.glob("*.py")])


def _parameters_cell(path: Path) -> str | None:
    notebook = jupytext.read(path)
    for cell in notebook.cells:
        if cell.cell_type == "code" and "parameters" in cell.metadata.get("tags", []):
            return cell.source
    return None


def test_there_are_notebooks_to_check() -> None:
    names = {p.name for p in NOTEBOOK_FILES}
    assert {"data_quality.py", "starter.py"} <= names


@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_notebook_defines_no_function_or_class(path: Path) -> None:
    notebook = jupytext.read(path)
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type != "code":
            continue
        tree = ast.parse(cell.source)
        definitions = [node for node in ast.walk(tree)
                       if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef
                                     | ast.ClassDef | ast.Lambda)]
        assert not definitions, (
            f"{path}: cell {number} defines {type(definitions[0]).__name__} at line "
            f"{definitions[0].lineno}; move it into src/workbench")


@pytest.mark.parametrize("path", sorted(SETTINGS.notebooks_dir.glob("*.py")), ids=lambda p: p.name)
def test_every_notebook_has_a_parameters_cell(path: Path) -> None:
    assert _parameters_cell(path) is not None, f"{path} has no cell tagged 'parameters'"


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_report_defaults_equal_the_parameters_cell(name: str) -> None:
    report = get_report(name)
    path = SETTINGS.notebooks_dir / report.notebook
    assert path.is_file(), f"report {name}: notebook {path} is missing"
    source = _parameters_cell(path)
    assert source is not None, f"{path} has no cell tagged 'parameters'"
    cell_values = {}
    for statement in ast.parse(source).body:
        assert isinstance(statement, ast.Assign) and len(statement.targets) == 1, (
            f"{path}: the parameters cell should only assign plain values")
        target = statement.targets[0]
        assert isinstance(target, ast.Name)
        cell_values[target.id] = ast.literal_eval(statement.value)
    assert cell_values == report.parameters().notebook_values()


def test_unknown_report_names_the_known_ones() -> None:
    with pytest.raises(UnknownNameError, match="data_quality"):
        get_report("no_such_report")


def test_registering_a_name_twice_is_an_error() -> None:
    with pytest.raises(ValueError, match="already registered"):
        register_report("data_quality", notebook="x.py", parameters=ReportParameters)


def test_report_parameters_validates() -> None:
    assert report_parameters("data_quality", stale_after_days=5).stale_after_days == 5
    with pytest.raises(ValueError):
        report_parameters("data_quality", colour="blue")
