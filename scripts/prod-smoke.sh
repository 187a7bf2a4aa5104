#!/usr/bin/env bash
# The production layout, without containers: the build (npm run build) run by plain Node on a
# throw-away PostgreSQL 15 and Redis, the release step (migrations), two web processes behind
# nginx (the very template compose.yaml uses), two workers and the simulators; then traffic
# through both web processes, one worker killed with SIGKILL mid-job, and checks that every job
# completed exactly once (scripts/prod_smoke_check.mjs). Finally SIGTERM to every process, each
# of which must exit with code 0. Exits non-zero with a message on any failure.
#
# Ports (loopback): PG_PORT (55432), REDIS_PORT (56379), SMOKE_PORT (28080) for nginx and the
# seven after it for the two web processes, the SMTP capture and the simulators (DOCAREA, GPD, SMS,
# App IO). Below 32768: Linux hands the ports from 32768 up to outgoing connections, and a fixed
# port there can be held by one of them for a moment when a server needs it.
# SPORTELLO_BUILD=skip reuses build/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/services.sh

PG_PORT=${PG_PORT:-55432}
REDIS_PORT=${REDIS_PORT:-56379}
SMOKE_PORT=${SMOKE_PORT:-28080}
WEB1_PORT=$((SMOKE_PORT + 1))
WEB2_PORT=$((SMOKE_PORT + 2))
SMTP_PORT=$((SMOKE_PORT + 3))
DOCAREA_PORT=$((SMOKE_PORT + 4))
GPD_PORT=$((SMOKE_PORT + 5))
SMS_PORT=$((SMOKE_PORT + 6))
IO_PORT=$((SMOKE_PORT + 7))
WORK=$(mktemp -d /tmp/sportello-smoke.XXXXXX)
STARTED_AT=$SECONDS

