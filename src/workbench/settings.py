"""Settings: every path and knob comes from here (environment variables with defaults).

| variable | default | meaning |
|---|---|---|
| ``WORKBENCH_HOME`` | the folder holding this project's ``pyproject.toml``, else the cwd | project root |
| ``WORKBENCH_DATA_DIR`` | ``$WORKBENCH_HOME/data`` | generated data (warehouse, render state) |
| ``WORKBENCH_WAREHOUSE`` | ``duckdb://$WORKBENCH_DATA_DIR/warehouse.duckdb`` | warehouse URL |
| ``WORKBENCH_SITE_DIR`` | ``$WORKBENCH_HOME/site`` | rendered HTML site |
| ``WORKBENCH_SMALL_CELL_THRESHOLD`` | ``10`` | smallest count shown to a lower audience |
| ``WORKBENCH_TODAY`` | today's date | "today" for freshness and the demo city (reproducible runs) |
| ``WORKBENCH_TIME_ZONE`` | ``America/Toronto`` | the service's time zone: timestamps with a UTC offset or ``Z`` are converted to its local time at ingest (the warehouse stores local times without zone) |
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from workbench.errors import SettingsError


def _find_home(start: Path) -> Path:
    for folder in (start, *start.parents):
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and 'name = "workbench"' in pyproject.read_text(errors="replace"):
            return folder
    return start


@dataclass(frozen=True)
class Settings:
    """Resolved settings. Build with :func:`get_settings`; never mutate."""

    home: Path
    data_dir: Path
    warehouse_url: str
    site_dir: Path
    small_cell_threshold: int
    today: dt.date
    time_zone: str = "America/Toronto"

    @property
    def params_dir(self) -> Path:
        return self.home / "params"

    @property
    def notebooks_dir(self) -> Path:
        return self.home / "notebooks"

    @property
    def widgets_dir(self) -> Path:
        return self.home / "widgets"


def _int_setting(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a whole number") from None


def _date_setting(name: str) -> dt.date:
    raw = os.environ.get(name)
    if not raw:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a date in YYYY-MM-DD form") from None


def _zone_setting(name: str, default: str) -> str:
    raw = os.environ.get(name) or default
    try:
        ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(f"{name}={raw!r} is not a time zone name (such as "
                            "America/Toronto or Europe/London)") from None
    return raw


def get_settings() -> Settings:
    """Read the settings from the environment (cheap; call it where you need it)."""
    home = Path(os.environ.get("WORKBENCH_HOME") or _find_home(Path.cwd())).resolve()
    data_dir = Path(os.environ.get("WORKBENCH_DATA_DIR") or home / "data").resolve()
    url = os.environ.get("WORKBENCH_WAREHOUSE") or f"duckdb://{data_dir / 'warehouse.duckdb'}"
    site_dir = Path(os.environ.get("WORKBENCH_SITE_DIR") or home / "site").resolve()
    threshold = _int_setting("WORKBENCH_SMALL_CELL_THRESHOLD", 10)
    if threshold < 1:
        raise SettingsError(f"WORKBENCH_SMALL_CELL_THRESHOLD must be at least 1, got {threshold}")
    return Settings(home, data_dir, url, site_dir, threshold, _date_setting("WORKBENCH_TODAY"),
                    _zone_setting("WORKBENCH_TIME_ZONE", "America/Toronto"))
