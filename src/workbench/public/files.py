"""The open-data folder: what each dataset holds, and :func:`export_open_data`.

``workbench export-open-data`` (:mod:`workbench.public.cli`) and the daily ``open_data_refresh``
job write it: CSV (and GeoJSON where there is geography) per dataset, each with a
``metadata.json`` (data dictionary, suppression and geomasking rules, refresh date), and an
``index.json`` listing every file with its SHA-256. Every table is a
:class:`~workbench.privacy.Protected` value: the suppressed families, the geomasked points,
and the indices and rates derived from the published counts only. The folder is written by
:func:`workbench.public.release.write_release`, which refuses a folder the command did not write.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from workbench.analysis import cswb
from workbench.analysis import use_of_force as uof
from workbench.privacy import Audience, Protected, derived
from workbench.privacy.linked import ALL
from workbench.public.families import geomask_bounds, incident_points
from workbench.public.html import missing
from workbench.public.options import DEFAULT_OPTIONS, OpenDataError, OpenDataOptions
from workbench.public.outputs import PublicOutputs, build_public_outputs
from workbench.public.release import PublicDataset, json_bytes, release_files, write_release
from workbench.public.tables import PublicTable

__all__ = ["DatasetFile", "OpenDataExport", "export_open_data", "open_data_datasets"]

T = TypeVar("T")


@dataclass(frozen=True)
class DatasetFile:
    """One dataset written: its name, files, rows and suppression."""

    name: str
    title: str
    files: tuple[str, ...]
    rows: int
    suppressed: int


@dataclass(frozen=True)
class OpenDataExport:
    """What :func:`export_open_data` wrote."""

    folder: Path
    as_of: dt.date
    generated_at: str
    datasets: tuple[DatasetFile, ...]

    def summary(self) -> pd.DataFrame:
        """One row per dataset: name, title, files, rows, suppressed entries."""
        return pd.DataFrame([{"dataset": d.name, "title": d.title, "files": ", ".join(d.files),
                              "rows": d.rows, "suppressed": d.suppressed} for d in self.datasets],
                            columns=["dataset", "title", "files", "rows", "suppressed"])

    def files_table(self) -> pd.DataFrame:
        """Every file written: relative path and size in bytes."""
        rows = [{"file": name, "bytes": (self.folder / name).stat().st_size}
                for dataset in self.datasets for name in dataset.files]
        rows.append({"file": "index.json", "bytes": (self.folder / "index.json").stat().st_size})
        return pd.DataFrame(rows, columns=["file", "bytes"])

    def read(self, dataset: str) -> pd.DataFrame:
        """The CSV of ``dataset`` as written (e.g. to chart what was published)."""
        for item in self.datasets:
            if item.name == dataset:
                return pd.read_csv(self.folder / f"{dataset}/{dataset}.csv", dtype={"year": "Int64"},
                                   keep_default_na=False, na_values=[""])
        raise OpenDataError(f"no dataset {dataset!r}; written: "
                            f"{', '.join(d.name for d in self.datasets)}")


def _suppression_rules(threshold: int) -> dict[str, Any]:
    return {
        "threshold": threshold,
        "rule": f"Counts from 1 to {threshold - 1} are suppressed (left empty, suppressed = true); "
                "other cells are suppressed as well (complementary suppression) so that no hidden "
                "count can be worked out from the totals in this file. Zeros are shown.",
        "margins": "Rows with 'all' in a column are totals over that column; they are part of the "
                   "protected table.",
        "protected_tables": "Each year is protected as its own table; no total over years is "
                            "published (a complete year's figures do not change between releases).",
        "method": "workbench.privacy.suppress_small_cells, checked by "
                  "workbench.privacy.audit_public_table (linear programming attack)",
        "identifiers": "No names, addresses, record ids, officer ids or subject numbers.",
    }


def _neighbourhood_features(neighbourhoods: pd.DataFrame,
                            properties: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    features = []
    for _, area in neighbourhoods.iterrows():
        boundary = area.get("boundary_geojson")
        if not isinstance(boundary, str) or not boundary:
            continue
        identifier = str(area["neighbourhood_id"])
        features.append({"type": "Feature", "geometry": json.loads(boundary),
                         "properties": {"neighbourhood_id": identifier,
                                        "name": area.get("name"),
                                        **properties.get(identifier, {})}})
    return {"type": "FeatureCollection", "features": features}


def _wide_properties(frame: pd.DataFrame, *, key_columns: Sequence[str],
                     value_column: str) -> dict[str, dict[str, Any]]:
    """neighbourhood → {"<k1>_<k2>": value} (None where suppressed)."""
    result: dict[str, dict[str, Any]] = {}
    for _, row in frame.iterrows():
        name = "_".join(str(row[c]) for c in key_columns)
        value = row[value_column]
        result.setdefault(str(row["neighbourhood_id"]), {})[name] = \
            None if missing(value) else (int(value) if isinstance(value, (int, np.integer))
                                          else float(value))
    return result


def _metadata(name: str, title: str, description: str, *, outputs: PublicOutputs,
              generated_at: str, period: Sequence[int], dictionary: Mapping[str, str],
              suppression: dict[str, Any] | None, geomasking: dict[str, Any] | None,
              notes: Sequence[str] = ()) -> dict[str, Any]:
    """A dataset's ``metadata.json`` (``rows`` and ``files`` are filled in when written)."""
    return {
        "name": name,
        "title": title,
        "description": description,
        "publisher": outputs.options.publisher,
        "licence": outputs.options.licence,
        "audience": Audience.PUBLIC.label,
        "refreshed": generated_at,
        "as_of": outputs.as_of.isoformat(),
        "period": {"first_year": period[0], "last_year": period[-1]} if period else None,
        "rows": None,
        "files": [],
        "data_dictionary": dict(dictionary),
        "suppression": suppression,
        "geomasking": geomasking,
        "notes": list(notes),
    }


