#!/usr/bin/env bash
# Load test: mixed GraphQL traffic (reads, creates with their sandbox approval,
# fulfilments, refunds) from wrk against one server on loopback, for a bounded time,
# with the server's memory sampled throughout. It passes when there are no errors and
# the memory stays flat; it prints what it saw either way.
#
#   DATABASE_URL=postgres://…/bench scripts/loadtest.sh --duration 10m
#   DATABASE_URL=postgres://…/bench scripts/loadtest.sh --duration 10m --instances 2 --pooler
#
# --instances 2 starts two servers on one database (ports PORT and PORT+1, one public
# URL), and wrk's threads alternate between them (scripts/loadtest.lua, LOADTEST_ADDRS):
# what one instance creates, the other fulfils and refunds. --pooler puts pgbouncer in
# transaction mode in front of the database (port 6439, DATABASE_POOLER=transaction)
# for the servers; the script's own psql goes direct. Memory is sampled per instance.
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
instances=1
pooler=""

usage() {
	cat <<EOF
usage: DATABASE_URL=postgres://… $0 [--duration 10m] [--connections 16] [--threads 2]
                                     [--mix reads:creates:fulfils:refunds] [--port 18789]
                                     [--url http://127.0.0.1:PORT --pid PID] [--binary PATH]
                                     [--instances 1|2] [--pooler]
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
	--instances) instances="$2"; shift 2 ;;
	--pooler) pooler=1; shift ;;
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
pgb_pid=""
cleanup() {
	for s in $sampler; do kill "$s" 2>/dev/null || true; done
	for p in $started; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	[ -n "$pgb_pid" ] && kill "$pgb_pid" 2>/dev/null || true
}
trap cleanup EXIT

serving_url="$DATABASE_URL"
serving_pooler=""
if [ -n "$pooler" ]; then
	command -v pgbouncer >/dev/null || { echo "loadtest: pgbouncer is not installed (Debian: apt-get install pgbouncer)" >&2; exit 2; }
	# The pooler of README "Running several instances", in front of DATABASE_URL's server.
	pghost="$(echo "$DATABASE_URL" | sed -E 's#^postgres(ql)?://([^@/]*@)?([^:/?]+).*#\3#')"
	pgport="$(echo "$DATABASE_URL" | sed -nE 's#^postgres(ql)?://([^@/]*@)?[^:/?]+:([0-9]+).*#\3#p')"
	cat >"$work/pgbouncer.ini" <<INI
[databases]
* = host=$pghost port=${pgport:-5432}
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = 6439
unix_socket_dir =
auth_type = trust
auth_file = $work/users.txt
pool_mode = transaction
max_client_conn = 1000
default_pool_size = 20
max_user_connections = 40
ignore_startup_parameters = extra_float_digits
logfile = $work/pgbouncer.log
pidfile = $work/pgbouncer.pid
INI
	echo '"postgres" ""' >"$work/users.txt"
	if [ "$(id -u)" = 0 ]; then chown -R postgres "$work"; as_pg=(-u postgres); else as_pg=(); fi
	pgbouncer -d "${as_pg[@]}" "$work/pgbouncer.ini"
	for _ in $(seq 1 50); do [ -s "$work/pgbouncer.pid" ] && break; sleep 0.1; done
	pgb_pid="$(cat "$work/pgbouncer.pid")"
	serving_url="$(echo "$DATABASE_URL" | sed -E 's#^(postgres(ql)?://([^@/]*@)?)[^/?]+#\1127.0.0.1:6439#')"
	serving_pooler=transaction
	echo "loadtest: pgbouncer (transaction mode) on 127.0.0.1:6439"
fi

pids=""
addrs=""
if [ -z "$url" ]; then
	if [ -z "$binary" ]; then
		binary="$work/backoffice"
		echo "loadtest: building the server"
		(cd "$here" && go build -o "$binary" ./cmd/backoffice)
	fi
	url="http://127.0.0.1:$port"
	for i in $(seq 0 $((instances - 1))); do
		p=$((port + i))
		echo "loadtest: starting instance $((i + 1)) on 127.0.0.1:$p (log: $work/server-$p.log)"
		mkdir -p "$work/i$p"
		(cd "$work/i$p" && DATABASE_URL="$serving_url" DATABASE_POOLER="$serving_pooler" LISTEN_ADDR="127.0.0.1:$p" \
			BACKOFFICE_PUBLIC_URL="$url" BACKOFFICE_SECRET="${BACKOFFICE_SECRET:-loadtest-secret-0123456789abcdef0123456789abcdef}" \
			exec "$binary" serve >"$work/server-$p.log" 2>&1) &
		started="$started $!"
		pids="$pids $!"
		addrs="$addrs 127.0.0.1:$p"
		for _ in $(seq 1 120); do
			curl -sf "http://127.0.0.1:$p/readyz" >/dev/null 2>&1 && break
			kill -0 "$!" 2>/dev/null || { echo "loadtest: instance on port $p did not start:" >&2; tail -20 "$work/server-$p.log" >&2; exit 1; }
			sleep 0.5
		done
	done
	pid="${pids# }"
elif [ -n "$pid" ]; then
	pids="$pid"
fi
if [ "$instances" -gt 1 ]; then
	export LOADTEST_ADDRS="${addrs# }"
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

for p in $pids; do
	(while kill -0 "$p" 2>/dev/null; do
		echo "$(date +%s),$(awk '/^VmRSS/ {print $2}' "/proc/$p/status")"
		sleep 5
	done) >"$work/rss-$p.csv" &
	sampler="$sampler $!"
done

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

for s in $sampler; do kill "$s" 2>/dev/null || true; done
sampler=""
for p in $pids; do
	rss="$work/rss-$p.csv"
	[ -s "$rss" ] || continue
	echo "loadtest: server process $p"
	if [ -r "/proc/$p/status" ]; then
		echo "loadtest: server peak RSS (VmHWM) $(awk '/^VmHWM/ {printf "%.1f MiB", $2/1024}' "/proc/$p/status")"
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
done
exit $status
