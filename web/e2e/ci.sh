#!/bin/sh
# Runs every e2e flow against a running server that has the demo data
# (BACKOFFICE_DEMO=1 on an empty database). Builds nothing itself.
#
#   E2E_BASE_URL=http://localhost:18500 web/e2e/ci.sh
#
# Needs node_modules in web/ (npm ci) and Chromium at /usr/bin/chromium (or
# CHROMIUM_PATH). Screenshots land in web/e2e/artifacts/. The last line reads
# "e2e: N passed, N failed[, N skipped]"; the exit code is 1 if any failed.
set -eu
cd "$(dirname "$0")/.."
if [ -z "${E2E_BASE_URL:-}" ]; then
  echo "E2E_BASE_URL is not set (the URL of a running server with the demo data)"
  echo "e2e: 0 passed, 1 failed"
  exit 1
fi
exec node e2e/run.mjs "$@"
