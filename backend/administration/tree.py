"""The unit tree's one rule: no unit under itself. Pure module (no web or database import)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import TypeVar

__all__ = ("cycle_in",)

K = TypeVar("K", bound=Hashable)


def cycle_in(parents: Mapping[K, K | None]) -> list[K]:
    """The units of a cycle in the tree given by ``parents`` (unit -> parent), [] when none.

    A parent missing from ``parents`` ends the walk (it is checked elsewhere as unknown).
    """
    done: set[K] = set()
    for start in parents:
        path: list[K] = []
        on_path: set[K] = set()
        node: K | None = start
        while node is not None and node not in done and node in parents:
            if node in on_path:
                return path[path.index(node):]
            path.append(node)
            on_path.add(node)
            node = parents[node]
        done.update(path)
    return []
