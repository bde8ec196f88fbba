#!/usr/bin/env bash
# Builds the phone app into pwa/dist (installs its npm packages first when needed).
# Idempotent; fails when the first-load JavaScript is over budget (pwa/scripts/check-size.mjs).
set -euo pipefail
cd "$(dirname "$0")/../pwa"
stamp=node_modules/.nomade-installed
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ package.json -nt "$stamp" ]; then
  echo "build-pwa: installing npm packages"
  # npm 11 `ci` rejects this lock for other platforms' optional rollup binaries; install then.
  npm ci --no-audit --no-fund || npm install --no-audit --no-fund
  touch "$stamp"
fi
built=dist/.nomade-built
if [ -f "$built" ] && [ -z "$(find src public scripts index.html vite.config.ts tsconfig.json tsconfig.app.json package.json package-lock.json -newer "$built" -print -quit)" ]; then
  echo "build-pwa: pwa/dist is up to date"
  exit 0
fi
echo "build-pwa: building pwa/dist (type check, vite build, size budget)"
npm run --silent build
touch "$built"
