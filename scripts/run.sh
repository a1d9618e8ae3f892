#!/usr/bin/env bash
# Set up, migrate, seed the demo company when the database is new (or already a demo), and serve.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
port=${HK_PORT:-5000}
export HK_PUBLIC_URL=${HK_PUBLIC_URL:-http://127.0.0.1:$port}
export HK_COMPANY_NAME=${HK_COMPANY_NAME:-安心家政（演示）}
export HK_COMPANY_PHONE=${HK_COMPANY_PHONE:-400-820-0000}
export HK_COMPANY_ADDRESS=${HK_COMPANY_ADDRESS:-上海市静安区演示路100号（演示）}
instance=${HK_INSTANCE_PATH:-instance}
mkdir -p "$instance"
flask=(.venv/bin/flask --app app)

printf '\033[1m==> %s\033[0m\n' "migrating the database"
"${flask[@]}" db upgrade 2>&1 | grep -v "^INFO" || true

password_file="$instance/demo-password"
if [ -n "${HK_DEMO_PASSWORD:-}" ]; then
  password=$HK_DEMO_PASSWORD
elif [ -f "$password_file" ]; then
  password=$(cat "$password_file")
else
  password=$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(9))')
fi
seeded=$(HK_DEMO_PASSWORD=$password "${flask[@]}" hk seed-demo)
echo "$seeded"
demo=no
if [[ "$seeded" != *"real data"* ]]; then
  demo=yes
  (umask 077; printf '%s\n' "$password" > "$password_file")
fi

echo
echo "hk is starting on http://127.0.0.1:$port"
if [ "$demo" = yes ]; then
  echo "Demo logins (password: $password):"
  echo "  admin, supervisor, worker1, worker2, worker3 (worker3's health certificate has expired)"
fi
echo "Stop with Ctrl+C."
echo

# The queue worker makes PDF records (and other slow or timed work) off the request; the web server
# answers people. Both run until Ctrl+C, and if one of them stops, the other is stopped too.
.venv/bin/huey_consumer hk.worker.huey --workers 2 --worker-type process --quiet &
queue_pid=$!
.venv/bin/gunicorn -c python:hk.gunicorn_conf --preload --workers "${HK_WEB_WORKERS:-2}" --threads "${HK_WEB_THREADS:-4}" \
  --bind "127.0.0.1:$port" --access-logfile - app:app &
web_pid=$!
stop() { kill -TERM "$web_pid" "$queue_pid" 2>/dev/null || true; wait "$web_pid" "$queue_pid" 2>/dev/null || true; }
trap 'stop; exit 0' INT TERM
wait -n "$web_pid" "$queue_pid" || true
stop
