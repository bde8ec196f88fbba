#!/usr/bin/env bash
# Builds the phone app into pwa/dist (installs its npm packages first when needed).
# Idempotent; fails when the first-load JavaScript is over budget (pwa/scripts/check-size.mjs).
set -euo pipefail
cd "$(dirname "$0")/../pwa"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "build-pwa: installing npm packages"
  # npm 11 `ci` rejects this lock for other platforms' optional rollup binaries; install then.
  npm ci --no-audit --no-fund || npm install --no-audit --no-fund
fi
echo "build-pwa: building pwa/dist"
npm run --silent build
