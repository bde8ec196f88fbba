#!/usr/bin/env bash
# README's second command: the same set-up plus test needs, then every check and test:
# ruff, mypy (strict), the import contracts, the PWA type check + unit tests + build budget,
# pytest on SQLite with in-memory channels and jobs, pytest again on PostgreSQL + Redis, and the
# browser journeys.
set -euo pipefail
cd "$(dirname "$0")/.."
bash infra/setup.sh --test
[ -x .tools/bin/uv ] && export PATH="$PWD/.tools/bin:$PATH"
[ -x .tools/node/bin/node ] && export PATH="$PWD/.tools/node/bin:$PATH"
export UV_PYTHON_DOWNLOADS=never
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
step "ruff"
uv run --frozen ruff check .
step "mypy --strict (kernel, backend, sync, ocr, notifications)"
uv run --frozen mypy
step "import contracts (import-linter, [tool.importlinter] in pyproject.toml)"
uv run --frozen lint-imports --no-cache
step "dependency audit (offline advisory snapshot, infra/supply-chain/)"
uv run --frozen python infra/audit_deps.py
step "PWA: unit tests (vitest)"
(cd pwa && npx vitest run)
step "pytest on SQLite, in-memory channels and jobs"
NOMADE_TEST_DB=sqlite NOMADE_TEST_REDIS=0 uv run --frozen pytest -q -m "not browser" -p no:cacheprovider
step "pytest on PostgreSQL + Redis (integration tests)"
NOMADE_TEST_DB=postgres NOMADE_TEST_REDIS=1 uv run --frozen pytest -q tests/integration -m "not browser" -p no:cacheprovider
step "browser journeys (Debian chromium, Playwright)"
# In CI a journey that fails is run once more, as Playwright's own runner does on CI: what its
# phones showed the first time is printed at the end of the output, and the run's last line
# counts it as "rerun"; a journey that fails twice fails the run.
RETRY=()
[ "${CI:-}" = "true" ] && RETRY=(--reruns 1 --reruns-delay 2)
NOMADE_TEST_DB=sqlite uv run --frozen pytest -q -m browser -p no:cacheprovider "${RETRY[@]}"
