"""The ``workbench`` command.

Each sub-command lives in its own module, which exposes ``add_arguments(parser)`` and
``run(args) -> int``; :data:`COMMANDS` is the one registry of them (adding one is a line in
the table below).
Errors derived from :class:`~workbench.errors.WorkbenchError` print as one clear line and exit 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from workbench.errors import WorkbenchError
from workbench.registry import Registry

_BUILTIN_COMMANDS: dict[str, tuple[str, str]] = {
    "demo-data": ("workbench.demo.cli", "build the embedded demo city into the warehouse"),
    "ingest": ("workbench.ingest.cli", "load source exports into the warehouse through an adapter"),
    "quality": ("workbench.quality_cli", "print data-quality measures of the warehouse"),
    "quarantine": ("workbench.ingest.quarantine_cli", "list or export the rows ingest rejected, by reason"),
    "sql": ("workbench.sql_cli", "run one read-only SQL query on the warehouse"),
    "mapping": ("workbench.ingest.mapping_init", "write a starter generic-csv mapping from a file (mapping init FILE)"),
    "render": ("workbench.publish.cli", "render scheduled report jobs into the HTML site"),
    "lab": ("workbench.lab", "open JupyterLab on the project"),
    "apps": ("workbench.ui.serve", "serve the manager apps with Voila"),
    "export-open-data": ("workbench.public.cli", "write the public open-data files"),
}

#: Every sub-command: name → (module, one-line help), a :class:`workbench.registry.Registry`.
COMMANDS: Registry[tuple[str, str]] = Registry("command")
for _name, _command in _BUILTIN_COMMANDS.items():
    COMMANDS.register(_name, _command)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; only the chosen command's module is imported (keeps start-up fast)."""
    from workbench import __version__

    parser = argparse.ArgumentParser(prog="workbench", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"workbench {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        sub_parser = sub.add_parser(name, help=help_text, description=help_text)
        if name == command:
            module = importlib.import_module(module_name)
            module.add_arguments(sub_parser)
            sub_parser.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = next((a for a in argv if not a.startswith("-")), None)
    parser = build_parser(command if command in COMMANDS else None)
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    try:
        return int(args._run(args) or 0)
    except WorkbenchError as exc:
        print(f"workbench {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"workbench {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
