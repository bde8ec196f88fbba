"""``nomade contract``: write (or check) the phone's generated contract, ``contract.gen.ts``.

Builds every registry first (:func:`backend.composition.bootstrap`), so the file lists exactly
the intents and error codes a running server has.
"""

from __future__ import annotations

import sys
from pathlib import Path

from backend.composition import bootstrap
from kernel.errors import CATALOGUE
from sync.contract import GENERATED_PATH, REGENERATE, render_typescript
from sync.registry import entities, mutations

__all__ = ("contract_command", "generated_typescript")

_ROOT = Path(__file__).resolve().parent.parent


def generated_typescript() -> str:
    """The contract as this process's registries describe it."""
    bootstrap()
    return render_typescript(mutations(), CATALOGUE,
                             {name: spec.wire for name, spec in entities().items()})


def contract_command(*, check: bool, stdout: bool) -> int:
    """Write ``pwa/src/data/contract.gen.ts``; with ``check``, only say whether it is fresh."""
    text = generated_typescript()
    if stdout:
        sys.stdout.write(text)
        return 0
    path = _ROOT / GENERATED_PATH
    if check:
        if path.exists() and path.read_text(encoding="utf-8") == text:
            return 0
        print(f"{GENERATED_PATH} is stale: run `{REGENERATE}` and commit it", file=sys.stderr)
        return 1
    path.write_text(text, encoding="utf-8")
    print(f"wrote {GENERATED_PATH}")
    return 0
