#!/usr/bin/env bash
# Installs what the demo, the tests and the benchmark need, once: npm packages (from the lockfiles), the
# Node 24 binary GitHub runs the action with, and zstd (the compressor hosted runners have, which the cache
# library prefers). Re-runs only when a lockfile changed.
set -euo pipefail
cd "$(dirname "$0")/.."

install_if_stale() { # dir
  local dir=$1
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    echo "setup: npm ci in ${dir}" >&2
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}
install_if_stale .
install_if_stale tools/node24

if ! command -v zstd >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: apt-get install zstd" >&2
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq zstd >/dev/null
  else
    echo "setup: zstd not found; the cache falls back to gzip (install zstd to match hosted runners)" >&2
  fi
fi

# The demo and benchmark scripts and the cache service are TypeScript: compile them for plain node.
npx tsc -p tsconfig.build.json
