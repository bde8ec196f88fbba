"""Declarations: what a module offers the registries, collected at start-up, never registered
on import.

The decorators and calls that declare an intent, a synced entity, a job, a blob hook, an
audited document or an organisation scope (``sync.mutation``, ``kernel.jobs.job``…) only
append a declaration object to the declaring module's own :data:`DECLARATIONS` list. Importing
a module changes no registry: ``backend.composition.bootstrap`` builds every registry from the
modules it lists, the same in every process, and installs them once.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterable
from typing import TypeVar

__all__ = ("DECLARATIONS", "collect", "declare", "of_type")

#: The module attribute holding the module's declarations, in the order they were written.
DECLARATIONS = "__nomade_declarations__"

T = TypeVar("T")


def declare(declaration: T) -> T:
    """Append ``declaration`` to the list of the module whose code called the declaring
    function (the caller of ``synced_entity(...)``, or the module where a decorator such as
    ``@mutation(...)`` is applied). Returns the declaration."""
    declared: list[object] = sys._getframe(2).f_globals.setdefault(DECLARATIONS, [])
    declared.append(declaration)
    return declaration


def collect(modules: Iterable[str]) -> list[object]:
    """Import each module (once, in order) and return every declaration they hold."""
    found: list[object] = []
    for name in dict.fromkeys(modules):
        found += getattr(importlib.import_module(name), DECLARATIONS, [])
    return found


def of_type(declarations: Iterable[object], kind: type[T]) -> list[T]:
    """The declarations of one kind, in order."""
    return [item for item in declarations if isinstance(item, kind)]