def _index_frame(outputs: PublicOutputs) -> pd.DataFrame:
    """Disproportionality and disparity indices per year from the published counts."""
    stages = outputs.stage_counts()
    columns = ["year", "stage", "race_group", "benchmark", "share", "benchmark_share", "index",
               "lower", "upper", "flag", "significant", "caution"]
    if stages.empty or "population" not in set(stages["stage"]):
        return pd.DataFrame(columns=columns)
    parts = []
    for benchmark in ("population", "previous_stage"):
        result = uof.disproportionality_by_stage(stages, benchmark=benchmark)
        parts.append(result.assign(benchmark=result["benchmark_stage"]))
    force = outputs.force_type_counts()
    by_force = uof.disproportionality_by_force_type(force, stages, benchmark="use_of_force")
    by_force = by_force.assign(stage="type_of_force:" + by_force["force_type"].astype(str),
                               benchmark="use_of_force")
    frame = pd.concat([*parts, by_force.drop(columns="force_type")], ignore_index=True)
    frame = frame.loc[frame["race_group"].isin(uof.RACE_GROUPS)]
    return frame[columns].reset_index(drop=True)


def _from_published(outputs: PublicOutputs, compute: Callable[[], T]) -> Protected[T]:
    """A figure computed from the published families of ``outputs`` only (and the census and
    boundaries they carry), protected like them."""
    return derived(lambda *_: compute(), *(table.protected for table in outputs.tables()))


def _table_dataset(table: PublicTable, outputs: PublicOutputs, *, generated_at: str,
                   geo: Protected[dict[str, Any]] | None = None,
                   notes: Sequence[str] = ()) -> PublicDataset:
    years = [int(y) for y in table.levels("year")] if "year" in table.dimensions else []
    return PublicDataset(table.name, table.title, table.protected, geojson=geo, metadata=_metadata(
        table.name, table.title, table.description, outputs=outputs, generated_at=generated_at,
        period=years, dictionary=table.dictionary,
        suppression=_suppression_rules(table.threshold), geomasking=None, notes=notes))


def _incident_map(outputs: PublicOutputs) -> Protected[dict[str, Any]] | None:
    if not len(outputs.neighbourhoods) or not len(outputs.incidents.entries):
        return None

    def features(entries: pd.DataFrame) -> dict[str, Any]:
        located = entries.loc[entries["neighbourhood_id"] != ALL]
        return _neighbourhood_features(outputs.neighbourhoods, _wide_properties(
            located, key_columns=["offence_category", "year"], value_column="incidents"))

    return outputs.incidents.protected.derive(features)


def _rates_frame(outputs: PublicOutputs) -> pd.DataFrame:
    rates = outputs.indicator_rates()
    rate_columns = ["indicator", "year", "neighbourhood_id", "count", "population", "rate",
                    "rate_lower", "rate_upper", "city_rate", "ratio_to_city", "ratio_lower",
                    "ratio_upper", "compared_with_city"]
    rates = rates[[c for c in rate_columns if c in rates.columns]]
    meta_rows = pd.DataFrame([{"indicator": i.name, "label": i.label, "zone": i.zone,
                               "priorities": cswb.priority_labels(i.priorities)}
                              for i in cswb.INDICATORS.values()])
    rates = rates.merge(meta_rows, on="indicator", how="left")
    return rates.assign(suppressed=rates["count"].isna())


