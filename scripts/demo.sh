#!/usr/bin/env bash
# The action's main job, locally: the embedded cache service, a miss that builds and saves, then a hit on a
# fresh runner, and a next step that runs from the venv. Works on a fresh clone: it installs what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
exec node .build/scripts/demo.js "$@"
