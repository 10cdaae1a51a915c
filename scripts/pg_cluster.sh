#!/usr/bin/env bash
# A throwaway PostgreSQL/PostGIS cluster on a loopback port (Debian's postgresql and
# postgresql-15-postgis-3 packages), for the tests and `make run-postgis`:
#
#   scripts/pg_cluster.sh start DIR PORT   create the cluster in DIR (first time) and start it
#                                          (unless it runs: then PORT must be the one it has);
#                                          prints its URL postgresql://strukturbild@127.0.0.1:PORT/postgres
#   scripts/pg_cluster.sh stop DIR         stop it (DIR can then be deleted)
#
# Trust authentication on 127.0.0.1 only, no fsync: a cluster for tests and a local demo, not
# for production. PostgreSQL refuses to run as root, so as root (CI) it runs as `postgres`.
set -euo pipefail

usage() { echo "usage: $0 start DIR PORT | stop DIR" >&2; exit 2; }
[ $# -ge 2 ] || usage
command=$1 dir=$2
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bin" ]; then
    echo "$0: PostgreSQL is not installed (apt-get install postgresql postgresql-15-postgis-3)" >&2
    exit 1
fi
as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case $command in
start)
    [ $# -eq 3 ] || usage
    port=$3
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir" && chmod 700 "$dir"
    if [ ! -f "$dir/PG_VERSION" ]; then
        if ! out=$(as_owner "$bin/initdb" -D "$dir" -U strukturbild --auth=trust -E UTF8 \
                   --locale=C.UTF-8 2>&1); then
            echo "$0: initdb failed in $dir (as root, its parent must be open to postgres):" >&2
            echo "$out" >&2
            exit 1
        fi
    fi
    if as_owner "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
        echo "postgresql://strukturbild@127.0.0.1:$port/postgres"  # running already
        exit 0
    fi
    as_owner "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='$dir' -c fsync=off -c max_connections=200" \
        start >/dev/null
    echo "postgresql://strukturbild@127.0.0.1:$port/postgres"
    ;;
stop)
    as_owner "$bin/pg_ctl" -D "$dir" -m fast -w stop >/dev/null
    ;;
*)
    usage
    ;;
esac
