# Shared by the benchmark scripts (sourced, not run): a work directory removed on exit with every process started,
# free ports, and a ZooKeeper process with the masters' secret. Callers set -euo pipefail themselves.
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
baton="$home/bin/baton"
pids=()
work="$(mktemp -d "/tmp/baton-$(basename "$0" .sh).XXXXXX")"
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
"$baton" --version >/dev/null   # builds the jar on first use, outside the measurement
export BATON_ZK_SECRET="bench-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"   # the masters' ZooKeeper secret

# start_zookeeper PORT [JAVA_OPTS]: a `baton zookeeper` process, waited for
start_zookeeper() {
  BATON_JAVA_OPTS="${2:-}" "$baton" zookeeper --port "$1" --data-dir "$work/zk" >"$work/zk.log" 2>&1 & pids+=($!)
  until grep -q "zookeeper listening" "$work/zk.log" 2>/dev/null; do sleep 0.2; done
}

# certs MASTER-NAMES... -- WORKER-IDS...: a cluster CA and one certificate per process under $work/tls
certs() {
  "$baton" certs init --dir "$work/tls" >/dev/null
  local kind=master n
  for n in "$@"; do
    if [ "$n" = "--" ]; then kind=worker; continue; fi
    if [ "$kind" = master ]; then "$baton" certs master --dir "$work/tls" --name "$n" --host 127.0.0.1 >/dev/null
    else "$baton" certs worker --dir "$work/tls" --id "$n" --host 127.0.0.1 >/dev/null; fi
  done
}

# start_bench_cluster: a ZooKeeper process, one master and two workers (bench-1, bench-2) on loopback with TLS, as
# the throughput and shards benchmarks run them; sets zk_port and rest_port, appends the pids in that order
start_bench_cluster() {
  zk_port=$(free_port); rest_port=$(free_port)
  start_zookeeper "$zk_port"
  # Artery over mutual TLS, as a cluster runs by default: a CA and one certificate per process
  certs m -- bench-1 bench-2
  BATON_JAVA_OPTS="${BENCH_MASTER_OPTS:-}" "$baton" master --zk "127.0.0.1:$zk_port" --rest-port "$rest_port" --port 0 --data-dir "$work/m" --tls-dir "$work/tls/m" >"$work/master.log" 2>&1 & pids+=($!)
  local w
  for w in 1 2; do
    BATON_JAVA_OPTS="${BENCH_WORKER_OPTS:-}" "$baton" worker --zk "127.0.0.1:$zk_port" --worker-id "bench-$w" --data-dir "$work/w$w" --tls-dir "$work/tls/bench-$w" >"$work/worker$w.log" 2>&1 & pids+=($!)
  done
}