def _rates_map(rates: pd.DataFrame, outputs: PublicOutputs) -> dict[str, Any]:
    located = rates.loc[~rates["neighbourhood_id"].isin([cswb.CITY, cswb.UNLOCATED])]
    properties = _wide_properties(located.assign(kind="count"),
                                  key_columns=["indicator", "year", "kind"], value_column="count")
    for area, values in _wide_properties(located.assign(kind="rate"),
                                         key_columns=["indicator", "year", "kind"],
                                         value_column="rate").items():
        properties.setdefault(area, {}).update(values)
    return _neighbourhood_features(outputs.neighbourhoods, properties)


def _indices_dataset(outputs: PublicOutputs, *, generated_at: str) -> PublicDataset:
    name, title = "racial_disproportionality_indices", "Racial disproportionality indices (ARDS)"
    return PublicDataset(name, title, _from_published(outputs, lambda: _index_frame(outputs)),
                         metadata=_metadata(
        name, title,
        "Racial Disproportionality Index per year, stage and perceived race group with 95% "
        "confidence intervals, computed from the published counts only (missing where a count is "
        "suppressed).", outputs=outputs, generated_at=generated_at,
        period=outputs.use_of_force_years,
        dictionary={
            "year": "Calendar year", "stage": "enforcement_actions, use_of_force, or "
            "type_of_force:<force type>", "race_group": "Officer-perceived race (ARDS)",
            "benchmark": "population (census), previous stage, or use_of_force (all subjects)",
            "share": "Group's share of people at the stage (one perceived group only)",
            "benchmark_share": "Group's share of the benchmark",
            "index": "share / benchmark_share", "lower": "95% interval, lower",
            "upper": "95% interval, upper", "flag": "over (≥ 1.1), under (≤ 0.9) or within",
            "significant": "interval excludes 1", "caution": "count under 20: interpret with care"},
        suppression=None, geomasking=None,
        notes=["Derived from use_of_force_subjects_by_race and enforcement_actions_by_race; "
               "people perceived as more than one group or of unknown race are not in the shares."]))


def _indicators_dataset(outputs: PublicOutputs, *, generated_at: str) -> PublicDataset:
    name, title = "cswb_indicators", "Community safety and well-being indicators"
    rates = _from_published(outputs, lambda: _rates_frame(outputs))
    geo = (rates.derive(lambda frame: _rates_map(frame, outputs))
           if len(outputs.neighbourhoods) and len(rates.value) else None)
    return PublicDataset(name, title, rates, geojson=geo, metadata=_metadata(
        name, title,
        "CSWB indicators from police data per neighbourhood and year, with rates per 1,000 "
        "residents (exact Poisson intervals) and the comparison with the whole city. Each "
        "indicator is mapped to a CSWB zone and the plan priorities it informs.",
        outputs=outputs, generated_at=generated_at, period=outputs.indicator_years,
        dictionary={
            "indicator": "Indicator id", "label": "Indicator", "zone": "CSWB zone",
            "priorities": "Plan priorities the indicator informs", "year": "Calendar year",
            "neighbourhood_id": f"Neighbourhood; {cswb.CITY}: the whole city; "
                                f"{cswb.UNLOCATED}: no usable location",
            "count": "Events (empty when suppressed)", "population": "Residents",
            "rate": "Events per 1,000 residents", "rate_lower": "95% interval, lower",
            "rate_upper": "95% interval, upper", "city_rate": "City rate per 1,000",
            "ratio_to_city": "rate / city rate", "ratio_lower": "95% interval, lower",
            "ratio_upper": "95% interval, upper",
            "compared_with_city": "higher / lower when the interval excludes 1, else similar",
            "suppressed": "true when the count is hidden"},
        suppression=_suppression_rules(outputs.incidents.threshold), geomasking=None,
        notes=["Each indicator is its own protected table (year × neighbourhood with city and "
               "all-year totals); hate incidents, shootings and homicides are the same counts as "
               "in incidents_by_neighbourhood.",
               "Rates and ratios are computed from published counts only."]))


def _points_dataset(points: Protected[pd.DataFrame], outputs: PublicOutputs, *,
                    generated_at: str) -> PublicDataset:
    options = outputs.options
    name, title = "incident_points", "Property crime locations (geomasked)"
    low, high = geomask_bounds(options.geomask_cell_metres)
    frame = points.value
    years = sorted({int(y) for y in frame["year"]}) if len(frame) else []
    return PublicDataset(name, title, points, geojson=points.derive(_point_features),
                         metadata=_metadata(
        name, title,
        "One point per incident of a property category, moved off the address to a corner "
        "of a fixed grid.", outputs=outputs, generated_at=generated_at, period=years,
        dictionary={
            "occurred_date": "Date of occurrence (no time of day)",
            "year": "Year of occurrence", "month": "Month of occurrence",
            "offence_category": f"One of {', '.join(options.point_categories)}",
            "location_type": "Premises type", "division": "Police division",
            "neighbourhood_id": "Neighbourhood",
            "latitude": "Geomasked latitude (WGS84)",
            "longitude": "Geomasked longitude (WGS84)"},
        suppression=None,
        geomasking={
            "method": "workbench.privacy.geomask_points, grid with minimum displacement",
            "cell_metres": options.geomask_cell_metres,
            "minimum_displacement_metres": round(low, 1),
            "maximum_displacement_metres": round(high, 1),
            "rule": "Each point moves to the corner of its grid cell diagonally opposite the "
                    "quarter-cell it lies in: never the address, always within "
                    f"{round(high)} m.",
        },
        notes=["Incidents flagged domestic and incidents without a location are left out.",
               "No record id, time of day or address is published."]))


