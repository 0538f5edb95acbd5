#!/usr/bin/env bash
# All tests: unit tests of the modules, then end-to-end tests that run the bundled dist/ action as a
# runner step against the project's own cache service. Works on a fresh clone: it installs what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
exec node --experimental-vm-modules node_modules/jest/bin/jest.js "$@"
