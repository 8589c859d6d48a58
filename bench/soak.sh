#!/usr/bin/env bash
# Soak benchmark (see BENCHMARKS.md): a real ZooKeeper process, one master and two workers on loopback, one-task
# noop jobs at a steady rate against a short retention; every minute ZooKeeper's data size and znode count and the
# leader's live heap after a full GC, which must stay flat over the second half.
# Usage: bench/soak.sh [--jobs N] [--rate R] [--every S]   (defaults: 1,000,000 jobs at 500/s, a sample a minute)
set -euo pipefail
home="$(cd "$(dirname "$0")/.." && pwd)"
baton="$home/bin/baton"
work="$(mktemp -d /tmp/baton-soak.XXXXXX)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
zk_port=$(free_port); rest_port=$(free_port)
"$baton" --version >/dev/null   # builds the jar on first use, outside the measurement
export BATON_LOG_LEVEL=WARN
export BATON_ZK_SECRET="soak-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
BATON_JAVA_OPTS="-Dzookeeper.4lw.commands.whitelist=mntr" "$baton" zookeeper --port "$zk_port" --data-dir "$work/zk" >"$work/zk.log" 2>&1 & pids+=($!)
until grep -q "zookeeper listening" "$work/zk.log" 2>/dev/null; do sleep 0.2; done
"$baton" certs init --dir "$work/tls" >/dev/null
"$baton" certs master --dir "$work/tls" --name m --host 127.0.0.1 >/dev/null
for w in 1 2; do "$baton" certs worker --dir "$work/tls" --id "soak-$w" --host 127.0.0.1 >/dev/null; done
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
