#!/usr/bin/env bash
# The whole suite against production-like services: a throw-away PostgreSQL 15
# cluster, a Redis server and an OpenLDAP directory (slapd, loaded with test staff and groups), all
# started here on loopback and stopped after.
# Needs Debian's postgresql-15, redis-server, slapd, ldap-utils, chromium and poppler-utils (installed when missing and root);
# the browser tests run against the portal built here.
set -euo pipefail
cd "$(dirname "$0")/.."

need_install=()
command -v redis-server >/dev/null || need_install+=(redis-server)
[ -x /usr/lib/postgresql/15/bin/initdb ] || need_install+=(postgresql-15)
command -v chromium >/dev/null || need_install+=(chromium)
command -v pdftoppm >/dev/null || need_install+=(poppler-utils)
[ -x /usr/sbin/slapd ] || need_install+=(slapd)
command -v ldapsearch >/dev/null || need_install+=(ldap-utils)
if [ ${#need_install[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "Installing ${need_install[*]} from Debian packages"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_install[@]}" >/dev/null
  else
    echo "Missing ${need_install[*]}: install them (apt-get install ${need_install[*]}) and retry" >&2
    exit 1
  fi
fi

PGBIN=/usr/lib/postgresql/15/bin
WORK=$(mktemp -d /tmp/sportello-full.XXXXXX)
PG_PORT=${PG_PORT:-55432}
REDIS_PORT=${REDIS_PORT:-56379}
# Beside Redis unless named, so that runs given their own PG_PORT/REDIS_PORT do not meet here either.
LDAP_PORT=${LDAP_PORT:-$((REDIS_PORT + 1))}
# PostgreSQL refuses to run as root: when root, the cluster belongs to the postgres user.
RUN_AS=()
if [ "$(id -u)" = 0 ]; then
  chown postgres "$WORK"
  RUN_AS=(runuser -u postgres --)
fi

cleanup() {
  "${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$WORK/pg" -m immediate stop >/dev/null 2>&1 || true
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  [ -f "$WORK/ldap/slapd.pid" ] && kill "$(cat "$WORK/ldap/slapd.pid")" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "Starting PostgreSQL on 127.0.0.1:$PG_PORT"
"${RUN_AS[@]}" "$PGBIN/initdb" -D "$WORK/pg" -U postgres --auth=trust -E UTF8 >/dev/null
"${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$WORK/pg" -l "$WORK/pg.log" -w \
  -o "-p $PG_PORT -k $WORK -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
"$PGBIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres sportello_test
"$PGBIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres sportello_test_browser

echo "Starting Redis on 127.0.0.1:$REDIS_PORT"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
  --logfile "$WORK/redis.log" >/dev/null
for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done

echo "Starting OpenLDAP on 127.0.0.1:$LDAP_PORT"
bash scripts/ldap-test-server.sh "$WORK/ldap" "$LDAP_PORT"

export LDAP_TEST_URL="ldap://127.0.0.1:$LDAP_PORT"
export DB_CONNECTION=pg PG_HOST=127.0.0.1 PG_PORT PG_USER=postgres PG_PASSWORD= PG_DB_NAME=sportello_test
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"

# The browser tests drive Debian's chromium against the built portal.
npm run build:web -w platform
export BROWSER_TESTS=1
# Tests tagged @embedded run their processes on SQLite whatever the suite uses: npm test has run them.
if [ $# -gt 0 ]; then
  npm run test -w platform -- --tags='~@embedded' "$@"
  exit
fi

# The browser suite runs beside the others (one mostly waits on Chromium, the other on PostgreSQL),
# each with a database, a Redis database and a file store of its own; its output follows theirs.
(
  export PG_DB_NAME=sportello_test_browser REDIS_URL="redis://127.0.0.1:$REDIS_PORT/1" STORAGE_PATH="$WORK/storage-browser"
  rc=0
  npm run test -w platform -- browser >"$WORK/browser.log" 2>&1 || rc=$?
  echo "$rc" >"$WORK/browser.rc"
) &
browser=$!
rc=0
STORAGE_PATH="$WORK/storage" npm run test -w platform -- unit functional plugins --tags='~@embedded' || rc=$?
wait "$browser" || true
echo
echo "=== browser suite (run beside the others)"
cat "$WORK/browser.log"
browser_rc=$(cat "$WORK/browser.rc" 2>/dev/null || echo 1)
if [ "$rc" != 0 ] || [ "$browser_rc" != 0 ]; then
  echo "test:full: unit, functional and plugins exit $rc, browser exit $browser_rc" >&2
  exit 1
fi
