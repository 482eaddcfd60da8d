"""The adapter registry: one table, looked up by name."""

from __future__ import annotations

import pytest

from workbench.errors import UnknownNameError
from workbench.ingest import Adapter, get_adapter, list_adapters, register, registry


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(UnknownNameError) as caught:
        get_adapter("nope")
    message = str(caught.value)
    assert "'nope'" in message
    for name in list_adapters():
        assert name in message


def test_register_a_new_adapter_and_refuse_clashes(monkeypatch):
    monkeypatch.setattr(registry, "ADAPTERS", registry.ADAPTERS.copy())

    class ExampleAdapter(Adapter):
        """Example export."""

        source = "example"

    assert register("example-format", ExampleAdapter) is ExampleAdapter
    assert get_adapter("example-format") is ExampleAdapter
    assert list_adapters()["example-format"] == "Example export."
    register("example-format", ExampleAdapter)  # the same one again is fine

    class OtherAdapter(Adapter):
        """Other."""

    with pytest.raises(ValueError, match="already registered"):
        register("example-format", OtherAdapter)
    with pytest.raises(TypeError, match="Adapter subclass"):
        register("not-an-adapter", object)  # type: ignore[arg-type]


def test_every_adapter_targets_canonical_tables_and_has_a_summary():
    from workbench import schema

    for name in list_adapters():
        adapter = get_adapter(name)
        assert adapter.summary(), name
        assert all(target in schema.TABLES for target in adapter.targets), name
