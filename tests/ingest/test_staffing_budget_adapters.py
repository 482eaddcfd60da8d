"""The toronto-staffing and seattle-budget adapters on their real files (every figure checked
against the raw file read with the csv module), malformed variants, and the finance and
staffing views run on a warehouse holding both."""

from __future__ import annotations

import csv
import datetime as dt
import importlib
from pathlib import Path

import pytest

from workbench.analysis import finance
from workbench.errors import IngestError
from workbench.ingest import get_adapter, ingest_file

# Until the registry lists these modules among its built-ins, importing them registers them.
importlib.import_module("workbench.ingest.adapters.toronto_staffing")
importlib.import_module("workbench.ingest.adapters.seattle_budget")

from workbench.ingest.adapters.seattle_budget import cost_centre_of  # noqa: E402

TORONTO = "toronto_police_staffing_by_command/ASR_Personnel_by_Command.csv"
SEATTLE = "seattle_pd_budget_fte_2020/spd_budget_by_function.csv"
TORONTO_HEADER = "X_id,Year,Type_of_Metric,Command,Category,Count_\n"


def _rows(path: Path, encoding: str = "utf-8") -> list[dict[str, str]]:
    with path.open(encoding=encoding, newline="") as handle:
        return list(csv.DictReader(handle))


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def test_both_adapters_are_registered_by_name() -> None:
    assert get_adapter("toronto-staffing").source == "toronto_staffing"
    assert get_adapter("seattle-budget").targets == ("finance", "staffing")


# ------------------------------------------------------------------------------ Toronto


@pytest.mark.realdata
def test_toronto_staffing_pairs_approved_and_actual(real_data: Path, empty_warehouse) -> None:
    path = real_data / TORONTO
    raw = _rows(path)
    assert len(raw) == 181  # PROVENANCE.md
    expected: dict[tuple[int, str, str], dict[str, float]] = {}
    for row in raw:
        key = (int(row["Year"]), row["Command"],
               {"UNIFORM": "sworn", "CIVILIAN": "civilian"}[row["Category"]])
        metric = "approved" if row["Type_of_Metric"] == "Approved Staffing" else "actual"
        expected.setdefault(key, {})[metric] = float(row["Count_"])

    result = ingest_file(empty_warehouse, "toronto-staffing", path)
    assert result.accounted_for and result.quarantined == 0
    assert result.rows_read == result.loaded == len(expected) == 91
    loaded = empty_warehouse.table("staffing").to_pandas()
    assert set(loaded["source"]) == {"toronto_staffing"}
    assert set(loaded["category"]) == {"sworn", "civilian"}
    for row in loaded.itertuples():
        figures = expected[(row.year, row.command, row.category)]
        assert row.approved == pytest.approx(figures.get("approved", float("nan")), nan_ok=True)
        assert row.actual == pytest.approx(figures.get("actual", float("nan")), nan_ok=True)
    # PROVENANCE.md: fractional FTE such as the Services Board's 7.5 survive
    board = loaded[(loaded["command"] == "Toronto Police Services Board") & (loaded["year"] == 2019)]
    assert board["approved"].tolist() == [7.5]
    # a command with an actual count but no approved one keeps approved NULL
    assert loaded["approved"].isna().sum() == 1

    again = ingest_file(empty_warehouse, "toronto-staffing", path)
    assert again.loaded == 0 and again.duplicates == 91


def test_toronto_staffing_quarantines_repeated_and_unknown_metrics(tmp_path: Path,
                                                                   empty_warehouse) -> None:
    path = tmp_path / "staffing.csv"
    path.write_text(TORONTO_HEADER
                    + "1,2019,Approved Staffing,Chief of Police,UNIFORM,30\n"
                    + "2,2019,Actual Staffing,Chief of Police,UNIFORM,28\n"
                    + "3,2019,Approved Staffing,Chief of Police,UNIFORM,31\n"
                    + "4,2019,Budgeted Staffing,Chief of Police,CIVILIAN,5\n"
                    + "5,2019,Actual Staffing,Chief of Police,AUXILIARY,2\n"
                    + "6,2019,Actual Staffing,Parking Enforcement Unit,CIVILIAN,395\n")
    result = ingest_file(empty_warehouse, "toronto-staffing", path)
    assert result.loaded == 1 and result.quarantined == 3 and result.accounted_for
    quarantine = empty_warehouse.table("quarantine").to_pandas().sort_values("line_number")
    reasons = dict(zip(quarantine["line_number"], quarantine["reason"], strict=True))
    assert "lines 2, 4" in reasons[2]
    assert "Budgeted Staffing" in reasons[5]
    assert "AUXILIARY" in reasons[6]


def test_toronto_staffing_names_a_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "staffing.csv"
    path.write_text("Year,Command,Category,Count_\n2019,Chief of Police,UNIFORM,30\n")
    with pytest.raises(IngestError, match="Type_of_Metric"):
        ingest_file(None, "toronto-staffing", path)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------ Seattle


