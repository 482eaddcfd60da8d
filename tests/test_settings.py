import datetime as dt

import pytest

from workbench.errors import SettingsError
from workbench.settings import get_settings


def test_defaults_live_under_the_project(monkeypatch, tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "workbench"\n')
    (tmp_path / "sub").mkdir()
    for name in ("WORKBENCH_HOME", "WORKBENCH_DATA_DIR", "WORKBENCH_WAREHOUSE", "WORKBENCH_SITE_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path / "sub")
    settings = get_settings()
    assert settings.home == tmp_path.resolve()
    assert settings.warehouse_url == f"duckdb://{tmp_path.resolve() / 'data' / 'warehouse.duckdb'}"
    assert settings.site_dir == tmp_path.resolve() / "site"


def test_environment_overrides(monkeypatch, tmp_path):
    monkeypatch.setenv("WORKBENCH_WAREHOUSE", "duckdb://:memory:")
    monkeypatch.setenv("WORKBENCH_TODAY", "2025-03-01")
    monkeypatch.setenv("WORKBENCH_SMALL_CELL_THRESHOLD", "15")
    settings = get_settings()
    assert settings.warehouse_url == "duckdb://:memory:"
    assert settings.today == dt.date(2025, 3, 1)
    assert settings.small_cell_threshold == 15


@pytest.mark.parametrize("name,value", [("WORKBENCH_TODAY", "March 1"),
                                        ("WORKBENCH_SMALL_CELL_THRESHOLD", "ten"),
                                        ("WORKBENCH_SMALL_CELL_THRESHOLD", "0")])
def test_bad_settings_name_the_variable(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=name):
        get_settings()
