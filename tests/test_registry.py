"""The generic registry (workbench.registry): one shape for adapters, reports, apps and commands,
built-in modules loaded on first look-up, and parts added by installed distributions through
entry points (tested with real ``*.dist-info`` folders on ``sys.path``, and end to end with the
``workbench ingest`` command in a fresh interpreter)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from workbench import cli, ui
from workbench.errors import PluginError, UnknownNameError
from workbench.ingest import registry as ingest_registry
from workbench.publish import reports
from workbench.registry import Registry, submodules


def _distribution(root: Path, name: str, group: str, entry_points: dict[str, str],
                  modules: dict[str, str]) -> Path:
    """Write an installed-looking distribution (its modules and a ``dist-info`` folder with
    ``METADATA`` and ``entry_points.txt``) under ``root``; return ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    for module, source in modules.items():
        (root / f"{module}.py").write_text(textwrap.dedent(source))
    info = root / f"{name}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    lines = [f"[{group}]"] + [f"{key} = {value}" for key, value in entry_points.items()]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n")
    return root


# ------------------------------------------------------------------------------ the registry


def test_register_get_names_and_dictionary_reading():
    registry: Registry[int] = Registry("colour")
    assert registry.register("red", 1) == 1
    registry.register("blue", 2)
    assert registry.get("red") == 1 and registry["blue"] == 2
    assert registry.names() == ["blue", "red"]  # sorted
    assert list(registry) == ["red", "blue"] == registry.keys()  # registration order
    assert registry.items() == [("red", 1), ("blue", 2)] and registry.values() == [1, 2]
    assert "red" in registry and "green" not in registry and len(registry) == 2
    assert registry.pop("red") == 1 and registry.pop("red") is None and len(registry) == 1


def test_unknown_name_lists_the_known_ones():
    registry: Registry[int] = Registry("colour")
    with pytest.raises(UnknownNameError, match=r"unknown colour 'red'; known colours: none"):
        registry.get("red")
    registry.register("blue", 2)
    registry.register("amber", 3)
    with pytest.raises(UnknownNameError, match=r"unknown colour 'red'; known colours: amber, blue"):
        registry["red"]


def test_a_name_holds_one_object_and_the_check_refuses_the_wrong_kind():
    def must_be_int(name: str, value: object) -> None:
        if not isinstance(value, int):
            raise TypeError(f"colour {name!r} must be a number, got {value!r}")

    registry: Registry[int] = Registry("adapter", check=must_be_int)
    registry.register("red", 1)
    registry.register("red", 1)  # the same object again: nothing happens
    with pytest.raises(ValueError, match=r"an adapter named 'red' is already registered"):
        registry.register("red", 1000)
    with pytest.raises(TypeError, match="must be a number"):
        registry.register("blue", "two")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="non-empty name"):
        registry.register("", 3)
    assert registry.names() == ["red"]


def test_copy_is_independent():
    registry: Registry[int] = Registry("colour")
    registry.register("red", 1)
    copy = registry.copy()
    copy.register("blue", 2)
    assert registry.names() == ["red"] and copy.names() == ["blue", "red"]


