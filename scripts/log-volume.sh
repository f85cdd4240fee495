#!/usr/bin/env bash
# Counts the log lines the host writes per MCP tool call, as operators run it: the built host in
# Production on a fresh SQLite file with the demo seed, console logging as shipped. It makes
# CALLS successful tools/call requests (workspace_list, with the demo legacy token the first
# seeding prints) and CALLS/100 with an unknown MCP key, and prints the lines each wrote.
#
#   scripts/log-volume.sh            # 10000 calls against src/McpHost/bin/Debug/net10.0
#   CALLS=2000 CONFIGURATION=Release scripts/log-volume.sh
set -euo pipefail
cd "$(dirname "$0")/.."

calls="${CALLS:-10000}"
failures=$((calls / 100))
host_dir="src/McpHost/bin/${CONFIGURATION:-Debug}/net10.0"
port="${PORT:-5380}"
data="$(mktemp -d)"
log="$data/host.log"
trap 'kill "$host" 2>/dev/null || true; wait "$host" 2>/dev/null || true; rm -rf "$data"' EXIT

(cd "$host_dir" && ASPNETCORE_ENVIRONMENT=Production \
  Kestrel__Endpoints__Http__Url="http://127.0.0.1:$port" \
  Kestrel__Endpoints__Grpc__Url="http://127.0.0.1:$((port + 1))" \
  ConnectionStrings__Platform="Data Source=$data/platform.db" \
  Platform__PublicBaseUrl="http://127.0.0.1:$port" \
  Seed__Demo=true \
  Mcp__FailedAuthentication__Limit=100000 \
  exec dotnet Perspective.McpHost.dll) >"$log" 2>&1 &
host=$!

for _ in $(seq 1 240); do
  curl -fs -o /dev/null "http://127.0.0.1:$port/healthz" && break
  sleep 0.5
done
token="$(sed -n 's/.*Demo legacy token for [^ ]* (shown only now): \([0-9a-f]*\).*/\1/p' "$log")"
[ -n "$token" ] || { echo "The host printed no demo legacy token:"; cat "$log"; exit 1; }

# One request per URL; the query string only makes the URLs distinct for curl's globbing.
mcp() {
  curl -s -o /dev/null -w '%{http_code}\n' --parallel --parallel-max 8 \
    -H "Authorization: Bearer $1" -H 'Content-Type: application/json' \
    -H 'Accept: application/json, text/event-stream' -H 'MCP-Protocol-Version: 2025-06-18' \
    -d '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"workspace_list","arguments":{}}}' \
    "http://127.0.0.1:$port/mcp?n=[1-$2]" 2>/dev/null | sort | uniq -c | tr '\n' ' '
}

# Lines, and log entries (the default console format writes an entry as a "info: Category" line and its message).
count() { echo "$(wc -l <"$log") lines, $(grep -cE '^(trce|dbug|info|warn|fail|crit): |"LogLevel":' "$log" || true) entries"; }
first_lines() { [ "$2" -le "$1" ] || sed -n "$(($1 + 1)),$(($2 < $1 + 8 ? $2 : $1 + 8))p" "$log"; }
between() { echo "$(($3 - $1)) lines, $(($4 - $2)) entries"; }

sleep 1
read -r before _ before_entries _ <<<"$(count)"
statuses=$(mcp "$token" "$calls")
sleep 1
read -r after_successes _ after_successes_entries _ <<<"$(count)"
failure_statuses=$(mcp "pmk_000000000000000000000000000000000000000000" "$failures")
sleep 1
read -r after_failures _ after_failures_entries _ <<<"$(count)"

echo "startup: $before lines, $before_entries entries"; [ -z "${SHOW_STARTUP:-}" ] || sed -n "1,${before}p" "$log"
echo "$calls successful tool calls (status count: $statuses): $(between "$before" "$before_entries" "$after_successes" "$after_successes_entries")"
echo "$failures failed authentications (status count: $failure_statuses): $(between "$after_successes" "$after_successes_entries" "$after_failures" "$after_failures_entries")"
echo "--- the first lines the successful calls logged"
first_lines "$before" "$after_successes"
echo "--- the first lines the failed calls logged"
first_lines "$after_successes" "$after_failures"
