"""Open data: the folder written, its metadata, privacy of every file, the command, and the
folder safety of the command (it writes only into its own folder and deletes nothing else)."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linear_sum_assignment

from workbench import geometry, public, schema
from workbench.cli import main
from workbench.privacy import audit_public_table, suppress_small_cells
from workbench.warehouse import Warehouse

AS_OF = dt.date(2025, 3, 1)
THRESHOLD = 10
AREAS = ("N1", "N2", "N3")
CENTRES = {"N1": (45.40, -75.70), "N2": (45.42, -75.66), "N3": (45.37, -75.74)}


def _square(lat: float, lon: float) -> str:
    d = 0.02
    ring = [[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d],
            [lon - d, lat - d]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def _frame(table: str, rows: dict[str, object], size: int) -> pd.DataFrame:
    frame = pd.DataFrame({c: [None] * size for c in schema.table(table).column_names})
    for column, values in rows.items():
        frame[column] = values
    return frame


def _timestamps(rng: np.random.Generator, size: int) -> pd.Series:
    start = pd.Timestamp("2022-01-01")
    seconds = rng.integers(0, int((pd.Timestamp("2025-02-28") - start).total_seconds()), size)
    return start + pd.to_timedelta(seconds, unit="s")


def build_town(path: Path, seed: int = 3) -> str:
    """A small city, 2022 to February 2025: three neighbourhoods, incidents with coordinates,
    calls, use of force with subjects, enforcement actions, census benchmarks."""
    rng = np.random.default_rng(seed)
    url = f"duckdb://{path}"
    n = 900
    areas = rng.choice(AREAS, n, p=[0.6, 0.3, 0.1])
    lat = np.array([CENTRES[a][0] for a in areas]) + rng.normal(0, 0.006, n)
    lon = np.array([CENTRES[a][1] for a in areas]) + rng.normal(0, 0.006, n)
    categories = rng.choice(["theft_under", "break_and_enter", "assault", "hate_crime",
                             "mischief", "shooting", "robbery"], n,
                            p=[0.35, 0.15, 0.25, 0.03, 0.12, 0.03, 0.07])
    incidents = _frame("incidents", {
        "incident_id": [f"INC-{i:05d}" for i in range(n)], "source": "test",
        "occurred_at": _timestamps(rng, n), "offence_category": categories,
        "neighbourhood_id": areas, "division": "D1", "latitude": lat, "longitude": lon,
        "location_type": "residence", "domestic": rng.random(n) < 0.1,
        "clearance": rng.choice(["open", "charged", "youth_diversion"], n, p=[0.6, 0.3, 0.1]),
    }, n)
    m = 2500
    calls = _frame("calls_for_service", {
        "call_id": [f"CALL-{i:05d}" for i in range(m)], "source": "test",
        "received_at": _timestamps(rng, m),
        "call_type": rng.choice(["mental_health", "wellness_check", "noise", "overdose",
                                 "traffic"], m),
        "neighbourhood_id": rng.choice(AREAS, m),
        "location_key": [f"LOC-{i}" for i in rng.integers(0, 60, m)],
        "officer_id": [f"OFC-{i:03d}" for i in rng.integers(0, 40, m)],
        "disposition": rng.choice(["advised", "mha_apprehension"], m, p=[0.9, 0.1]),
    }, m)
    r = 300
    report_ids = [f"UOF-{i:04d}" for i in range(r)]
    reports = _frame("use_of_force", {
        "report_id": report_ids, "source": "test", "occurred_at": _timestamps(rng, r),
        "subject_count": 1, "neighbourhood_id": rng.choice(AREAS, r),
        "officer_id": [f"OFC-{i:03d}" for i in rng.integers(0, 40, r)], "unit_id": "UNIT-1",
    }, r)
    races = rng.choice(["black", "white", "south_asian", "indigenous", "multiple", None], r,
                       p=[0.3, 0.45, 0.1, 0.05, 0.05, 0.05])
    subjects = _frame("use_of_force_subjects", {
        "report_id": report_ids, "source": "test", "subject_number": 1,
        "perceived_race": races,
        "race_groups": ["black | white" if race == "multiple" else None for race in races],
        "force_type": rng.choice(["physical", "conducted_energy_weapon", "firearm_pointed"], r),
    }, r)
    a = 3000
    actions = _frame("enforcement_actions", {
        "action_id": [f"ACT-{i:05d}" for i in range(a)], "source": "test",
        "occurred_at": _timestamps(rng, a),
        "perceived_race": rng.choice(["black", "white", "south_asian", "indigenous", "multiple"],
                                     a, p=[0.2, 0.6, 0.12, 0.05, 0.03]),
        "action_type": rng.choice(["arrest", "ticket"], a),
    }, a)
    neighbourhoods = _frame("neighbourhoods", {
        "neighbourhood_id": list(AREAS), "name": ["North", "East", "West"], "division": "D1",
        "boundary_geojson": [_square(*CENTRES[a]) for a in AREAS], "source": "test"}, 3)
    population = _frame("population", {"neighbourhood_id": list(AREAS), "year": 2021,
                                       "population": [6000, 3000, 1000], "source": "test"}, 3)
    by_race = pd.DataFrame([
        {"neighbourhood_id": area, "year": 2021, "race_group": group, "population": size,
         "source": "test"}
        for area in AREAS
        for group, size in {"black": 300, "white": 2000, "south_asian": 400,
                            "indigenous": 100}.items()])
    with Warehouse.open(url) as warehouse:
        warehouse.ensure_tables()
        for name, frame in [("incidents", incidents), ("calls_for_service", calls),
                            ("use_of_force", reports), ("use_of_force_subjects", subjects),
                            ("enforcement_actions", actions), ("neighbourhoods", neighbourhoods),
                            ("population", population), ("population_by_race", by_race)]:
            warehouse.append(name, frame)
    return url


@pytest.fixture(scope="module")
def town_url(tmp_path_factory) -> str:
    return build_town(tmp_path_factory.mktemp("town") / "warehouse.duckdb")


@pytest.fixture(scope="module")
def exported(town_url, tmp_path_factory):
    out = tmp_path_factory.mktemp("open") / "open-data"
    with Warehouse.open(town_url, read_only=True) as warehouse:
        result = public.export_open_data(warehouse, out, as_of=AS_OF, threshold=THRESHOLD)
    return result


def _read(folder: Path, dataset: str) -> pd.DataFrame:
    return pd.read_csv(folder / dataset / f"{dataset}.csv", dtype=str, keep_default_na=False)


def _audit_long_csv(frame: pd.DataFrame, dimensions: list[str], count: str) -> list:
    """Audit a long table (``all`` in margins) as published, one protected table per year."""
    exposures = []
    for _, rows in frame.groupby("year"):
        values = pd.to_numeric(rows[count], errors="coerce")
        is_all = rows[dimensions].eq("all")
        cells = rows.loc[~is_all.any(axis=1), dimensions].assign(**{count: values})
        margins = {}
        for flags, group in rows.loc[is_all.any(axis=1)].groupby(
                [is_all[d] for d in dimensions]):
            kept = tuple(d for d, summed in zip(dimensions, flags, strict=True) if not summed)
            margins[kept] = group[list(kept)].assign(**{count: values.loc[group.index]})
        exposures += audit_public_table(cells, margins, dimensions=dimensions, count=count,
                                        threshold=THRESHOLD, method="lp")
    return exposures


COUNT_TABLES = {
    "use_of_force_subjects_by_race": (["race_group", "force_type"], "subjects"),
    "use_of_force_subjects_multiple_unknown": (["race_group"], "subjects"),
    "enforcement_actions_by_race": (["race_group", "action_type"], "people"),
    "enforcement_actions_multiple_unknown": (["race_group"], "people"),
    "incidents_by_neighbourhood": (["neighbourhood_id", "offence_category"], "incidents"),
}


def test_every_dataset_has_its_files_metadata_and_checksums(exported):
    folder = exported.folder
    index = json.loads((folder / "index.json").read_text())
    names = {d["name"] for d in index["datasets"]}
    assert names == {*COUNT_TABLES, "racial_disproportionality_indices", "cswb_indicators",
                     "incident_points"}
    assert index["as_of"] == AS_OF.isoformat()
    for dataset in index["datasets"]:
        for name, digest in dataset["files"].items():
            assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
        metadata = json.loads((folder / dataset["name"] / "metadata.json").read_text())
        columns = list(_read(folder, dataset["name"]).columns)
        assert set(columns) <= set(metadata["data_dictionary"]), dataset["name"]
        assert metadata["refreshed"] == index["refreshed"] and metadata["audience"] == "public"
        assert metadata["rows"] == dataset["rows"]
        if dataset["name"] in COUNT_TABLES:
            assert metadata["suppression"]["threshold"] == THRESHOLD
            assert metadata["period"] == {"first_year": 2022, "last_year": 2024}
    # GeoJSON where there is geography
    incidents_geo = json.loads((folder / "incidents_by_neighbourhood" /
                                "incidents_by_neighbourhood.geojson").read_text())
    assert {f["properties"]["neighbourhood_id"] for f in incidents_geo["features"]} == set(AREAS)
    points_meta = json.loads((folder / "incident_points" / "metadata.json").read_text())
    assert points_meta["geomasking"]["minimum_displacement_metres"] == \
        pytest.approx(250 / math.sqrt(2), abs=0.1)


def test_no_published_count_is_small_or_recoverable(exported):
    for dataset, (dimensions, count) in COUNT_TABLES.items():
        frame = _read(exported.folder, dataset)
        assert "all" not in set(frame["year"])  # no totals over years: each year stands alone
        shown = pd.to_numeric(frame[count], errors="coerce").dropna()
        assert not ((shown > 0) & (shown < THRESHOLD)).any(), dataset
        assert (frame[count] == "").sum() == (frame["suppressed"] == "True").sum()
        assert _audit_long_csv(frame, dimensions, count) == [], dataset
    assert (_read(exported.folder, "incidents_by_neighbourhood")["suppressed"] == "True").any()


def test_indices_and_rates_appear_only_beside_published_counts(exported):
    cswb_rows = _read(exported.folder, "cswb_indicators")
    hidden = cswb_rows["count"] == ""
    assert (cswb_rows.loc[hidden, ["rate", "rate_lower", "ratio_to_city"]] == "").all().all()
    for (indicator, year), rows in cswb_rows.groupby(["indicator", "year"]):
        counts = pd.to_numeric(rows["count"], errors="coerce")
        assert not ((counts > 0) & (counts < THRESHOLD)).any(), (indicator, year)
        cells = rows.loc[rows["neighbourhood_id"] != "city", ["neighbourhood_id"]].assign(
            count=counts[rows["neighbourhood_id"] != "city"])
        total = counts[rows["neighbourhood_id"] == "city"]
        if total.isna().all():
            continue  # no published equation: nothing hidden can be recovered
        margins = {(): pd.DataFrame({"count": total.to_numpy()})}
        assert audit_public_table(cells, margins, dimensions=["neighbourhood_id"],
                                  threshold=THRESHOLD, method="lp") == [], (indicator, year)
    indices = _read(exported.folder, "racial_disproportionality_indices")
    subjects = _read(exported.folder, "use_of_force_subjects_by_race")
    hidden_groups = subjects.loc[(subjects["force_type"] == "all")
                                 & (subjects["subjects"] == ""), ["year", "race_group"]]
    for row in hidden_groups.itertuples():
        shown = indices.loc[(indices["year"] == row.year) & (indices["race_group"] == row.race_group)
                            & (indices["stage"] == "use_of_force"), "index"]
        assert (shown == "").all()


def test_points_are_moved_within_the_promised_distances(exported, town_url):
    points = _read(exported.folder, "incident_points")
    assert len(points) > 100
    low, high = public.geomask_bounds(250.0)
    with Warehouse.open(town_url, read_only=True) as warehouse:
        truth = warehouse.con.raw_sql(
            "SELECT CAST(occurred_at AS DATE)::VARCHAR AS day, offence_category, latitude, "
            "longitude FROM incidents WHERE offence_category IN "
            "('break_and_enter', 'auto_theft', 'theft_over', 'theft_under', 'mischief') "
            "AND NOT coalesce(domestic, false) AND occurred_at < '2025-01-01'").df()
    assert len(truth) == len(points)
    published = points.astype({"latitude": float, "longitude": float})
    for key, group in published.groupby(["occurred_date", "offence_category"]):
        true = truth.loc[(truth["day"] == key[0]) & (truth["offence_category"] == key[1])]
        assert len(true) == len(group), key
        distance = geometry.haversine_metres(
            group["latitude"].to_numpy()[:, None], group["longitude"].to_numpy()[:, None],
            true["latitude"].to_numpy()[None, :], true["longitude"].to_numpy()[None, :])
        allowed = (distance >= low * 0.999) & (distance <= high * 1.001)
        rows, columns = linear_sum_assignment(~allowed)
        assert allowed[rows, columns].all(), key  # every point pairs with its own true place
        assert (distance >= low * 0.999).all() or len(true) > 1


def test_no_identifier_reaches_a_public_file(exported, town_url):
    with Warehouse.open(town_url, read_only=True) as warehouse:
        secrets = set()
        for sql in ("SELECT officer_id FROM use_of_force", "SELECT report_id FROM use_of_force",
                    "SELECT incident_id FROM incidents", "SELECT call_id FROM calls_for_service",
                    "SELECT action_id FROM enforcement_actions",
                    "SELECT location_key FROM calls_for_service",
                    "SELECT unit_id FROM use_of_force"):
            secrets |= {row[0] for row in warehouse.con.raw_sql(sql).fetchall() if row[0]}
    token = re.compile(r"[A-Za-z0-9_-]+")
    for path in exported.folder.rglob("*"):
        if path.is_file():
            found = set(token.findall(path.read_text())) & secrets
            assert not found, (path.name, sorted(found)[:5])
            if path.suffix == ".csv":
                header = path.read_text().splitlines()[0].split(",")
                assert not {"subject_number", "officer_id", "report_id"} & set(header)


def test_the_folder_is_replaced_whole_or_not_at_all(town_url, tmp_path, monkeypatch):
    out = tmp_path / "open-data"  # a folder the command creates (issue 12: never someone's)
    with Warehouse.open(town_url, read_only=True) as warehouse:
        outputs = public.build_public_outputs(warehouse, as_of=AS_OF, threshold=THRESHOLD)
        public.export_open_data(warehouse, out, outputs=outputs)
        assert (out / "index.json").exists()
        before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
        written = []
        original = Path.write_bytes

        def failing_disk(self: Path, data: bytes) -> int:  # a disk that fills up mid-write
            written.append(self)
            if len(written) == 5:
                raise OSError(28, "No space left on device")
            return original(self, data)

        monkeypatch.setattr(Path, "write_bytes", failing_disk)
        with pytest.raises(public.OpenDataError, match="No space left"):
            public.export_open_data(warehouse, out, outputs=outputs)
    monkeypatch.undo()
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before  # the previous release is untouched
    assert [p.name for p in tmp_path.iterdir()] == ["open-data"]  # no half-written folder left


def test_command_writes_the_folder_and_prints_a_summary(town_url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("WORKBENCH_SMALL_CELL_THRESHOLD", str(THRESHOLD))
    out = tmp_path / "od"
    code = main(["export-open-data", "--out", str(out), "--warehouse", town_url,
                 "--as-of", AS_OF.isoformat()])
    printed = capsys.readouterr().out
    assert code == 0
    assert "incidents_by_neighbourhood" in printed and str(out.resolve()) in printed
    assert json.loads((out / "index.json").read_text())["as_of"] == AS_OF.isoformat()


def test_options_that_would_link_tables_are_refused():
    from workbench.analysis.cswb import IndicatorOptions

    with pytest.raises(public.OpenDataError, match="non_police_call_types"):
        public.OpenDataOptions(indicators=IndicatorOptions(
            non_police_call_types=("mental_health", "wellness_check")))
    with pytest.raises(public.OpenDataError, match="exactly one"):
        public.OpenDataOptions(indicators=IndicatorOptions(
            hate_categories=("hate_crime", "mischief")))
    with pytest.raises(public.OpenDataError, match="also published as points"):
        public.OpenDataOptions(point_categories=("shooting",))


def test_denominators_stay_shown_and_the_table_stays_safe():
    """A table where plain suppression hides the grand total (it sits on both lines holding
    one small margin): the total an index divides by is shown again, safely."""
    grid = {"white": (31, 28, 0), "black": (8, 5, 1), "south_asian": (8, 3, 3),
            "indigenous": (1, 2, 0)}
    counts = {(group, force): n for group, row in grid.items()
              for force, n in zip(("physical", "taser", "firearm"), row, strict=True)}
    plain = suppress_small_cells(
        pd.DataFrame([{"race_group": g, "force_type": f, "subjects": n}
                      for (g, f), n in counts.items()]),
        dimensions=["race_group", "force_type"], count="subjects", threshold=THRESHOLD)
    assert plain.grand_total is None  # what the suppression alone does with this table
    frame = pd.DataFrame([{"year": "2024", "race_group": g, "force_type": f, "subjects": n}
                          for (g, f), n in counts.items()])
    table = public.PublicTable.from_counts(
        frame, name="t", title="t", description="t",
        dimensions=("year", "race_group", "force_type"), count="subjects", threshold=THRESHOLD,
        keep_shown=({"race_group": "all", "force_type": "all"},))
    assert table.value(year=2024, race_group="all", force_type="all") == sum(counts.values())
    assert table.value(year=2024, race_group="indigenous", force_type="all") is None
    assert table.audit(method="lp") == []
    shown = table.entries[table.count].dropna()
    assert not ((shown > 0) & (shown < THRESHOLD)).any()


def test_page_tables_carry_the_key_of_every_count(exported, town_url):
    with Warehouse.open(town_url, read_only=True) as warehouse:
        outputs = public.build_public_outputs(warehouse, as_of=AS_OF, threshold=THRESHOLD,
                                                community=False)
    page = outputs.use_of_force.html(rows="race_group", columns="force_type",
                                     where={"year": 2024})
    cells = re.findall(r"<td data-wb-key='([^']*)'>([^<]*)</td>", page)
    assert len(cells) == (len(outputs.use_of_force.levels("race_group")) + 1) * \
        (len(outputs.use_of_force.levels("force_type")) + 1)
    published = _read(exported.folder, "use_of_force_subjects_by_race")
    for key_text, shown in cells:
        key = json.loads(html.unescape(key_text))
        row = published.loc[(published["year"] == key["year"])
                            & (published["race_group"] == key["race_group"])
                            & (published["force_type"] == key["force_type"])]
        expected = row["subjects"].iloc[0] if len(row) else "0"
        assert shown.replace(",", "") == (expected or public.SUPPRESSED_MARK)


# ------------------------------------------------------------------ nothing destroyed (issue 12)


def _export_command(town_url: str, out: Path) -> int:
    return main(["export-open-data", "--out", str(out), "--warehouse", town_url,
                 "--as-of", AS_OF.isoformat()])


def test_the_command_refuses_a_folder_it_did_not_create(town_url, tmp_path, monkeypatch, capsys):
    """``--out`` naming someone's folder: nothing in it is deleted or overwritten."""
    monkeypatch.setenv("WORKBENCH_SMALL_CELL_THRESHOLD", str(THRESHOLD))
    out = tmp_path / "documents"
    out.mkdir()
    (out / "notes.txt").write_text("my notes\n")
    (out / "index.json").write_text('{"mine": true}\n')
    code = _export_command(town_url, out)
    message = capsys.readouterr().err
    assert code == 2
    assert "was not written by workbench export-open-data" in message and str(out) in message
    assert sorted(p.name for p in out.iterdir()) == ["index.json", "notes.txt"]
    assert (out / "notes.txt").read_text() == "my notes\n"
    assert (out / "index.json").read_text() == '{"mine": true}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["documents"]  # no staging folder left


