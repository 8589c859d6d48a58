#!/usr/bin/env bash
# Soak benchmark (see BENCHMARKS.md): a real ZooKeeper process, one master and two workers on loopback, one-task
# noop jobs at a steady rate against a short retention; every minute ZooKeeper's data size and znode count and the
# leader's live heap after a full GC, which must stay flat over the second half.
# Usage: bench/soak.sh [--jobs N] [--rate R] [--every S]   (defaults: 1,000,000 jobs at 500/s, a sample a minute)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
zk_port=$(free_port); rest_port=$(free_port)
export BATON_LOG_LEVEL=WARN
start_zookeeper "$zk_port" "-Dzookeeper.4lw.commands.whitelist=mntr"   # mntr: the data size and znode count
certs m -- soak-1 soak-2
# the short retention: a finished job lives 2 minutes, at most 20,000 are kept, a sweep every 10 s
printf 'baton.retention { max-age = 2m, max-count = 20000, sweep-interval = 10s }\n' >"$work/soak.conf"
BATON_JAVA_OPTS="${SOAK_MASTER_OPTS:--Xmx512m}" "$baton" master --config "$work/soak.conf" --zk "127.0.0.1:$zk_port" \
  --rest-port "$rest_port" --port 0 --data-dir "$work/m" --tls-dir "$work/tls/m" >"$work/master.log" 2>&1 & pids+=($!)
master_pid=$!
for w in 1 2; do
  "$baton" worker --zk "127.0.0.1:$zk_port" --worker-id "soak-$w" --data-dir "$work/w$w" --tls-dir "$work/tls/soak-$w" \
    >"$work/worker$w.log" 2>&1 & pids+=($!)
done
until curl -sf "http://127.0.0.1:$rest_port/readyz" >/dev/null; do sleep 0.5; done
# bin/baton execs java: the master's pid is the launcher's
java_pid=$(pgrep -P "$master_pid" java || echo "$master_pid")
echo "cluster: zookeeper :$zk_port, master REST :$rest_port (pid $java_pid), 2 workers; retention 2m / 20,000"
BATON_JAVA_OPTS="-Xmx512m" "$baton" bench-soak --url "http://127.0.0.1:$rest_port" --zk "127.0.0.1:$zk_port" \
  --master-pid "$java_pid" "$@"
