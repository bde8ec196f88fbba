"""Registries for tests that declare intents, jobs or hooks of their own.

Declaring registers nothing (``kernel.declarations``): a test module that declares a test
intent or job installs it, for its tests only, with :func:`declared`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from backend.composition import Registries, build_registries, registering_modules

__all__ = ("declared",)


@contextmanager
def declared(*modules: str) -> Iterator[Registries]:
    """The app's registries plus what ``modules`` declare, installed for the block; the
    registries installed before come back after it."""
    previous = Registries.installed()
    registries = build_registries((*registering_modules(), *modules))
    registries.install()
    try:
        yield registries
    finally:
        previous.install()
