"""Public outputs: everything the service shows the public, built from protected data only.

Two kinds of public output share this package, so they can never disagree:

* the **open-data folder** written by ``workbench export-open-data``
  (:func:`export_open_data`): CSV (and GeoJSON where there is geography) per dataset, each
  with a ``metadata.json``;
* the **public report pages** (annual race-based use of force, CSWB indicators and
  neighbourhood profiles), whose tables are slices of the very same :class:`PublicTable`\\ s.

Every count table is a family protected by :mod:`workbench.privacy` (small-cell and
complementary suppression, audited by the attacker before anything is shown); points are
geomasked with identifiers dropped. What writes a file or a page table accepts only those
protected values (see :mod:`workbench.public.release` and :mod:`workbench.public.html`).

==============  ==============================================================================
module          what it holds
==============  ==============================================================================
``options``     :class:`OpenDataOptions` (what is public), :class:`OpenDataError`
``tables``      :class:`PublicTable`: a protected family with its name and dictionary
``families``    the families read from the warehouse, and the geomasked points
``outputs``     :class:`PublicOutputs` of one day, built and audited once (cached)
``pages``       the public pages' figures and their tables
``html``        page tables rendered from ``present/templates/public/``
``files``       the open-data datasets and :func:`export_open_data`
``release``     writing a release: protected datasets only, into the command's own folder
``cli``         ``workbench export-open-data``
==============  ==============================================================================
"""

from __future__ import annotations

from workbench.privacy.linked import ALL
from workbench.public.families import (
    enforcement_public_tables,
    geomask_bounds,
    incident_points,
    incidents_public_table,
    indicator_public_tables,
    population_benchmark,
    use_of_force_public_tables,
)
from workbench.public.files import (
    DatasetFile,
    OpenDataExport,
    export_open_data,
    open_data_datasets,
)
from workbench.public.html import (
    SUPPRESSED_MARK,
    HtmlFragment,
    derived_table_html,
    public_table_html,
)
from workbench.public.options import (
    DEFAULT_OPTIONS,
    ID_COLUMNS,
    OpenDataError,
    OpenDataOptions,
)
from workbench.public.outputs import (
    PublicOutputs,
    build_public_outputs,
    published_force_type_counts,
    published_indicator_counts,
    published_stage_counts,
)
from workbench.public.pages import (
    AnnualUseOfForce,
    CswbOverview,
    annual_use_of_force,
    city_indicator_table_html,
    cswb_overview,
    cswb_profile,
    disparity_table_html,
    profile_table_html,
    stage_index_table_html,
)
from workbench.public.release import MARKER, PublicDataset, write_release
from workbench.public.tables import PublicTable

__all__ = [
    "ALL",
    "DEFAULT_OPTIONS",
    "ID_COLUMNS",
    "MARKER",
    "SUPPRESSED_MARK",
    "AnnualUseOfForce",
    "CswbOverview",
    "DatasetFile",
    "HtmlFragment",
    "OpenDataError",
    "OpenDataExport",
    "OpenDataOptions",
    "PublicDataset",
    "PublicOutputs",
    "PublicTable",
    "annual_use_of_force",
    "build_public_outputs",
    "city_indicator_table_html",
    "cswb_overview",
    "cswb_profile",
    "derived_table_html",
    "disparity_table_html",
    "enforcement_public_tables",
    "export_open_data",
    "geomask_bounds",
    "incident_points",
    "incidents_public_table",
    "indicator_public_tables",
    "open_data_datasets",
    "population_benchmark",
    "profile_table_html",
    "public_table_html",
    "published_force_type_counts",
    "published_indicator_counts",
    "published_stage_counts",
    "stage_index_table_html",
    "use_of_force_public_tables",
    "write_release",
]
