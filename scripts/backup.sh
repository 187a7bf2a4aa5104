#!/usr/bin/env bash
# One backup of a Sportello deployment: the PostgreSQL database (pg_dump -Fc, custom format, for
# pg_restore) and the attachment store (STORAGE_PATH), in a folder named by the UTC time, then the
# oldest backups beyond the retention removed. Run it at least every 4 hours for an RPO under
# 4 hours (compose.yaml's backup service runs it every 3; see docs/deploy.md).
#
#   PG_HOST PG_PORT PG_USER PG_PASSWORD PG_DB_NAME   the database, as the application names it
#   STORAGE_PATH      the attachment store (absolute, as the web and worker processes see it)
#   BACKUP_DIR        where backups go (default ./backups)
#   BACKUP_KEEP       how many complete backups to keep (default 56: a week at one every 3 hours)
#   BACKUP_AFTER      optional command run with the new backup's folder as its argument, to copy it
#                     off the machine (e.g. 'rclone copy --immutable "$1" offsite:sportello/"$(basename "$1")"')
#
# Order matters: the database first, then the files. A file uploaded after the dump started is in
# the archive with no row naming it (harmless: the retention cleanup removes such files); the other
# order would lose files whose rows the dump holds. A backup is complete when its COMPLETE file
# exists (written last, with the checksums); an interrupted one never counts toward the retention.
set -euo pipefail

: "${PG_DB_NAME:?PG_DB_NAME must name the database to back up}"
: "${STORAGE_PATH:?STORAGE_PATH must name the attachment store}"
BACKUP_DIR=${BACKUP_DIR:-./backups}
BACKUP_KEEP=${BACKUP_KEEP:-56}
[[ $BACKUP_KEEP =~ ^[1-9][0-9]*$ ]] || { echo "backup: BACKUP_KEEP must be a whole number from 1, got '$BACKUP_KEEP'" >&2; exit 2; }
[ -d "$STORAGE_PATH" ] || mkdir -p "$STORAGE_PATH"

export PGHOST=${PG_HOST:-127.0.0.1} PGPORT=${PG_PORT:-5432} PGUSER=${PG_USER:-postgres} PGDATABASE=$PG_DB_NAME
export PGPASSWORD=${PG_PASSWORD:-}

mkdir -p "$BACKUP_DIR"
# One backup at a time: a slow one still running when the next is due makes the next one wait.
exec 9>"$BACKUP_DIR/.lock"
flock 9

stamp=$(date -u +%Y%m%dT%H%M%SZ)
target="$BACKUP_DIR/sportello-$stamp"
# Never into an existing folder: two backups in the same second keep the first.
mkdir "$target" || { echo "backup: $target already exists" >&2; exit 1; }
started=$SECONDS

# -Fc: compressed, restorable table by table; the dump is one consistent snapshot (one transaction).
pg_dump -Fc --no-owner --file="$target/database.dump"
# A dump that pg_restore cannot list is no backup.
pg_restore --list "$target/database.dump" >/dev/null
# Report files are left out: kept 24 hours, asked for again at will, and personal data in clear.
tar -C "$STORAGE_PATH" --exclude=./reports -czf "$target/storage.tar.gz" .

{
  echo "created_utc=$stamp"
  echo "database=$PG_DB_NAME@$PGHOST:$PGPORT"
  echo "server_version=$(psql -XAtc 'show server_version')"
  echo "seconds=$((SECONDS - started))"
  (cd "$target" && sha256sum database.dump storage.tar.gz)
} >"$target/COMPLETE.tmp"
mv "$target/COMPLETE.tmp" "$target/COMPLETE"
echo "backup: $target ($(du -sh "$target" | cut -f1), $((SECONDS - started))s)"

# Retention: the newest BACKUP_KEEP complete backups stay; older ones and failed attempts older
# than the newest complete one go.
mapfile -t complete < <(find "$BACKUP_DIR" -mindepth 2 -maxdepth 2 -name COMPLETE -path '*/sportello-*' -printf '%h\n' | sort -r)
for old in "${complete[@]:$BACKUP_KEEP}"; do
  rm -rf -- "$old"
  echo "backup: removed $old (retention: $BACKUP_KEEP)"
done
for dir in "$BACKUP_DIR"/sportello-*; do
  [ -d "$dir" ] && [ ! -f "$dir/COMPLETE" ] && [[ $dir < $target ]] && rm -rf -- "$dir" && echo "backup: removed incomplete $dir"
done

if [ -n "${BACKUP_AFTER:-}" ]; then
  bash -c "$BACKUP_AFTER" backup-after "$target"
fi
