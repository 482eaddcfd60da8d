"""One error hierarchy for Workbench.

Every error a user can meet derives from :class:`WorkbenchError` and carries a message that
says what to do about it: the file, row, column, key or setting at fault.
"""

from __future__ import annotations


class WorkbenchError(Exception):
    """Root of every error Workbench raises on purpose."""


class SettingsError(WorkbenchError):
    """Raised when a setting (environment variable) has a value Workbench cannot use."""


class WarehouseError(WorkbenchError):
    """Raised when the warehouse cannot be opened, or a table it needs is missing."""


class IngestError(WorkbenchError):
    """Raised when an input file cannot be read as a whole (missing, wrong encoding, not CSV,
    missing required columns). The message names the file and the problem; nothing is loaded."""

    def __init__(self, path: object, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class AnalysisInputError(WorkbenchError, ValueError):
    """Raised when an analysis gets a table without the columns it needs, or an option it
    cannot use (an unknown period, a window of zero days, overlapping area sets, ...).
    The message names the table, column or option at fault."""


class InsufficientDataError(WorkbenchError):
    """Raised when there is too little data for a method (e.g. fewer months than a seasonal
    forecast needs). The message says how much is needed and how much was found."""


class UnknownNameError(WorkbenchError):
    """Raised when a registry (adapters, reports, apps) is asked for a name it does not hold."""


class PluginError(WorkbenchError):
    """Raised when an installed plugin (an entry point adding an adapter or a report) cannot be
    loaded or registered. Names the entry point, its group and its distribution."""


class ParametersError(WorkbenchError):
    """Raised when a job's parameters do not fit its report's model. Names the file and key."""


class RenderError(WorkbenchError):
    """Raised when one or more report jobs failed to render."""


class MissingDependencyError(WorkbenchError):
    """Raised when an optional dependency is not installed; says which extra to install."""

    def __init__(self, package: str, extra: str) -> None:
        super().__init__(
            f"{package} is not installed; install the optional extra: pip install 'workbench[{extra}]'"
        )
