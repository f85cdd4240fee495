#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests and local multi-host trials, from Debian's packages.
#   scripts/postgres-cluster.sh start DIR   creates the cluster in DIR if needed, starts it on a free
#                                           loopback port and prints its connection string
#   scripts/postgres-cluster.sh stop DIR    stops it (DIR stays; delete it to start over)
# DIR/ctl is pg_ctl for this cluster (e.g. `DIR/ctl stop -m fast`, `DIR/ctl start`), run as the
# cluster's owner: PostgreSQL refuses to run as root, so as root the cluster belongs to `postgres`.
set -euo pipefail

command="${1:?usage: $0 start|stop DIR}"
dir="${2:?usage: $0 start|stop DIR}"

bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "PostgreSQL is not installed (apt-get install postgresql)." >&2
  exit 1
fi

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 30000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  echo "No free port found." >&2
  exit 1
}

case "$command" in
  start)
    mkdir -p "$dir"
    dir="$(cd "$dir" && pwd)"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      [ "$(id -u)" -ne 0 ] || chown postgres: "$dir"
      as_owner "$bin/initdb" --pgdata="$dir/data" --username=postgres --auth=trust --encoding=UTF8 --no-instructions >"$dir/initdb.log"
      # Throwaway data: no fsync; enough connections for several hosts and test databases.
      cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $(free_port)
unix_socket_directories = '$dir'
max_connections = 400
fsync = off
full_page_writes = off
CONF
      cat >"$dir/ctl" <<CTL
#!/usr/bin/env bash
# pg_ctl for the cluster in $dir, as its owner.
if [ "\$(id -u)" -eq 0 ]; then exec runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w "\$@"; fi
exec "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w "\$@"
CTL
      chmod +x "$dir/ctl"
    fi
    if ! "$dir/ctl" start >/dev/null; then
      echo "PostgreSQL did not start; its log:" >&2
      cat "$dir/server.log" >&2 || true
      exit 1
    fi
    port="$(sed -n "s/^port = \([0-9]*\)$/\1/p" "$dir/data/postgresql.conf" | tail -n 1)"
    echo "Host=127.0.0.1;Port=$port;Username=postgres"
    ;;
  stop)
    [ ! -x "$dir/ctl" ] || "$dir/ctl" stop -m fast >/dev/null || true
    ;;
  *)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
