#!/usr/bin/env bash
# A streaming replica of the local PostgreSQL (127.0.0.1:5432) on another port, for the
# read-replica tests (README "Running several instances", TEST_DATABASE_REPLICA_URL).
#
#   scripts/replica.sh start [PORT] [DIR]   # default 5433, /tmp/backoffice-replica-PORT
#   scripts/replica.sh stop  [PORT] [DIR]
#
# start is idempotent: a running replica is left alone; a cluster directory of an
# earlier run is replaced by a fresh base backup (its WAL may be gone at the primary). The
# primary gets one pg_hba.conf line (replication from 127.0.0.1, trust) and a reload,
# never a restart; wal_level=replica and max_wal_senders are PostgreSQL's defaults.
set -euo pipefail
cmd="${1:-start}"
PORT="${2:-5433}"
DIR="${3:-/tmp/backoffice-replica-$PORT}"
PRIMARY_PORT="${PRIMARY_PORT:-5432}"
BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
if [ "$(id -u)" = 0 ]; then AS=(runuser -u postgres --); else AS=(); fi

up() { pg_isready -h 127.0.0.1 -p "$PORT" -q; }

case "$cmd" in
stop)
  if [ -f "$DIR/postmaster.pid" ]; then "${AS[@]}" "$BIN/pg_ctl" -D "$DIR" -m fast -w stop >/dev/null || true; fi
  exit 0 ;;
start) ;;
*) echo "usage: $0 start|stop [PORT] [DIR]" >&2; exit 2 ;;
esac

if up; then echo "replica: already answering on port $PORT"; exit 0; fi

hba="$(psql -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -Atc 'SHOW hba_file')"
if ! grep -Eq '^host[[:space:]]+replication[[:space:]]+all[[:space:]]+127\.0\.0\.1/32' "$hba"; then
  echo "host replication all 127.0.0.1/32 trust" >>"$hba"
  psql -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -qAtc 'SELECT pg_reload_conf()' >/dev/null
fi

# A hot standby needs at least the primary's max_connections.
MAXCONN="$(psql -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -Atc 'SHOW max_connections')"
start_cluster() {
  "${AS[@]}" "$BIN/pg_ctl" -D "$DIR" -l "$DIR/replica.log" -w -t 60 \
    -o "-p $PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c hot_standby=on -c max_connections=$MAXCONN -c shared_buffers=32MB" start >/dev/null
}

# A stopped replica is never reused: the primary may have recycled the WAL it needs
# since ("requested WAL segment ... has already been removed"), so it is taken anew.
rm -rf "$DIR"
mkdir -p "$DIR"
chmod 700 "$DIR"
[ "$(id -u)" = 0 ] && chown postgres "$DIR"
"${AS[@]}" "$BIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$DIR" -R -X stream -c fast
# Debian keeps a cluster's configuration in /etc: the copy gets files of its own.
printf '%s\n' "local all all trust" "host all all 127.0.0.1/32 trust" >"$DIR/pg_hba.conf"
: >"$DIR/postgresql.conf"
[ "$(id -u)" = 0 ] && chown postgres "$DIR/pg_hba.conf" "$DIR/postgresql.conf"
start_cluster
for _ in $(seq 1 50); do up && break; sleep 0.2; done
up || { echo "replica: not answering on port $PORT; see $DIR/replica.log" >&2; exit 1; }
echo "replica: streaming from 127.0.0.1:$PRIMARY_PORT on port $PORT ($DIR)"
