#!/usr/bin/env bash
# All tests: unit tests of the modules, then end-to-end tests that run the bundle of the current sources (built
# by jest's global set-up, as npm run bundle builds dist/) as a runner step against the project's own cache
# service. Works on a fresh clone: it installs what it needs. Tests whose interpreter or package index this
# machine lacks are skipped with the reason printed, and counted in the closing line.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
mkdir -p .tmp && rm -f .tmp/jest.json
rc=0
node --experimental-vm-modules node_modules/jest/bin/jest.js --json --outputFile=.tmp/jest.json "$@" || rc=$?
# One plain closing line that any reader of the log understands, whatever the test runner.
[ -f .tmp/jest.json ] && node -e '
  const r = JSON.parse(require("fs").readFileSync(".tmp/jest.json", "utf8"))
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`)
' || true
exit "$rc"
