"""Everything public of one warehouse on one day: :class:`PublicOutputs`, built once.

:func:`build_public_outputs` reads every family (:mod:`workbench.public.families`), audits each
with the attacker of :mod:`workbench.privacy` before anything is shown, and keeps the result in
a cache the reports and the open data rendered together share. The ``published_*`` functions
lay the published counts out as the analyses expect, so rates and indices are computed from
the published counts only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ibis
import pandas as pd

from workbench.analysis import cswb
from workbench.analysis import use_of_force as uof
from workbench.privacy import small_cell_threshold
from workbench.privacy.linked import ALL
from workbench.public.families import (
    _table_or_none,
    enforcement_public_tables,
    incidents_public_table,
    indicator_public_tables,
    population_benchmark,
    use_of_force_public_tables,
)
from workbench.public.options import (
    CATEGORY_INDICATORS,
    DEFAULT_OPTIONS,
    OpenDataError,
    OpenDataOptions,
)
from workbench.public.tables import PublicTable

__all__ = [
    "PublicOutputs",
    "build_public_outputs",
    "published_force_type_counts",
    "published_indicator_counts",
    "published_stage_counts",
]


def published_stage_counts(uof_tables: tuple[PublicTable, PublicTable],
                           enforcement_tables: tuple[PublicTable, PublicTable],
                           population: pd.DataFrame, *, years: Sequence[int]) -> pd.DataFrame:
    """The layout of :func:`workbench.analysis.use_of_force.stage_counts` (``by_year``) from
    the published families: ``<NA>`` where a count (or the stage's one-group total) is
    suppressed. ``population`` is the benchmark per year: ``year, race_group, count``."""
    parts = []
    for year in years:
        year_population = population.loc[population["year"] == year, ["race_group", "count"]]
        if len(year_population):
            parts.append(uof.population_stage(year_population).assign(year=year,
                                                                      stage="population"))
        for stage, (main, rest) in (("enforcement_actions", enforcement_tables),
                                    ("use_of_force", uof_tables)):
            detail = [d for d in main.dimensions if d not in ("year", "race_group")]
            at_year = main.select(year=year, **{d: ALL for d in detail})
            if at_year.empty:
                continue
            total = at_year.loc[at_year["race_group"] == ALL, main.count]
            groups = at_year.loc[at_year["race_group"] != ALL]
            others = rest.select(year=year)
            others = others.loc[others["race_group"] != ALL]
            frame = pd.DataFrame({
                "race_group": [*groups["race_group"], *others["race_group"]],
                "count": [*groups[main.count], *others[rest.count]]})
            frame["total"] = total.iloc[0] if len(total) else pd.NA
            parts.append(frame.assign(year=year, stage=stage))
    columns = ["year", "stage", "race_group", "count", "total"]
    if not parts:
        return pd.DataFrame(columns=columns)
    return _with_float_counts(pd.concat(parts, ignore_index=True)[columns])


def published_force_type_counts(uof_table: PublicTable, *, years: Sequence[int]) -> pd.DataFrame:
    """``year, force_type, race_group, count, total`` from the published use-of-force family
    (``total``: people perceived as one group with that force type)."""
    parts = []
    for year in years:
        at_year = uof_table.select(year=year)
        cells = at_year.loc[(at_year["race_group"] != ALL) & (at_year["force_type"] != ALL)]
        totals = at_year.loc[(at_year["race_group"] == ALL) & (at_year["force_type"] != ALL),
                             ["force_type", uof_table.count]]
        merged = cells.merge(totals.rename(columns={uof_table.count: "total"}), on="force_type",
                             how="left")
        parts.append(pd.DataFrame({"year": year, "force_type": merged["force_type"],
                                   "race_group": merged["race_group"],
                                   "count": merged[uof_table.count], "total": merged["total"]}))
    columns = ["year", "force_type", "race_group", "count", "total"]
    parts = [part for part in parts if len(part)]
    if not parts:
        return pd.DataFrame(columns=columns)
    return _with_float_counts(pd.concat(parts, ignore_index=True)[columns])


def _with_float_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """``count`` and ``total`` as nullable floats (``<NA>`` where suppressed)."""
    for column in ("count", "total"):
        frame[column] = pd.array(pd.to_numeric(frame[column], errors="coerce"), dtype="Float64")
    return frame


def published_indicator_counts(tables: Mapping[str, PublicTable]) -> pd.DataFrame:
    """The layout of :func:`workbench.analysis.cswb.indicator_counts` from the published
    indicator tables: ``indicator, year, neighbourhood_id, count`` (``<NA>`` when suppressed),
    the city rows being the published totals."""
    parts = []
    for name, table in tables.items():
        rows = table.entries.loc[table.entries["year"] != ALL]
        if rows.empty:
            continue
        parts.append(pd.DataFrame({
            "indicator": name,
            "year": rows["year"].astype(int).to_numpy(),
            "neighbourhood_id": rows["neighbourhood_id"].replace({ALL: cswb.CITY}).to_numpy(),
            "count": rows[table.count].to_numpy(),
        }))
    columns = ["indicator", "year", "neighbourhood_id", "count"]
    if not parts:
        return pd.DataFrame(columns=columns)
    frame = pd.concat(parts, ignore_index=True)[columns]
    frame["count"] = pd.array(frame["count"], dtype="Int64")
    return frame


@dataclass(frozen=True)
class PublicOutputs:
    """Every public family of one warehouse on one day (what reports and files show)."""

    as_of: dt.date
    options: OpenDataOptions
    use_of_force: PublicTable
    use_of_force_other: PublicTable
    enforcement: PublicTable
    enforcement_other: PublicTable
    incidents: PublicTable
    indicators: dict[str, PublicTable]
    population_by_race: pd.DataFrame
    population: pd.DataFrame
    neighbourhoods: pd.DataFrame

    @property
    def use_of_force_years(self) -> list[int]:
        return [int(y) for y in self.use_of_force.levels("year")]

    @property
    def indicator_years(self) -> list[int]:
        years: set[int] = set()
        for table in self.indicators.values():
            years |= {int(y) for y in table.levels("year")}
        return sorted(years)

    def stage_counts(self) -> pd.DataFrame:
        """Published ARDS stage counts per year (see :func:`published_stage_counts`)."""
        return published_stage_counts((self.use_of_force, self.use_of_force_other),
                                      (self.enforcement, self.enforcement_other),
                                      self.population_by_race, years=self.use_of_force_years)

    def force_type_counts(self) -> pd.DataFrame:
        return published_force_type_counts(self.use_of_force, years=self.use_of_force_years)

    def indicator_rates(self) -> pd.DataFrame:
        """CSWB rates per 1,000 from the published counts (missing where suppressed)."""
        counts = published_indicator_counts(self.indicators)
        return cswb.indicator_rates(counts, self.population)

    def tables(self) -> list[PublicTable]:
        """Every suppressed family (the indicator slices of the incidents family included)."""
        return [self.use_of_force, self.use_of_force_other, self.enforcement,
                self.enforcement_other, self.incidents, *self.indicators.values()]


def build_public_outputs(warehouse: Any, *, as_of: dt.date | None = None,
                         options: OpenDataOptions = DEFAULT_OPTIONS,
                         threshold: int | None = None, use_of_force: bool = True,
                         community: bool = True,
                         cache_dir: Path | str | None = None) -> PublicOutputs:
    """Every public family of ``warehouse``: suppressed, audited, ready to show or write.

    ``use_of_force`` / ``community`` leave out the race-based families or the incident and
    CSWB families (empty tables) when a page does not need them: they are built exactly as
    in the open data, so leaving some out never changes the others.

    ``cache_dir`` (reports pass ``<data folder>/public-cache``) keeps the built families,
    keyed by the warehouse fingerprint, the day, the threshold, the options and the code, so
    the reports and the open data rendered together usually suppress once (kernels starting
    together may each build it; see :func:`_cached`).

    Raises :class:`OpenDataError` if the audit finds any table exposing a count (it never
    should: that would be a bug in the suppression, and nothing is published).
    """
    from workbench.settings import get_settings

    day = as_of or get_settings().today
    limit = small_cell_threshold() if threshold is None else threshold
    race: dict[str, Any] = (
        _cached(cache_dir, warehouse, ("race", day, limit),
                lambda: _race_families(warehouse, day, limit))
        if use_of_force else _race_families(_AbsentWarehouse(), day, limit))
    community_part: dict[str, Any] = (
        _cached(cache_dir, warehouse, ("community", day, limit, repr(options)),
                lambda: _community_families(warehouse, day, options, limit))
        if community else _community_families(_AbsentWarehouse(), day, options, limit))
    return PublicOutputs(as_of=day, options=options, **race, **community_part)


def _audited(*tables: PublicTable) -> None:
    for table in tables:
        exposures = table.audit()
        if exposures:
            raise OpenDataError(
                f"the privacy audit of {table.name} found {len(exposures)} exposed count(s), "
                f"e.g. {exposures[0].describe()}; nothing was published")


def _race_families(warehouse: Any, day: dt.date, limit: int) -> dict[str, Any]:
    use_of_force_main, use_of_force_other = use_of_force_public_tables(warehouse, as_of=day,
                                                                       threshold=limit)
    enforcement, enforcement_other = enforcement_public_tables(warehouse, as_of=day,
                                                               threshold=limit)
    _audited(use_of_force_main, use_of_force_other, enforcement, enforcement_other)
    years = sorted(set(int(y) for y in use_of_force_main.levels("year"))
                   | set(int(y) for y in enforcement.levels("year")))
    return {"use_of_force": use_of_force_main, "use_of_force_other": use_of_force_other,
            "enforcement": enforcement, "enforcement_other": enforcement_other,
            "population_by_race": population_benchmark(warehouse, years)}


def _community_families(warehouse: Any, day: dt.date, options: OpenDataOptions,
                        limit: int) -> dict[str, Any]:
    incidents = incidents_public_table(warehouse, as_of=day, options=options, threshold=limit)
    indicators = indicator_public_tables(warehouse, as_of=day, incidents=incidents,
                                         options=options, threshold=limit)
    _audited(incidents, *[t for n, t in indicators.items() if n not in CATEGORY_INDICATORS])
    population_table = _table_or_none(warehouse, "population")
    indicator_years = sorted({int(y) for t in indicators.values() for y in t.levels("year")})
    population = (cswb.neighbourhood_populations(population_table, indicator_years)
                  if population_table is not None and indicator_years else
                  pd.DataFrame(columns=["year", "neighbourhood_id", "population"]))
    neighbourhoods_table = _table_or_none(warehouse, "neighbourhoods")
    neighbourhoods = (neighbourhoods_table.to_pandas() if neighbourhoods_table is not None else
                      pd.DataFrame(columns=["neighbourhood_id", "name", "division",
                                            "boundary_geojson"]))
    return {"incidents": incidents, "indicators": indicators, "population": population,
            "neighbourhoods": neighbourhoods}


def _code_digest() -> str:
    """A digest of the code that decides what is published (the privacy and public packages
    and the analyses they use): a change invalidates the cache."""
    import workbench.privacy
    import workbench.public

    digest = hashlib.sha256()
    files: list[Path] = []
    for package in (workbench.privacy, workbench.public):
        files += sorted(Path(str(package.__file__)).parent.glob("*.py"))
    files += [Path(str(uof.__file__)), Path(str(cswb.__file__))]
    for file in files:
        digest.update(file.name.encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def _cached(cache_dir: Path | str | None, warehouse: Any, key: tuple[Any, ...],
            build: Any) -> dict[str, Any]:
    """``build()``, kept in ``cache_dir`` under ``key`` + the warehouse fingerprint.

    No lock (it works the same on every system): the value is deterministic, so two kernels
    building it at once compute the same thing, and each writes it atomically (a temporary
    file renamed into place), so a reader finds the whole file or none. Older entries of the
    same kind (written here, by this function) are removed.
    """
    fingerprint = getattr(warehouse, "fingerprint", None)
    if cache_dir is None or fingerprint is None:
        return build()  # type: ignore[no-any-return]
    from workbench.publish.atomic import write_bytes_atomic

    folder = Path(cache_dir)
    name = hashlib.sha256(repr((key, fingerprint(), _code_digest())).encode()).hexdigest()[:24]
    target = folder / f"{key[0]}-{name}.pickle"
    try:
        with open(target, "rb") as handle:
            return pickle.load(handle)  # type: ignore[no-any-return]
    except (FileNotFoundError, EOFError, pickle.UnpicklingError):
        pass
    value = build()
    folder.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(target, pickle.dumps(value))
    for stale in folder.glob(f"{key[0]}-*.pickle"):
        if stale != target:
            try:
                os.remove(stale)
            except OSError:  # gone already, or open in another process on Windows
                pass
    return value  # type: ignore[no-any-return]


class _AbsentWarehouse:
    """Stands for a warehouse without tables (families a page does not need)."""

    def has_table(self, name: str) -> bool:
        return False

    def table(self, name: str) -> ibis.Table:
        raise OpenDataError(f"no table {name!r}")
