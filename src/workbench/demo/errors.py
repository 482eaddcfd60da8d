"""The demo city's error."""

from __future__ import annotations

from workbench.errors import WorkbenchError


class DemoCityError(WorkbenchError):
    """Raised when the demo city cannot be built: a scale, seed or end date out of range, a
    target the build cannot write next to, or a malformed offence-codes file. The message
    names the argument, path, row or column at fault."""
