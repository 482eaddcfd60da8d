"""Toronto Police Service Annual Statistical Report: total public complaints (City of Toronto
open data, "Police Annual Statistical Report - Total Public Complaints"; ``_id, YEAR, TYPE,
SUBTYPE, COUNT_``: counts by year, how the complaint was handled and its type)::

    workbench ingest --adapter toronto-complaints ASR_Public_Complaints.csv

Into ``complaint_counts`` (published aggregates: no complaint or officer is identified):
``YEAR`` → ``year``; ``TYPE`` ``Investigated Complaints`` → ``investigated``, ``Not Investigated
Complaints`` → ``not_investigated``; ``SUBTYPE`` in lower snake case → ``complaint_type``, with
spacing and capitals normalised (the file spells ``Conduct - Less  Serious`` with two spaces in
some years and ``Better dealt in Other Law`` in lower case in others: one type each);
``COUNT_`` → ``complaints``.
"""

from __future__ import annotations

from workbench.ingest.adapters.sandiego import snake_case
from workbench.ingest.base import Adapter, Mapped, SourceRows, map_distinct
from workbench.ingest.registry import register

#: ``TYPE`` → canonical ``handling``.
HANDLING = {"investigated complaints": "investigated",
            "not investigated complaints": "not_investigated"}


class TorontoComplaintsAdapter(Adapter):
    """TPS public complaints by year, handling and type (Annual Statistical Report)."""

    source = "toronto_complaints"
    targets = ("complaint_counts",)
    missing_values = ("NA",)
    required_columns = ("YEAR", "TYPE", "SUBTYPE", "COUNT_")

    def map_rows(self, rows: SourceRows) -> Mapped:
        return {"complaint_counts": {
            "year": rows.integer("YEAR", minimum=1900, maximum=2100),
            "handling": rows.category("TYPE", HANDLING, what="TYPE"),
            "complaint_type": map_distinct(rows.text("SUBTYPE"), snake_case).rename("SUBTYPE"),
            "complaints": rows.integer("COUNT_", minimum=0),
        }}


register("toronto-complaints", TorontoComplaintsAdapter)
