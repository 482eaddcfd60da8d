"""Public tables: a protected family of counts with its name, title and data dictionary."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import pandas as pd

from workbench.privacy import (
    Audience,
    Exposure,
    Protected,
    audit_counts,
    protect_counts,
    require_protected,
)
from workbench.privacy.linked import ALL
from workbench.public.options import OpenDataError

if TYPE_CHECKING:
    from workbench.public.html import HtmlFragment

__all__ = ["ALL", "PublicTable"]


@dataclass(frozen=True)
class PublicTable:
    """A family of counts made safe to publish, in long form.

    ``entries`` has one row per published entry: the dimension columns (text; :data:`ALL` in a
    margin's summed-over dimensions), the count (``Int64``, ``<NA>`` where suppressed) and a
    boolean ``suppressed``. Cells and every margin of the suppressed table are there, so any
    slice of it is safe to show next to any other. They are held as a
    :class:`~workbench.privacy.Protected` frame: a table cannot be made of counts that did not
    pass :func:`workbench.privacy.protect_counts` (the constructor refuses anything else).

    ``split_by`` (``"year"`` for every family here) names a dimension suppressed level by level:
    each year is its own protected table and no total over years is published. A complete
    year's table then never changes from one release to the next (its data do not), so
    releases cannot be differenced, and each protected table stays small enough for the full
    integer check of :func:`workbench.privacy.suppress_small_cells`.
    """

    name: str
    title: str
    description: str
    dimensions: tuple[str, ...]
    count: str
    threshold: int
    protected: Protected[pd.DataFrame]
    dictionary: Mapping[str, str] = field(default_factory=dict)
    split_by: str | None = "year"

    def __post_init__(self) -> None:
        require_protected(self.protected, audience=Audience.PUBLIC,
                          what=f"the counts of public table {self.name!r}")

    @classmethod
    def from_counts(cls, frame: pd.DataFrame, *, name: str, title: str, description: str,
                    dimensions: Sequence[str], count: str, threshold: int,
                    dictionary: Mapping[str, str] | None = None,
                    split_by: str | None = "year",
                    keep_shown: Sequence[Mapping[str, str]] = ()) -> PublicTable:
        """Suppress ``frame`` (one row per combination of ``dimensions``), one protected table
        per level of ``split_by``, and keep every entry; ``keep_shown`` lists totals a page
        needs as denominators (see :func:`workbench.privacy.protect_counts`)."""
        dims = tuple(dimensions)
        if split_by is not None and split_by not in dims:
            raise OpenDataError(f"split_by {split_by!r} is not a dimension of {name}")
        protected = protect_counts(frame, dimensions=dims, count=count, threshold=threshold,
                                   split_by=split_by, keep_shown=keep_shown)
        return cls(name=name, title=title, description=description, dimensions=dims, count=count,
                   threshold=threshold, protected=protected, dictionary=dict(dictionary or {}),
                   split_by=split_by)

    @property
    def entries(self) -> pd.DataFrame:
        """Every published entry (a copy)."""
        return self.protected.value

    @property
    def footnote(self) -> str:
        """What protects the counts, for the page or file."""
        return self.protected.note

    # -- reading ---------------------------------------------------------------------------
    def select(self, **levels: object) -> pd.DataFrame:
        """Entries whose dimensions equal ``levels`` (a level may be :data:`ALL`); dimensions
        not named may take any level."""
        entries = self.entries
        mask = pd.Series(True, index=entries.index)
        for dimension, level in levels.items():
            if dimension not in self.dimensions:
                raise OpenDataError(f"{self.name} has no dimension {dimension!r}; it has "
                                    f"{', '.join(self.dimensions)}")
            mask &= entries[dimension] == str(level)
        return entries.loc[mask].reset_index(drop=True)

    def value(self, **levels: object) -> int | None:
        """The published count at a full key (every dimension named), None when suppressed or
        absent (a combination absent from the table is a structural zero: 0)."""
        missing = [d for d in self.dimensions if d not in levels]
        if missing:
            raise OpenDataError(f"name every dimension of {self.name}: missing {', '.join(missing)}")
        rows = self.select(**levels)
        if rows.empty:
            return 0
        value = rows[self.count].iloc[0]
        return None if pd.isna(value) else int(value)

    def levels(self, dimension: str) -> list[str]:
        """The levels of ``dimension`` (without :data:`ALL`), in table order."""
        values = self.entries[dimension]
        return list(dict.fromkeys(v for v in values if v != ALL))

    def protected_tables(self) -> list[tuple[dict[str, str], pd.DataFrame]]:
        """Each protected table: its fixed levels (``{split_by: level}``) and its entries
        without the split dimension."""
        if self.split_by is None:
            return [({}, self.entries)]
        inner = [d for d in self.dimensions if d != self.split_by]
        return [({self.split_by: str(level)},
                 rows[[*inner, self.count, "suppressed"]].reset_index(drop=True))
                for level, rows in self.entries.groupby(self.split_by, sort=True)]

    def audit(self, *, method: Literal["auto", "lp", "lines"] = "auto") -> list[Exposure]:
        """Attack every protected table as published (an empty list is safe)."""
        return audit_counts(self.entries, dimensions=self.dimensions, count=self.count,
                            threshold=self.threshold, split_by=self.split_by, method=method)

    def suppressed_share(self) -> float:
        """Share of the published entries that are suppressed."""
        entries = self.entries
        return float(entries["suppressed"].mean()) if len(entries) else 0.0

    def slice(self, **levels: object) -> PublicTable:
        """The sub-table at fixed levels of some dimensions (not :data:`ALL`), with its margins:
        a consistent table of the remaining dimensions (e.g. one offence category)."""
        dims = tuple(d for d in self.dimensions if d not in levels)
        rows = self.select(**levels)
        return self.renamed(
            protected=self.protected.derive(
                lambda _: rows[[*dims, self.count, "suppressed"]].reset_index(drop=True)),
            dimensions=dims, split_by=self.split_by if self.split_by in dims else None)

    def renamed(self, **changes: object) -> PublicTable:
        """A copy with some fields changed (name, title, count …); the entries stay protected."""
        fields = {"name": self.name, "title": self.title, "description": self.description,
                  "dimensions": self.dimensions, "count": self.count, "threshold": self.threshold,
                  "protected": self.protected, "dictionary": self.dictionary,
                  "split_by": self.split_by}
        fields.update(changes)
        return PublicTable(**fields)  # type: ignore[arg-type]

    # -- showing ---------------------------------------------------------------------------
    def html(self, *, rows: str, columns: str | None = None,
             where: Mapping[str, object] | None = None,
             row_levels: Sequence[str] | None = None,
             column_levels: Sequence[str] | None = None,
             labels: Mapping[str, str] | None = None,
             caption: str | None = None) -> HtmlFragment:
        """A page table of one slice (see :func:`workbench.public.html.public_table_html`)."""
        from workbench.public.html import public_table_html

        return public_table_html(self, rows=rows, columns=columns, where=where,
                                 row_levels=row_levels, column_levels=column_levels,
                                 labels=labels, caption=caption)
