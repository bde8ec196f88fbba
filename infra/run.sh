#!/usr/bin/env bash
# README's first command: install what is missing, migrate, seed the demo organisation and serve
# Nomade at http://127.0.0.1:8000 on SQLite (data in ./var).
set -euo pipefail
cd "$(dirname "$0")/.."
bash infra/setup.sh
[ -x .tools/bin/uv ] && export PATH="$PWD/.tools/bin:$PATH"
export UV_PYTHON_DOWNLOADS=never
echo "nomade: migrating the database"
uv run --frozen nomade migrate
echo "nomade: seeding the demo organisation (idempotent)"
uv run --frozen nomade seed-demo
echo "nomade: serving on http://${NOMADE_HOST:-127.0.0.1}:${NOMADE_PORT:-8000} (Ctrl-C to stop)"
exec uv run --frozen nomade serve
