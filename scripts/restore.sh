#!/usr/bin/env bash
# Restores one backup made by scripts/backup.sh into a NEW, EMPTY database and attachment store;
# then point the application at them (PG_DB_NAME, STORAGE_PATH) and start it. It never writes
# over a database that has tables or a store that has files: restoring is a deliberate switch.
#
#   scripts/restore.sh <backup folder>      e.g. backups/sportello-20261130T090000Z
#   PG_HOST PG_PORT PG_USER PG_PASSWORD PG_DB_NAME   the target database (created beforehand: createdb)
#   STORAGE_PATH                                     the target attachment store
set -euo pipefail

backup=${1:?usage: scripts/restore.sh <backup folder>}
: "${PG_DB_NAME:?PG_DB_NAME must name the (new, empty) database to restore into}"
: "${STORAGE_PATH:?STORAGE_PATH must name the (new, empty) attachment store}"
export PGHOST=${PG_HOST:-127.0.0.1} PGPORT=${PG_PORT:-5432} PGUSER=${PG_USER:-postgres} PGDATABASE=$PG_DB_NAME
export PGPASSWORD=${PG_PASSWORD:-}

[ -f "$backup/COMPLETE" ] || { echo "restore: $backup is not a complete backup (no COMPLETE file)" >&2; exit 1; }
(cd "$backup" && grep -E '^[0-9a-f]{64} ' COMPLETE | sha256sum --check --quiet) ||
  { echo "restore: $backup does not match its checksums: damaged, do not use it" >&2; exit 1; }

tables=$(psql -XAtc "select count(*) from information_schema.tables where table_schema = 'public'")
[ "$tables" = 0 ] || { echo "restore: database $PG_DB_NAME already has $tables tables: restore into a new, empty one" >&2; exit 1; }
if [ -d "$STORAGE_PATH" ] && [ -n "$(ls -A "$STORAGE_PATH")" ]; then
  echo "restore: $STORAGE_PATH is not empty: restore into a new, empty folder" >&2
  exit 1
fi

started=$SECONDS
pg_restore --no-owner --exit-on-error --dbname="$PG_DB_NAME" "$backup/database.dump"
mkdir -p "$STORAGE_PATH"
tar -C "$STORAGE_PATH" -xzf "$backup/storage.tar.gz"
echo "restore: $backup into $PG_DB_NAME@$PGHOST:$PGPORT and $STORAGE_PATH in $((SECONDS - started))s"
