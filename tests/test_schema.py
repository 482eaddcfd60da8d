from pathlib import Path

import ibis

from workbench import schema

ROOT = Path(__file__).resolve().parents[1]


def test_data_model_page_matches_the_schema_module():
    page = (ROOT / "docs" / "data-model.md").read_text()
    assert page.strip() == schema.to_markdown().strip(), (
        "docs/data-model.md is stale: regenerate with `python -m workbench.schema > docs/data-model.md`"
    )


def test_incidents_has_the_names_other_work_relies_on():
    required = {"incident_id", "occurred_at", "reported_at", "offence_category", "offence_code",
                "division", "neighbourhood_id", "latitude", "longitude", "source"}
    assert required <= set(schema.table("incidents").column_names)
    for category in ("homicide", "shooting", "assault", "break_and_enter", "robbery",
                     "auto_theft", "theft_over", "sexual_assault", "hate_crime"):
        assert category in schema.OFFENCE_CATEGORIES


def test_every_table_key_is_made_of_its_own_non_null_columns():
    for table in schema.TABLES.values():
        for column in table.key:
            assert not table.column(column).nullable, f"{table.name}.{column} is in the key"


def test_ibis_schema_marks_required_columns_not_null():
    ibis_schema = schema.table("incidents").ibis_schema()
    assert not ibis_schema["incident_id"].nullable
    assert ibis_schema["neighbourhood_id"].nullable
    assert ibis_schema["occurred_at"] == ibis.dtype("!timestamp")


def test_vocabularies_are_lower_snake_case():
    for value in [*schema.OFFENCE_CATEGORIES, *schema.ABSENCE_CODES, *schema.RACE_GROUPS]:
        assert value == value.lower() and " " not in value and "-" not in value


def test_no_person_identifier_columns_anywhere():
    forbidden = {"first_name", "last_name", "date_of_birth", "address", "phone", "email"}
    for table in schema.TABLES.values():
        columns = set(table.column_names)
        assert not forbidden & columns, table.name
        if table.person_level:  # a bare "name" on a person-level table would be a person's name
            assert "name" not in columns, table.name
