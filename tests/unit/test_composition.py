"""Start-up builds the registries from the modules the composition lists, and only those."""

from __future__ import annotations

import sys
import types

import pytest

from backend.composition import build_registries
from kernel.declarations import DECLARATIONS


def test_a_nomade_module_that_declares_but_is_not_listed_stops_the_start_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A new intents module someone forgot to list would leave its intents unknown to every
    process: start-up names it instead."""
    module = types.ModuleType("backend.forgotten_mutations")
    setattr(module, DECLARATIONS, [object()])
    monkeypatch.setitem(sys.modules, module.__name__, module)
    with pytest.raises(RuntimeError, match=r"backend\.forgotten_mutations .*does not list"):
        build_registries()


def test_building_twice_gives_equal_fresh_registries() -> None:
    first, second = build_registries(), build_registries()
    assert first is not second and first.sync is not second.sync
    assert first.names() == second.names()
    assert "expense_line" in first.names()["entities"]
