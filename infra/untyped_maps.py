"""Count the untyped mappings left in product code (issue #14: "dict[str, Any] down by 80 %").

Counts every spelling of "a mapping of anything" (``dict[str, Any]``, ``Mapping[str, Any]``,
``dict[str, object]``…) in ``backend``, ``sync``, ``notifications`` and ``ocr``, migrations
excepted (Piccolo writes those). Other spellings of the same thing are counted too, so that
renaming is never mistaken for typing. Usage: ``uv run python infra/untyped_maps.py [--files]``;
exit status 0 (a measure, not a gate).
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

ROOTS = ("kernel", "backend", "sync", "notifications", "ocr")
UNTYPED = re.compile(
    r"\b(?:dict|Dict|Mapping|MutableMapping)\[\s*str\s*,\s*(?:Any|object|typing\.Any)\s*\]"
)


def count(root: Path) -> Counter[str]:
    """Occurrences per file under the product packages of ``root``."""
    found: Counter[str] = Counter()
    for package in ROOTS:
        for path in sorted((root / package).rglob("*.py")):
            if "piccolo_migrations" in path.parts:
                continue
            hits = len(UNTYPED.findall(path.read_text(encoding="utf-8")))
            if hits:
                found[str(path.relative_to(root))] = hits
    return found


def main() -> None:
    found = count(Path(__file__).resolve().parent.parent)
    if "--files" in sys.argv:
        for name, hits in found.most_common():
            print(f"{hits:4d}  {name}")
    per_package = Counter({p: sum(n for f, n in found.items() if f.startswith(p + "/"))
                           for p in ROOTS})
    detail = ", ".join(f"{p} {per_package[p]}" for p in ROOTS)
    print(f"untyped mappings in product code: {sum(found.values())} ({detail})")


if __name__ == "__main__":
    main()
