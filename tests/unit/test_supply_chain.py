"""The offline dependency audit (infra/audit_deps.py): the locks are clean against the
advisory snapshot, and a vulnerable version would be caught."""

from __future__ import annotations

import importlib.util
import json
import sys
import tomllib
from datetime import date
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def _audit_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("audit_deps", ROOT / "infra" / "audit_deps.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["audit_deps"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


audit_deps = _audit_module()


def test_the_locked_dependencies_have_no_known_vulnerable_version() -> None:
    assert audit_deps.main() == 0


def test_a_vulnerable_locked_version_is_caught(tmp_path: Path) -> None:
    uv_lock = tmp_path / "uv.lock"
    uv_lock.write_text('version = 1\n[[package]]\nname = "Jinja2"\nversion = "3.1.4"\n'
                       '[[package]]\nname = "idna"\nversion = "3.7"\n')
    package_lock = tmp_path / "package-lock.json"
    package_lock.write_text(json.dumps({"packages": {
        "": {"name": "pwa"}, "node_modules/vite": {"version": "5.4.14"},
        "node_modules/a/node_modules/semver": {"version": "7.5.1"},
        "node_modules/rollup": {"version": "4.22.4"}}}))
    advisories = tomllib.loads(audit_deps.ADVISORIES.read_text())
    findings = audit_deps.audit(advisories, {
        "pypi": audit_deps.locked_python(uv_lock), "npm": audit_deps.locked_npm(package_lock)})
    found = {(f.package, f.version, f.advisory) for f in findings}
    assert ("jinja2", "3.1.4", "GHSA-gmj6-6f8f-6699") in found
    assert ("vite", "5.4.14", "GHSA-x574-m823-4x7w") in found
    assert ("semver", "7.5.1", "GHSA-c2qf-rxjj-qqgw") in found
    assert not any(package in {"idna", "rollup"} for package, _, _ in found)  # fixed versions


def test_versions_compare_as_releases_and_pre_releases() -> None:
    key = audit_deps.version_key
    assert key("3.1.5rc1") < key("3.1.5") < key("3.1.10")
    assert key("2.0") == key("2.0.0") and key("6.0.0-beta.2") < key("6.0.0")
    assert audit_deps.affected("42.0.3", [["38.0.0", "42.0.4"]])
    assert not audit_deps.affected("42.0.4", [["38.0.0", "42.0.4"]])


def test_the_snapshot_says_when_it_is_stale() -> None:
    advisories = {"snapshot": "2026-01-01"}
    assert audit_deps.snapshot_age_days(advisories, today=date(2026, 5, 1)) == 120
