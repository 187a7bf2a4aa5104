#!/usr/bin/env bash
# The restore drill, as CI runs it: the build on a throw-away PostgreSQL 15 holding real data (the
# demo, plus a canteen enrolment with an uploaded document, protocolled), one backup with
# scripts/backup.sh, a restore with scripts/restore.sh into a fresh database and attachment store,
# the application started on them, the enrolment and its document read back through the API, and
# the row count of every table compared. Exits non-zero with a message on any failure.
#
# Ports (loopback): PG_PORT (55432) and DRILL_PORT (28090). SPORTELLO_BUILD=skip reuses build/.
# The application's port is below 32768: Linux hands the ports from 32768 up to outgoing
# connections, and one of them held 38090 for a moment once, so the drill's server could not listen.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/services.sh

PG_PORT=${PG_PORT:-55432}
DRILL_PORT=${DRILL_PORT:-28090}
WORK=$(mktemp -d /tmp/sportello-drill.XXXXXX)
STARTED_AT=$SECONDS

fail() {
  echo "drill: FAIL: $*" >&2
  for f in "$WORK"/*.log; do [ -f "$f" ] && { echo "--- $(basename "$f") (last lines)" >&2; tail -n 15 "$f" >&2; }; done
  exit 1
}
cleanup() {
  stop_started
  stop_postgres
  rm -rf "$WORK"
}
trap cleanup EXIT

ensure_packages "$PGBIN/initdb=postgresql-15" pg_dump=postgresql-client-15
if [ "${SPORTELLO_BUILD:-}" != skip ]; then
  echo "drill: npm run build"
  npm run build >"$WORK/build.log" 2>&1 || fail "npm run build failed"
fi
[ -f build/server.js ] || fail "no build/ (run npm run build)"

echo "drill: PostgreSQL on 127.0.0.1:$PG_PORT"
start_postgres "$WORK" "$PG_PORT"
"$PGBIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres sportello

# One process doing everything (no Redis): the drill is about the data, not the layout.
export NODE_ENV=production HOST=127.0.0.1 PORT=$DRILL_PORT LOG_LEVEL=info PROCESS_ROLE=all
export APP_KEY=$(head -c 32 /dev/urandom | base64)
export DATA_ENCRYPTION_KEYS="drill:$(head -c 32 /dev/urandom | base64)"
export DB_CONNECTION=pg PG_HOST=127.0.0.1 PG_PORT PG_USER=postgres PG_PASSWORD= PG_DB_NAME=sportello
export SESSION_DRIVER=database STORAGE_PATH="$WORK/storage"

echo "drill: release step, demo data, a protocolled enrolment with a document"
node build/ace.js migration:run --force >"$WORK/release.log" 2>&1 || fail "the release migration failed"
node build/ace.js demo:seed >>"$WORK/release.log" 2>&1 || fail "demo:seed failed"
start_bg app "$WORK/app.log" node build/server.js
wait_http "http://127.0.0.1:$DRILL_PORT/ready" 60 "the application" || fail "the application is not ready"
node scripts/restore_drill_check.mjs write "http://127.0.0.1:$DRILL_PORT" "$WORK/facts.json" || fail "writing the data failed"
kill -TERM "$PID_app"
wait "$PID_app" || fail "the application did not stop cleanly"

echo "drill: backup (scripts/backup.sh)"
# A report file, as a report run leaves one for 24 hours: the backup leaves it out.
mkdir -p "$STORAGE_PATH/reports/1" && echo "nome;codice fiscale" >"$STORAGE_PATH/reports/1/9.csv"
BACKUP_DIR="$WORK/backups" scripts/backup.sh >"$WORK/backup.log" 2>&1 || fail "the backup failed"
backup=$(find "$WORK/backups" -mindepth 1 -maxdepth 1 -name 'sportello-*' | head -n 1)
[ -f "$backup/COMPLETE" ] || fail "the backup is not complete"
archived=$(tar -tzf "$backup/storage.tar.gz")
grep -q '^\./attachments/' <<<"$archived" || fail "the backup holds no attachments"
! grep -q '^\./reports' <<<"$archived" || fail "the backup holds report files"
# Retention: a second backup keeping one removes the first.
sleep 1
BACKUP_DIR="$WORK/backups" BACKUP_KEEP=1 scripts/backup.sh >>"$WORK/backup.log" 2>&1 || fail "the second backup failed"
[ ! -d "$backup" ] || fail "BACKUP_KEEP=1 left the older backup $backup"
backup=$(find "$WORK/backups" -mindepth 1 -maxdepth 1 -name 'sportello-*')
[ "$(echo "$backup" | wc -l)" = 1 ] && [ -f "$backup/COMPLETE" ] || fail "retention should leave exactly the newest backup: $backup"

echo "drill: restore (scripts/restore.sh) into a new database and store"
"$PGBIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres sportello_restored
PG_DB_NAME=sportello_restored STORAGE_PATH="$WORK/restored-storage" scripts/restore.sh "$backup" >"$WORK/restore.log" 2>&1 ||
  fail "the restore failed"
# A restore into a database that already has tables is refused.
if PG_DB_NAME=sportello STORAGE_PATH="$WORK/other-storage" scripts/restore.sh "$backup" >"$WORK/refused.log" 2>&1; then
  fail "restore.sh wrote over a database that has tables"
fi

echo "drill: the application on the restored copy"
PG_DB_NAME=sportello_restored STORAGE_PATH="$WORK/restored-storage" start_bg restored "$WORK/restored.log" node build/server.js
wait_http "http://127.0.0.1:$DRILL_PORT/ready" 60 "the restored application" || fail "the restored application is not ready"
DRILL_SOURCE_DB=sportello PG_DB_NAME=sportello_restored \
  node scripts/restore_drill_check.mjs verify "http://127.0.0.1:$DRILL_PORT" "$WORK/facts.json" || fail "the restored data differ"
kill -TERM "$PID_restored"
wait "$PID_restored" || fail "the restored application did not stop cleanly"

echo "drill: OK in $((SECONDS - STARTED_AT))s"
