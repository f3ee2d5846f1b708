#!/usr/bin/env bash
# Starts the real server (sandbox mode, demo data, fresh SQLite) on a free port, runs
# the browser end-to-end flows in Chromium against it, and stops it. CALLBACKS_ALLOW_PRIVATE:
# the webhooks flow (web/e2e/tests/webhooks.test.mjs) hosts its receiver on 127.0.0.1.
set -euo pipefail
port="${1:-18765}"
root="$(cd "$(dirname "$0")/.." && pwd)"
if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ]; then
  echo "e2e: installing Chromium (Debian package)"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null
fi
work="$(mktemp -d)"
trap 'kill "${pid:-}" 2>/dev/null || true; wait "${pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"
BACKOFFICE_DEMO=1 CALLBACKS_ALLOW_PRIVATE=true LISTEN_ADDR="127.0.0.1:$port" BACKOFFICE_SECRET="e2e-secret-0123456789abcdef0123456789" \
  DATABASE_URL="sqlite://$work/e2e.db" "$root/bin/backoffice" serve >"$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done
if ! curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null; then
  echo "e2e: server did not become ready"; tail -50 "$work/server.log"; exit 1
fi
cd "$root/web"
status=0
E2E_BASE_URL="http://127.0.0.1:$port" E2E_EMAIL="admin@demo.psp" E2E_PASSWORD="demo-password-1" npm run --silent e2e || status=$?
if [ "$status" -ne 0 ]; then echo "e2e: server log tail:"; tail -40 "$work/server.log"; fi
exit "$status"
