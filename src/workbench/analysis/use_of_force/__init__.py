"""Race-based use-of-force statistics (Ontario Anti-Racism Data Standards, ARDS).

The ARDS follow people through **stages**: the resident *population* → people subject to an
*enforcement action* (arrest, charge, summons, ticket) → people *force was used on* → the *type
of force* used. At each stage two measures are reported, with 95% confidence intervals:

* **Racial Disproportionality Index** (RDI): the group's share of the people at a stage ÷ its
  share of a *benchmark* — the population (census), or the previous stage. 2.0 means the group
  is twice as represented as in the benchmark. :func:`disproportionality_by_stage`,
  :func:`disproportionality_by_force_type`.
* **Racial Disparity Index**: the group's outcome rate (people at the stage per person of the
  benchmark) ÷ the rate of a reference group (white by default). :func:`disparity_by_stage`.

Thresholds are options, not constants (:class:`IndexThresholds`: 1.1 and 0.9 by default, as
the ARDS suggest, *unconfirmed*); a **caution** flag marks counts below
``IndexThresholds.minimum_count`` and a **significant** flag marks intervals that exclude 1.

Multiple-race people
--------------------
A person perceived as more than one group has ``perceived_race = 'multiple'`` and the groups in
``race_groups`` (``'black | white'``). Two countings are offered (``counting=``):

* ``"single"`` (default, what the ARDS tables report): every person counts once, under their
  perceived group; ``multiple`` is its own row and ``unknown`` (perceived race not recorded)
  another. Shares and indices use as denominator (``total``) the people with *one* perceived
  group, so ``multiple`` and ``unknown`` get counts but no index; the census benchmark has
  single groups only, so both sides of the ratio describe the same kind of person.
* ``"any_mention"``: a person counts once for *every* group listed (like the census's "alone or
  in combination"); the denominator is the people with at least one known group, each once, so
  shares add up to more than 100%. ``unknown`` stays a row without index. Enforcement actions
  carry no list of groups, so their ``multiple`` rows cannot be attributed: they stay a row of
  their own and are left out of the denominator in both countings.

Privacy
-------
Race data are never joined to officer data: no function here reads ``officer_id`` or
``unit_id``, grouping by them is refused, and no output carries them. Outputs are tidy frames
of counts and ratios for analysts (``internal``); anything public goes through
:mod:`workbench.public`, which suppresses small counts before any index is computed, and the
functions here then compute indices only where the counts are published (a missing count gives
a missing index).

Every function aggregates in the engine and returns a small pandas frame; inputs are never
modified.
"""

from __future__ import annotations

from workbench.analysis.use_of_force.counts import (
    enforcement_action_counts,
    population_counts,
    population_stage,
    stage_counts,
    use_of_force_subject_counts,
)
from workbench.analysis.use_of_force.definitions import (
    BENCHMARKS,
    COUNTINGS,
    DEFAULT_THRESHOLDS,
    MULTIPLE,
    OFFICER_COLUMNS,
    RACE_GROUP_LABELS,
    RACE_GROUPS,
    STAGES,
    UNKNOWN,
    Benchmark,
    IndexThresholds,
    RaceCounting,
)
from workbench.analysis.use_of_force.indices import (
    disparity_by_stage,
    disproportionality_by_force_type,
    disproportionality_by_stage,
)

__all__ = [
    "BENCHMARKS",
    "COUNTINGS",
    "DEFAULT_THRESHOLDS",
    "MULTIPLE",
    "OFFICER_COLUMNS",
    "RACE_GROUPS",
    "RACE_GROUP_LABELS",
    "STAGES",
    "UNKNOWN",
    "Benchmark",
    "IndexThresholds",
    "RaceCounting",
    "disparity_by_stage",
    "disproportionality_by_force_type",
    "disproportionality_by_stage",
    "enforcement_action_counts",
    "population_counts",
    "population_stage",
    "stage_counts",
    "use_of_force_subject_counts",
]
