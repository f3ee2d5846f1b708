#!/usr/bin/env bash
# Load test: mixed GraphQL traffic (reads, creates with their sandbox approval,
# fulfilments, refunds) from wrk against one server on loopback, for a bounded time,
# with the server's memory sampled throughout. It passes when there are no errors and
# the memory stays flat; it prints what it saw either way.
#
#   DATABASE_URL=postgres://…/bench scripts/loadtest.sh --duration 10m
#
# DATABASE_URL must be a PostgreSQL database seeded with `backoffice seed --orders N`
# (its logins are the bench data set's). The script builds the binary, starts the
# server on 127.0.0.1 (or uses --url and --pid of a running one), runs wrk with
# scripts/loadtest.lua, and stops the server it started. It needs wrk (Debian: apt-get
# install wrk), curl and psql.
set -euo pipefail

duration=10m
connections=16
threads=2
port=18789
mix=70:10:10:10
url=""
pid=""
binary=""

usage() {
	cat <<EOF
usage: DATABASE_URL=postgres://… $0 [--duration 10m] [--connections 16] [--threads 2]
                                     [--mix reads:creates:fulfils:refunds] [--port 18789]
                                     [--url http://127.0.0.1:PORT --pid PID] [--binary PATH]
EOF
}

while [ $# -gt 0 ]; do
	case "$1" in
	--duration) duration="$2"; shift 2 ;;
	--connections) connections="$2"; shift 2 ;;
	--threads) threads="$2"; shift 2 ;;
	--mix) mix="$2"; shift 2 ;;
	--port) port="$2"; shift 2 ;;
	--url) url="$2"; shift 2 ;;
	--pid) pid="$2"; shift 2 ;;
	--binary) binary="$2"; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done

: "${DATABASE_URL:?DATABASE_URL must point at a PostgreSQL database seeded with backoffice seed --orders N}"
for tool in wrk curl psql; do
	command -v "$tool" >/dev/null || { echo "loadtest: $tool is not installed (Debian: apt-get install ${tool/psql/postgresql-client})" >&2; exit 2; }
done

here="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
started=""
sampler=""
cleanup() {
	[ -n "$sampler" ] && kill "$sampler" 2>/dev/null || true
	if [ -n "$started" ]; then
		kill "$started" 2>/dev/null || true
		wait "$started" 2>/dev/null || true
	fi
}
trap cleanup EXIT

if [ -z "$url" ]; then
	if [ -z "$binary" ]; then
		binary="$work/backoffice"
		echo "loadtest: building the server"
		(cd "$here" && go build -o "$binary" ./cmd/backoffice)
	fi
	url="http://127.0.0.1:$port"
	echo "loadtest: starting the server on $url (log: $work/server.log)"
	(cd "$work" && DATABASE_URL="$DATABASE_URL" LISTEN_ADDR="127.0.0.1:$port" BACKOFFICE_PUBLIC_URL="$url" \
		exec "$binary" serve >"$work/server.log" 2>&1) &
	started=$!
	pid=$started
	for _ in $(seq 1 120); do
		curl -sf "$url/readyz" >/dev/null 2>&1 && break
		kill -0 "$started" 2>/dev/null || { echo "loadtest: the server did not start:" >&2; tail -20 "$work/server.log" >&2; exit 1; }
		sleep 0.5
	done
fi
case "$url" in
http://127.0.0.1:* | http://localhost:* | http://\[::1\]:*) ;;
*) echo "loadtest: $url is not on loopback: this script loads only a local server" >&2; exit 2 ;;
esac

login() {
	curl -sf -X POST "$url/auth/login" -H 'Content-Type: application/json' \
		-d "{\"email\":\"$1\",\"password\":\"bench-password-1\"}" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p'
}
ADMIN_TOKEN="$(login admin@bench.psp)"
MERCHANT_TOKEN="$(login owner@m0001.bench.example)"
if [ -z "$ADMIN_TOKEN" ] || [ -z "$MERCHANT_TOKEN" ]; then
	echo "loadtest: cannot log in as the bench data set's users: seed it with backoffice seed --orders N" >&2
	exit 1
fi
read -r COMPANY_ID SHOP_ID < <(psql -At -F ' ' "$DATABASE_URL" -c "
SELECT c.id, s.id FROM users u
JOIN companies c ON c.merchant_id = u.merchant_id
JOIN provider_activations a ON a.company_id = c.id AND a.provider = 'PAYWERK' AND a.status = 'ACTIVE'
JOIN shops s ON s.merchant_id = u.merchant_id
WHERE u.email = 'owner@m0001.bench.example' ORDER BY c.id, s.id LIMIT 1")
export ADMIN_TOKEN MERCHANT_TOKEN COMPANY_ID SHOP_ID
export LOADTEST_MIX="$mix"

rss="$work/rss.csv"
if [ -n "$pid" ]; then
	(while kill -0 "$pid" 2>/dev/null; do
		echo "$(date +%s),$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")"
		sleep 5
	done) >"$rss" &
	sampler=$!
fi

echo "loadtest: wrk -t$threads -c$connections -d$duration against $url, mix reads:creates:fulfils:refunds = $mix"
set +e
wrk -t"$threads" -c"$connections" -d"$duration" --timeout 10s --latency -s "$here/scripts/loadtest.lua" "$url" | tee "$work/wrk.txt"
set -e

status=0
errors="$(sed -n 's/^ERRORS \([0-9]*\)$/\1/p' "$work/wrk.txt")"
if [ "${errors:-1}" != "0" ]; then
	echo "loadtest: FAILED: ${errors:-unknown} errors"
	status=1
fi

if [ -n "$pid" ] && [ -s "$rss" ]; then
	kill "$sampler" 2>/dev/null || true
	sampler=""
	if [ -r "/proc/$pid/status" ]; then
		echo "loadtest: server peak RSS (VmHWM) $(awk '/^VmHWM/ {printf "%.1f MiB", $2/1024}' "/proc/$pid/status")"
	fi
	# Flat memory: the last fifth of the samples against the second fifth (after warm-up).
	awk -F, '{ v[NR] = $2 } END {
		n = NR; if (n < 10) { printf "loadtest: %d memory samples: too few to judge\n", n; exit 0 }
		a = int(n / 5); for (i = a + 1; i <= 2 * a; i++) early += v[i]; early /= a
		for (i = n - a + 1; i <= n; i++) late += v[i]; late /= a
		min = v[1]; max = v[1]; for (i = 1; i <= n; i++) { if (v[i] < min) min = v[i]; if (v[i] > max) max = v[i] }
		growth = (late - early) / early * 100
		printf "loadtest: RSS over %d samples: min %.1f MiB, max %.1f MiB; second fifth %.1f MiB, last fifth %.1f MiB (%+.1f%%)\n",
			n, min / 1024, max / 1024, early / 1024, late / 1024, growth
		if (growth > 15) { print "loadtest: FAILED: memory grew by more than 15%"; exit 1 }
		print "loadtest: memory flat"
	}' "$rss" || status=1
fi
exit $status