def test_a_release_folder_keeps_what_the_command_did_not_write(town_url, tmp_path, monkeypatch):
    """The command writes again into a folder it made, and keeps a file someone added there."""
    monkeypatch.setenv("WORKBENCH_SMALL_CELL_THRESHOLD", str(THRESHOLD))
    out = tmp_path / "od"
    assert _export_command(town_url, out) == 0
    first = json.loads((out / "index.json").read_text())
    (out / "notes.txt").write_text("added by a person\n")
    (out / "drafts").mkdir()
    (out / "drafts" / "plan.md").write_text("draft\n")
    assert _export_command(town_url, out) == 0
    assert (out / "notes.txt").read_text() == "added by a person\n"
    assert (out / "drafts" / "plan.md").read_text() == "draft\n"
    second = json.loads((out / "index.json").read_text())
    assert [d["name"] for d in second["datasets"]] == [d["name"] for d in first["datasets"]]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["od"]


@pytest.mark.slow
def test_the_open_data_job_cannot_wipe_a_folder(town_url, tmp_path, monkeypatch):
    """The same through the scheduled ``open_data_refresh`` job: its ``out`` names a folder
    holding someone's notes; the job fails and the notes are intact."""
    site = tmp_path / "site"
    victim = site / "shared-drive"
    victim.mkdir(parents=True)
    (victim / "notes.txt").write_text("my notes\n")
    params = tmp_path / "params"
    params.mkdir()
    (params / "open_data_refresh.yaml").write_text(
        "report: open_data_refresh\ntitle: Open data refresh\naudience: public\n"
        f"schedule: '0 5 * * *'\nparameters:\n  out: {json.dumps(str(victim))}\n"
        f"  as_of: '{AS_OF.isoformat()}'\n")
    monkeypatch.setenv("WORKBENCH_WAREHOUSE", town_url)
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("WORKBENCH_SITE_DIR", str(site))
    monkeypatch.setenv("WORKBENCH_TODAY", AS_OF.isoformat())
    monkeypatch.setenv("WORKBENCH_SMALL_CELL_THRESHOLD", str(THRESHOLD))
    code = main(["render", "--params", str(params), "--all", "--force"])
    assert code != 0
    assert sorted(p.name for p in victim.iterdir()) == ["notes.txt"]
    assert (victim / "notes.txt").read_text() == "my notes\n"
