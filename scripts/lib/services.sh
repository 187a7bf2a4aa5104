# Throw-away services for the operational scripts (prod-smoke.sh, restore-drill.sh): a PostgreSQL 15
# cluster, a Redis server and nginx, each on loopback, in a work folder, stopped by stop_services.
# Sourced, not run. Needs Debian's postgresql-15, redis-server and nginx-light: installed when
# missing and root, otherwise named so a person can install them.

PGBIN=/usr/lib/postgresql/15/bin
STARTED_PIDS=()

# ensure_packages <command-or-path>=<package> ...
ensure_packages() {
  local missing=()
  for pair in "$@"; do
    local probe=${pair%%=*} package=${pair#*=}
    if [[ $probe == /* ]]; then [ -x "$probe" ] || missing+=("$package"); else command -v "$probe" >/dev/null || missing+=("$package"); fi
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ]; then
    echo "Installing ${missing[*]} from Debian packages"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "Missing ${missing[*]}: install them (apt-get install ${missing[*]}) and retry" >&2
    exit 1
  fi
}

# start_postgres <work dir> <port>: an initdb'd cluster owned by postgres when root (PostgreSQL refuses root).
start_postgres() {
  local dir=$1 port=$2
  PG_RUN_AS=()
  if [ "$(id -u)" = 0 ]; then
    chown postgres "$dir"
    PG_RUN_AS=(runuser -u postgres --)
  fi
  PG_DIR="$dir/pg"
  "${PG_RUN_AS[@]}" "$PGBIN/initdb" -D "$PG_DIR" -U postgres --auth=trust -E UTF8 >/dev/null
  "${PG_RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$PG_DIR" -l "$dir/pg.log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
}

stop_postgres() {
  [ -n "${PG_DIR:-}" ] && "${PG_RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$PG_DIR" -m immediate stop >/dev/null 2>&1 || true
}

# start_redis <work dir> <port>
start_redis() {
  local dir=$1 port=$2
  REDIS_PORT_STARTED=$port
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --logfile "$dir/redis.log" >/dev/null
  for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "Redis did not start on port $port (see $dir/redis.log)" >&2
  return 1
}

stop_redis() {
  [ -n "${REDIS_PORT_STARTED:-}" ] && redis-cli -p "$REDIS_PORT_STARTED" shutdown nosave >/dev/null 2>&1 || true
}

# start_bg <name> <log> <command...>: a background process whose pid is remembered for stop_started.
start_bg() {
  local name=$1 log=$2
  shift 2
  "$@" >"$log" 2>&1 &
  local pid=$!
  STARTED_PIDS+=("$pid")
  eval "PID_${name//-/_}=$pid"
}

# wait_http <url> <seconds> <what>: until the URL answers 200.
wait_http() {
  local url=$1 seconds=$2 what=$3
  for _ in $(seq $((seconds * 5))); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$url" 2>/dev/null)" = 200 ] && return 0
    sleep 0.2
  done
  echo "FAIL: $what did not answer 200 at $url within ${seconds}s" >&2
  return 1
}

# stop_started: SIGKILL whatever start_bg started and is still running (cleanup only).
stop_started() {
  for pid in "${STARTED_PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
}