@pytest.mark.realdata
def test_seattle_budget_spreads_each_function_over_twelve_months(real_data: Path,
                                                                 empty_warehouse) -> None:
    path = real_data / SEATTLE
    raw = [{key.strip(): value for key, value in row.items() if key and key.strip()}
           for row in _rows(path, encoding="utf-8-sig")]
    assert len(raw) == 53  # PROVENANCE.md
    annual = sum(float(row["Budget"]) for row in raw)
    sworn = sum(_number(row["Sworn FTE"]) or 0 for row in raw)
    civilian = sum(_number(row["Civilian FTE"]) or 0 for row in raw)
    with_fte = [row for row in raw if _number(row["Sworn FTE"]) is not None]

    result = ingest_file(empty_warehouse, "seattle-budget", path)
    assert result.quarantined == 0 and result.accounted_for
    assert result.rows_read == result.loaded == 53 * 12
    assert result.by_table["staffing"].loaded == 2 * len(with_fte)

    ledger = empty_warehouse.table("finance").to_pandas()
    assert ledger["budget"].sum() == pytest.approx(annual)
    assert ledger["actual"].isna().all() and set(ledger["account"]) == {"total"}
    months = ledger.groupby("cost_centre")["month"].agg(["nunique", "min", "max"])
    assert (months["nunique"] == 12).all() and len(months) == 53
    assert months["min"].astype(str).eq("2020-01-01").all()
    emergency = ledger[ledger["cost_centre"] == cost_centre_of("Emergency (911) Response Services")]
    assert emergency["budget"].sum() == pytest.approx(120_329_345)
    assert emergency["cost_centre_name"].iloc[0] == \
        "Emergency (911) Response Services (Patrol Operations)"

    staffing = empty_warehouse.table("staffing").to_pandas()
    by_category = staffing.groupby("category")["approved"].sum()
    assert by_category["sworn"] == sworn == 1497 and by_category["civilian"] == civilian == 590
    assert staffing["actual"].isna().all() and set(staffing["year"]) == {2020}

    again = ingest_file(empty_warehouse, "seattle-budget", path)
    assert again.loaded == 0 and again.by_table["staffing"].loaded == 0


def test_seattle_budget_rejects_a_bad_budget_with_its_line(tmp_path: Path,
                                                           empty_warehouse) -> None:
    path = tmp_path / "budget.csv"
    path.write_text("\ufeffBureau,Function Name,Function Description ,Budget,Function Type,"
                    "Civilian FTE,Sworn FTE,Labor Representation,,\n"
                    "Patrol,Night Watch,Walks,1200,Sworn,0,2,X,,\n"
                    "Patrol,Day Watch,\"Walks,\nby day\",lots,Sworn,0,3,X,,\n",
                    encoding="utf-8")
    result = ingest_file(empty_warehouse, "seattle-budget", path)
    assert result.loaded == 12 and result.quarantined == 12
    quarantine = empty_warehouse.table("quarantine").to_pandas()
    assert set(quarantine["line_number"]) == {3}
    assert quarantine["reason"].str.contains("lots").all()
    staffing = empty_warehouse.table("staffing").to_pandas()
    assert staffing["command"].tolist() == ["Night Watch", "Night Watch"]


# ------------------------------------------------------------------------------ the views


@pytest.mark.realdata
def test_finance_and_staffing_views_run_on_the_real_files(real_data: Path,
                                                          empty_warehouse) -> None:
    ingest_file(empty_warehouse, "toronto-staffing", real_data / TORONTO)
    ingest_file(empty_warehouse, "seattle-budget", real_data / SEATTLE)
    ledger = empty_warehouse.table("finance")
    staffing = empty_warehouse.table("staffing")

    monthly = finance.budget_vs_actual(ledger, by=())
    assert len(monthly) == 12 and not monthly["closed"].any()
    projection = finance.year_end_projection(ledger, as_of=dt.date(2020, 6, 30), by=()).iloc[0]
    assert projection["basis"] == "budget"
    assert projection["projection"] == pytest.approx(monthly["budget"].sum())
    by_function = finance.year_end_projection(ledger, as_of=dt.date(2020, 6, 30))
    assert len(by_function) == 53

    strength = finance.staffing_strength(staffing, by=("source", "category"))
    toronto = strength[(strength["source"] == "toronto_staffing") & (strength["year"] == 2019)]
    assert toronto["vacancies"].notna().all()
    assert toronto.set_index("category").loc["sworn", "vacancy_rate"] == pytest.approx(
        (toronto.set_index("category").loc["sworn", "approved"]
         - toronto.set_index("category").loc["sworn", "actual"])
        / toronto.set_index("category").loc["sworn", "approved"])
    seattle = strength[strength["source"] == "seattle_budget"].set_index("category")
    assert seattle.loc["sworn", "approved"] == 1497 and seattle["actual"].isna().all()
    assert sorted(strength["year"].unique()) == [2016, 2017, 2018, 2019, 2020]