def test_built_in_modules_load_on_first_look_up(tmp_path, monkeypatch):
    (tmp_path / "colour_pack_one.py").write_text(
        "from test_registry_target import COLOURS\nCOLOURS.register('red', 1)\n")
    (tmp_path / "colour_pack_two.py").write_text(
        "from test_registry_target import COLOURS\nCOLOURS.register('blue', 2)\n")
    (tmp_path / "test_registry_target.py").write_text(
        "from workbench.registry import Registry\n"
        "COLOURS = Registry('colour', modules=['colour_pack_one', 'colour_pack_two'])\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in ("test_registry_target", "colour_pack_one", "colour_pack_two"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    import test_registry_target  # type: ignore[import-not-found]

    assert "colour_pack_one" not in sys.modules  # nothing loaded at import
    assert test_registry_target.COLOURS.get("blue") == 2
    assert "colour_pack_one" in sys.modules and test_registry_target.COLOURS.names() == [
        "blue", "red"]


def test_submodules_lists_the_public_modules_of_a_package():
    names = submodules("workbench.ingest.adapters")
    assert "workbench.ingest.adapters.toronto" in names
    assert all(not name.rsplit(".", 1)[1].startswith("_") for name in names)


# ------------------------------------------------------------------------------ entry points


def test_entry_points_add_objects_and_modules(tmp_path, monkeypatch):
    _distribution(
        tmp_path, "colour-plugin", "workbench.test-colours",
        {"green": "colour_plugin_objects:GREEN", "pack": "colour_plugin_module"},
        {"colour_plugin_objects": "GREEN = 7\n",
         "colour_plugin_module": """
             from colour_plugin_registry import COLOURS
             COLOURS.register("violet", 9)
         """,
         "colour_plugin_registry": """
             from workbench.registry import Registry
             COLOURS = Registry("colour", entry_point_group="workbench.test-colours")
         """})
    monkeypatch.syspath_prepend(str(tmp_path))
    import colour_plugin_registry  # type: ignore[import-not-found]

    colours = colour_plugin_registry.COLOURS
    colours.register("red", 1)
    assert colours.get("green") == 7  # an object: registered under the entry point's name
    assert colours.get("violet") == 9  # a module: its import registered what it holds
    assert colours.names() == ["green", "red", "violet"]


def test_a_broken_plugin_names_its_entry_point_and_distribution(tmp_path, monkeypatch):
    _distribution(tmp_path, "grey-colours", "workbench.test-wrong-kind",
                  {"grey": "grey_colours:GREY"}, {"grey_colours": "GREY = 'not a number'\n"})
    _distribution(tmp_path, "lost-colours", "workbench.test-missing",
                  {"red": "lost_colours_nowhere:RED"}, {})
    monkeypatch.syspath_prepend(str(tmp_path))

    def must_be_int(name: str, value: object) -> None:
        if not isinstance(value, int):
            raise TypeError(f"colour {name!r} must be a number, got {value!r}")

    wrong_kind: Registry[int] = Registry("colour", entry_point_group="workbench.test-wrong-kind",
                                         check=must_be_int)
    with pytest.raises(PluginError, match=r"the colour plugin entry point grey = "
                       r"'grey_colours:GREY' of group 'workbench.test-wrong-kind' in "
                       r"distribution 'grey-colours' cannot be registered: colour 'grey' must "
                       r"be a number"):
        wrong_kind.names()
    with pytest.raises(PluginError):  # a later look-up fails the same way, not silently
        wrong_kind.get("grey")
    missing: Registry[int] = Registry("colour", entry_point_group="workbench.test-missing")
    with pytest.raises(PluginError, match=r"'lost-colours' cannot be loaded: "
                       r"ModuleNotFoundError: No module named 'lost_colours_nowhere'"):
        missing.get("red")


def test_an_adapter_package_installed_beside_workbench_is_found_by_name(tmp_path):
    """A service's own adapter, in a distribution of its own that declares it as an entry
    point of ``workbench.adapters``: ``workbench ingest`` lists it and loads a file with it,
    in a fresh interpreter (the way a service would run it)."""
    plugins = _distribution(
        tmp_path / "site", "example-pd-adapters", "workbench.adapters",
        {"example-cad": "example_pd_adapters:ExampleCallsAdapter"},
        {"example_pd_adapters": '''
             """Adapters of the Example Police Department (not part of Workbench)."""
             from workbench.ingest import Adapter, SourceRows

             class ExampleCallsAdapter(Adapter):
                 """Example PD CAD export (one row per call)."""

                 source = "example_cad"
                 targets = ("calls_for_service",)
                 required_columns = ("Call No", "Received", "Priority", "Type")

                 def map_rows(self, rows: SourceRows):
                     return {"calls_for_service": {
                         "call_id": rows.text("Call No"),
                         "received_at": rows.timestamp("Received", ["%m/%d/%Y %H:%M:%S"]),
                         "priority": rows.integer("Priority", minimum=1, maximum=5),
                         "call_type": rows.category("Type", {"MH": "mental_health"},
                                                    unmapped="other"),
                     }}
         '''})
    calls = tmp_path / "calls.csv"
    calls.write_text("Call No,Received,Priority,Type\n"
                     "C1,01/05/2024 10:00:00,1,MH\nC2,01/05/2024 11:30:00,3,NOISE\n"
                     "C3,not a date,2,MH\n")
    script = ("import sys\nfrom workbench import cli\n"
              "sys.exit(cli.main(['ingest', '--list']) or cli.main(sys.argv[1:]))")
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(plugins), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    result = subprocess.run(
        [sys.executable, "-c", script, "ingest", "--adapter", "example-cad", str(calls),
         "--warehouse", f"duckdb://{tmp_path / 'warehouse.duckdb'}", "--no-progress",
         "--max-quarantine", "50%"],
        capture_output=True, text=True, env=environment, timeout=300)
    assert result.returncode == 0, result.stderr
    listed = dict(line.split(None, 1) for line in result.stdout.splitlines()
                  if line.startswith(("example-cad", "toronto-mci")))
    assert listed["example-cad"].strip() == "Example PD CAD export (one row per call)."
    assert "toronto-mci" in listed  # the built-in adapters are still there
    assert "3 rows read — 2 loaded, 1 quarantined" in result.stdout


# ------------------------------------------------------------------------------ the four callers


def test_the_four_registries_share_the_shape():
    for registry, kind in ((ingest_registry.ADAPTERS, "adapter"), (reports.REPORTS, "report"),
                           (ui.APPS, "app"), (cli.COMMANDS, "command")):
        assert isinstance(registry, Registry) and registry.kind == kind
        with pytest.raises(UnknownNameError, match=rf"unknown {kind} 'nope'; known {kind}s: "):
            registry.get("nope")
    assert ingest_registry.ADAPTERS.entry_point_group == "workbench.adapters"
    assert reports.REPORTS.entry_point_group == "workbench.reports"
    assert "data_quality" in reports.REPORTS and "crime_trends_monthly" in reports.REPORTS
    assert ui.get_app("crime_explorer").name == "crime_explorer"
    assert cli.COMMANDS["ingest"][0] == "workbench.ingest.cli"
