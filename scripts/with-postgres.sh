#!/usr/bin/env bash
# Run a command with a throwaway PostgreSQL server on 127.0.0.1, exported as
# SHEQU_TEST_PG_URL. Without PostgreSQL binaries the command runs without it (the
# PostgreSQL tests then skip, or fail when SHEQU_REQUIRE_SERVICES=1, as in CI).
set -euo pipefail

if [[ -n "${SHEQU_TEST_PG_URL:-}" ]]; then exec "$@"; fi
INITDB=$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)
if [[ -z "$INITDB" ]]; then
  echo "with-postgres: no PostgreSQL binaries found; PostgreSQL tests will not run" >&2
  exec "$@"
fi
PGBIN=$(dirname "$INITDB")
PGPORT=${SHEQU_TEST_PG_PORT:-55432}
PGDATA=$(mktemp -d /tmp/shequ-pg-data.XXXXXX)
PGSOCK=$(mktemp -d /tmp/shequ-pg-sock.XXXXXX)
as_pg() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [[ $(id -u) -eq 0 ]]; then chown postgres:postgres "$PGDATA" "$PGSOCK"; fi
PGUSER=$([[ $(id -u) -eq 0 ]] && echo postgres || id -un)

cleanup() {
  as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PGDATA" "$PGSOCK"
}
trap cleanup EXIT

as_pg "$PGBIN/initdb" -D "$PGDATA" -U "$PGUSER" --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $PGSOCK -c fsync=off" start >/dev/null
as_pg "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U "$PGUSER" shequ_test
export SHEQU_TEST_PG_URL="postgresql://$PGUSER@127.0.0.1:$PGPORT/shequ_test"
echo "with-postgres: PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on $SHEQU_TEST_PG_URL" >&2
"$@"