fail() {
  echo "smoke: FAIL: $*" >&2
  for f in "$WORK"/*.log; do echo "--- $(basename "$f") (last lines)" >&2; tail -n 15 "$f" >&2; done
  exit 1
}
cleanup() {
  stop_started
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  stop_redis
  stop_postgres
  rm -rf "$WORK"
}
trap cleanup EXIT

ensure_packages "$PGBIN/initdb=postgresql-15" redis-server=redis-server nginx=nginx-light envsubst=gettext-base

if [ "${SPORTELLO_BUILD:-}" != skip ]; then
  echo "smoke: npm run build"
  npm run build >"$WORK/build.log" 2>&1 || fail "npm run build failed"
fi
[ -f build/server.js ] || fail "no build/ (run npm run build)"

echo "smoke: PostgreSQL on 127.0.0.1:$PG_PORT, Redis on 127.0.0.1:$REDIS_PORT"
start_postgres "$WORK" "$PG_PORT"
"$PGBIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres sportello
start_redis "$WORK" "$REDIS_PORT"

# The environment every role gets, as in compose.yaml: production, no embedded default.
export NODE_ENV=production HOST=127.0.0.1 PORT=$WEB1_PORT LOG_LEVEL=info
export APP_KEY=$(head -c 32 /dev/urandom | base64)
export DATA_ENCRYPTION_KEYS="smoke:$(head -c 32 /dev/urandom | base64)"
export DB_CONNECTION=pg PG_HOST=127.0.0.1 PG_PORT PG_USER=postgres PG_PASSWORD= PG_DB_NAME=sportello
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0" QUEUE_PREFIX=smoke
# Jobs of a killed worker go back to the queue within about twice this (30 s by default).
export QUEUE_LEASE_MS=5000
export SESSION_DRIVER=redis STORAGE_PATH="$WORK/storage"
# One demo citizen sends every submission, each with its upload, within a minute: the per-user limits
# are raised, as the smoke checks processes, not throttling (tests/functional/security does).
export RATE_LIMIT_UPLOADS_PER_MINUTE=1000
export SMTP_URL="smtp://127.0.0.1:$SMTP_PORT" MAIL_FROM='Comune di Piacenza <noreply@comune.piacenza.example>'
# The demo tenant registers over SOAP with the DOCAREA simulator, run as its own process like the SMTP capture.
export DOCAREA_SIMULATOR_PORT=$DOCAREA_PORT DOCAREA_SIMULATOR_HOST=127.0.0.1 DOCAREA_PASSWORD_PIACENZA="$(head -c 18 /dev/urandom | base64)"
# pagoPA, the SMS gateway and App IO too, each with a key shared by the simulator and the app.
export GPD_SIMULATOR_PORT=$GPD_PORT SMS_SIMULATOR_PORT=$SMS_PORT IO_SIMULATOR_PORT=$IO_PORT PAY_SIMULATORS_HOST=127.0.0.1
export PAGOPA_KEY_PIACENZA="$(head -c 18 /dev/urandom | base64)" SMS_KEY_PIACENZA="$(head -c 18 /dev/urandom | base64)"
export IO_KEY_PIACENZA="$(head -c 18 /dev/urandom | base64)"

echo "smoke: release step (node build/ace.js migration:run --force) and the demo data"
node build/ace.js migration:run --force >"$WORK/release.log" 2>&1 || fail "the release migration failed"
node build/ace.js demo:seed >>"$WORK/release.log" 2>&1 || fail "demo:seed failed"

echo "smoke: simulators, web x2 ($WEB1_PORT, $WEB2_PORT), worker x2"
start_bg simulators "$WORK/simulators.log" node build/ace.js simulators:serve --smtp-port="$SMTP_PORT" \
  --mail-dir="$WORK/mail" --docarea-port="$DOCAREA_PORT" --docarea-dir="$WORK/docarea" \
  --gpd-port="$GPD_PORT" --sms-port="$SMS_PORT" --io-port="$IO_PORT" --pay-dir="$WORK"
PORT=$WEB1_PORT PROCESS_ROLE=web start_bg web1 "$WORK/web1.log" node build/server.js
PORT=$WEB2_PORT PROCESS_ROLE=web start_bg web2 "$WORK/web2.log" node build/server.js
PROCESS_ROLE=worker start_bg worker1 "$WORK/worker1.log" node build/worker.js
PROCESS_ROLE=worker start_bg worker2 "$WORK/worker2.log" node build/worker.js
wait_http "http://127.0.0.1:$WEB1_PORT/ready" 60 "web 1" || fail "web 1 is not ready"
wait_http "http://127.0.0.1:$WEB2_PORT/ready" 60 "web 2" || fail "web 2 is not ready"
for _ in $(seq 150); do grep -q 'App IO simulator on' "$WORK/simulators.log" && break; sleep 0.2; done
for name in 'pagoPA (GPD' 'SMS gateway simulator' 'App IO simulator'; do
  grep -qF "$name" "$WORK/simulators.log" || fail "the simulators process did not start $name"
done
for w in worker1 worker2; do
  for _ in $(seq 150); do grep -q 'started worker' "$WORK/$w.log" && break; sleep 0.2; done
  grep -q 'started worker' "$WORK/$w.log" || fail "$w did not start"
done

echo "smoke: nginx on 127.0.0.1:$SMOKE_PORT (deploy/nginx/sportello.conf.template)"
mkdir -p "$WORK/nginx"
SPORTELLO_LISTEN="127.0.0.1:$SMOKE_PORT" SPORTELLO_RESOLVER='' SPORTELLO_ACCESS_LOG="$WORK/access.log" \
  SPORTELLO_UPSTREAMS="server 127.0.0.1:$WEB1_PORT; server 127.0.0.1:$WEB2_PORT;" \
  envsubst '${SPORTELLO_LISTEN} ${SPORTELLO_RESOLVER} ${SPORTELLO_UPSTREAMS} ${SPORTELLO_ACCESS_LOG}' \
  <deploy/nginx/sportello.conf.template >"$WORK/nginx/sportello.conf"
cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 256; }
http {
  client_body_temp_path $WORK/nginx/body;
  proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fastcgi;
  uwsgi_temp_path $WORK/nginx/uwsgi;
  scgi_temp_path $WORK/nginx/scgi;
  include $WORK/nginx/sportello.conf;
}
EOF
nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" -e "$WORK/nginx-error.log" || fail "nginx did not start"
wait_http "http://127.0.0.1:$SMOKE_PORT/ready" 10 "nginx" || fail "nginx does not reach the web processes"

echo "smoke: traffic, SIGKILL of worker 1 mid-job, checks"
SMOKE_PROXY="http://127.0.0.1:$SMOKE_PORT" SMOKE_WEB1="http://127.0.0.1:$WEB1_PORT" SMOKE_WEB2="http://127.0.0.1:$WEB2_PORT" \
  SMOKE_VICTIM_PID=$PID_worker1 SMOKE_SURVIVOR_PID=$PID_worker2 SMOKE_MAIL_DIR="$WORK/mail" \
  SMOKE_ACCESS_LOG="$WORK/access.log" node scripts/prod_smoke_check.mjs || fail "the checks failed"
grep -q 'back in the queue for another try' "$WORK/worker2.log" || fail "worker 2 never took over a job of the killed worker"
code=0
wait "$PID_worker1" 2>/dev/null || code=$?
[ "$code" = 137 ] || fail "worker 1 should have been killed by SIGKILL (exit 137), it exited with $code"

echo "smoke: SIGTERM to every process: each must exit with code 0"
for name in web1 web2 worker2 simulators; do
  pid_var="PID_$name"
  pid=${!pid_var}
  kill -TERM "$pid"
  code=0
  wait "$pid" || code=$?
  [ "$code" = 0 ] || fail "$name (pid $pid) exited with code $code after SIGTERM"
done

echo "smoke: OK in $((SECONDS - STARTED_AT))s"
