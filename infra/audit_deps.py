"""Offline dependency audit: the locked versions (uv.lock, pwa/package-lock.json) against a
hand-kept snapshot of known-vulnerable versions (infra/supply-chain/advisories.toml).

    uv run python infra/audit_deps.py        # prints findings; exit 1 if any

Standard library only, so it runs before anything is installed. What it does not do is said
in the README ("Supply chain").
"""

from __future__ import annotations

import json
import re
import sys
import tomllib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADVISORIES = ROOT / "infra" / "supply-chain" / "advisories.toml"
_PRE = {"dev": -4, "a": -3, "alpha": -3, "b": -2, "beta": -2, "rc": -1, "c": -1, "pre": -1}


@dataclass(frozen=True)
class Finding:
    """A locked package version inside an advisory's affected range."""

    ecosystem: str
    package: str
    version: str
    advisory: str
    summary: str


def version_key(text: str) -> tuple[tuple[int, ...], int, int]:
    """A comparable key for ``1.2.3``, ``1.2.3rc1`` (PEP 440) or ``1.2.3-beta.1`` (semver):
    release numbers, then a pre-release (lower than the release) and its number."""
    text = text.strip().lower().lstrip("v").split("+", 1)[0]
    match = re.match(r"^(\d+(?:\.\d+)*)[-._]?([a-z]+)?[-._]?(\d+)?", text)
    if not match:
        return ((0,), 0, 0)
    release = tuple(int(part) for part in match.group(1).split("."))
    while len(release) > 1 and release[-1] == 0:
        release = release[:-1]
    tag = match.group(2)
    if tag is None or tag == "post":
        return (release, 0, 0)
    return (release, _PRE.get(tag, -1), int(match.group(3) or 0))


def affected(version: str, ranges: list[list[str]]) -> bool:
    """Whether ``version`` lies in one of the ``[introduced, fixed)`` ranges."""
    key = version_key(version)
    return any(version_key(low) <= key < version_key(high) for low, high in ranges)


def locked_python(uv_lock: Path) -> dict[str, set[str]]:
    """Package name → versions locked in ``uv.lock``."""
    packages: dict[str, set[str]] = {}
    for package in tomllib.loads(uv_lock.read_text()).get("package", []):
        if "version" in package:
            name = re.sub(r"[-_.]+", "-", package["name"].lower())
            packages.setdefault(name, set()).add(package["version"])
    return packages


def locked_npm(package_lock: Path) -> dict[str, set[str]]:
    """Package name → versions installed by ``package-lock.json`` (nested copies included)."""
    packages: dict[str, set[str]] = {}
    for path, entry in json.loads(package_lock.read_text()).get("packages", {}).items():
        if "node_modules/" in path and entry.get("version"):
            name = path.rsplit("node_modules/", 1)[1]
            packages.setdefault(name, set()).add(entry["version"])
    return packages


def audit(advisories: dict[str, object], locked: dict[str, dict[str, set[str]]]
          ) -> list[Finding]:
    """Every locked version that an advisory covers."""
    findings = []
    for advisory in advisories.get("advisory", []):  # type: ignore[union-attr]
        ecosystem, package = advisory["ecosystem"], advisory["package"]
        for version in sorted(locked.get(ecosystem, {}).get(package, set())):
            if affected(version, advisory["ranges"]):
                findings.append(Finding(ecosystem, package, version, advisory["id"],
                                        advisory["summary"]))
    return findings


def snapshot_age_days(advisories: dict[str, object], today: date | None = None) -> int:
    """Days since the snapshot was last brought up to date."""
    taken = date.fromisoformat(str(advisories["snapshot"]))
    return ((today or datetime.now(UTC).date()) - taken).days


def main() -> int:
    advisories = tomllib.loads(ADVISORIES.read_text())
    locked = {"pypi": locked_python(ROOT / "uv.lock"),
              "npm": locked_npm(ROOT / "pwa" / "package-lock.json")}
    findings = audit(advisories, locked)
    count = len(advisories.get("advisory", []))
    packages = sum(len(names) for names in locked.values())
    print(f"audit: {packages} locked packages against {count} advisories "
          f"(snapshot {advisories['snapshot']})")
    age = snapshot_age_days(advisories)
    if age > int(advisories.get("max_age_days", 120)):
        print(f"audit: WARNING the advisory snapshot is {age} days old: bring it up to date")
    for finding in findings:
        print(f"audit: {finding.ecosystem} {finding.package} {finding.version} is affected by "
              f"{finding.advisory}: {finding.summary}")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