def _point_features(points: pd.DataFrame) -> dict[str, Any]:
    properties = points.drop(columns=["latitude", "longitude"]).astype(object)
    properties = properties.where(properties.notna(), None)
    features: list[dict[str, Any]] = [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [float(lon), float(lat)]},
         "properties": {key: (int(value) if isinstance(value, np.integer) else value)
                        for key, value in record.items()}}
        for record, lat, lon in zip(properties.to_dict("records"), points["latitude"],
                                    points["longitude"], strict=True)]
    return {"type": "FeatureCollection", "features": features}


def open_data_datasets(outputs: PublicOutputs, points: Protected[pd.DataFrame], *,
                       generated_at: str) -> list[PublicDataset]:
    """Every dataset of the open-data folder, in the order of its index."""
    return [
        _table_dataset(outputs.use_of_force, outputs, generated_at=generated_at, notes=[
            "Race data are never joined to officer data. People perceived as more than one "
            "group, or whose perceived race was not recorded, are in "
            "use_of_force_subjects_multiple_unknown (counted once, not split between groups); "
            "no total of the two tables is published."]),
        _table_dataset(outputs.use_of_force_other, outputs, generated_at=generated_at),
        _table_dataset(outputs.enforcement, outputs, generated_at=generated_at),
        _table_dataset(outputs.enforcement_other, outputs, generated_at=generated_at),
        _table_dataset(outputs.incidents, outputs, generated_at=generated_at,
                       geo=_incident_map(outputs), notes=[
            "Property categories are published as geomasked points instead (incident_points) "
            "and are not in this table; 'all' totals cover the categories listed here only."]),
        _indices_dataset(outputs, generated_at=generated_at),
        _indicators_dataset(outputs, generated_at=generated_at),
        _points_dataset(points, outputs, generated_at=generated_at),
    ]


def export_open_data(warehouse: Any, out: Path | str, *, as_of: dt.date | None = None,
                     options: OpenDataOptions = DEFAULT_OPTIONS,
                     threshold: int | None = None,
                     outputs: PublicOutputs | None = None,
                     cache_dir: Path | str | None = None) -> OpenDataExport:
    """Write the open-data folder ``out`` in one step (see :func:`write_release`).

    ``out`` gets one sub-folder per dataset (CSV, GeoJSON where there is geography,
    ``metadata.json``) and an ``index.json`` listing them with a SHA-256 per file. ``out`` must
    be new or a folder an earlier export wrote: any other folder is refused
    (:class:`OpenDataError`) and left untouched, and files in it that no export wrote are kept.
    Pass ``outputs`` (from :func:`build_public_outputs`) to reuse families already built.
    """
    built = outputs or build_public_outputs(warehouse, as_of=as_of, options=options,
                                            threshold=threshold, cache_dir=cache_dir)
    generated_at = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    points = incident_points(warehouse, as_of=built.as_of, options=built.options)
    datasets = open_data_datasets(built, points, generated_at=generated_at)
    files = release_files(datasets)
    written = []
    for dataset in datasets:
        rows = json.loads(files[dataset.files[-1]])["rows"]
        suppressed = dataset.frame()
        written.append(DatasetFile(dataset.name, dataset.title, dataset.files, rows,
                                   int(suppressed["suppressed"].sum())
                                   if "suppressed" in suppressed.columns else 0))
    files["index.json"] = json_bytes({
        "publisher": built.options.publisher,
        "refreshed": generated_at,
        "as_of": built.as_of.isoformat(),
        "datasets": [{"name": d.name, "title": d.title, "rows": d.rows,
                      "suppressed_entries": d.suppressed,
                      "files": {f: hashlib.sha256(files[f]).hexdigest() for f in d.files}}
                     for d in written],
    })
    try:
        folder = write_release(files, out)
    except OSError as exc:
        raise OpenDataError(f"cannot write the open-data folder {out}: {exc}") from exc
    return OpenDataExport(folder=folder, as_of=built.as_of, generated_at=generated_at,
                          datasets=tuple(written))
