#!/usr/bin/env bash
# Run by .github/workflows/e2e.yml in the step after setup-venv, on Linux, macOS and Windows (Git Bash):
# the outputs are what was promised, and python and pytest on PATH are the venv's. Paths are compared by
# Python, which knows each OS's spelling of them.
set -euo pipefail
fail() {
  echo "::error::$*"
  exit 1
}

[ "$CACHE_STATUS" = "$EXPECT_STATUS" ] || fail "cache-status is '$CACHE_STATUS', expected '$EXPECT_STATUS' (key $CACHE_KEY)"
if [ "$EXPECT_STATUS" = hit ]; then want=true; else want=false; fi
[ "$CACHE_HIT" = "$want" ] || fail "cache-hit is '$CACHE_HIT', expected '$want'"
case "$RUNNER_OS" in
  Linux) os=linux ;;
  macOS) os=darwin ;;
  Windows) os=win32 ;;
  *) fail "unknown RUNNER_OS $RUNNER_OS" ;;
esac
case "$CACHE_KEY" in
  "setup-venv-v1-$os-"*"-cpython$PYTHON_VERSION-"*) ;;
  *) fail "cache-key '$CACHE_KEY' does not name $os and cpython$PYTHON_VERSION" ;;
esac
case "$PYTHON_VERSION" in
  "$MATRIX_PYTHON".*) ;;
  *) fail "python-version '$PYTHON_VERSION' is not a $MATRIX_PYTHON" ;;
esac
[ "$VIRTUAL_ENV" = "$VENV_PATH" ] || fail "VIRTUAL_ENV is '$VIRTUAL_ENV', venv-path is '$VENV_PATH'"

python - <<'PY'
import os, shutil, sys
venv, python = os.environ["VENV_PATH"], os.environ["PYTHON_PATH"]
assert os.path.samefile(sys.prefix, venv), f"python on PATH runs in {sys.prefix}, not {venv}"
assert os.path.samefile(sys.executable, python), f"python on PATH is {sys.executable}, not {python}"
pytest = shutil.which("pytest")
assert pytest is not None, "pytest is not on PATH"
assert os.path.samefile(os.path.dirname(pytest), os.path.dirname(python)), f"pytest on PATH is {pytest}"
print(f"python {sys.version.split()[0]} and {pytest} come from {venv}")
PY
pytest --version
