#!/usr/bin/env bash
# Throughput benchmark (see BENCHMARKS.md): a real ZooKeeper process, one master and two worker processes on
# loopback; 20,000 noop tasks submitted over REST, then one-task jobs for submit-to-SUCCEEDED latency.
# Usage: bench/throughput.sh [extra `baton bench` flags, e.g. --tasks 50000 --tasks-per-job 200]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
export BATON_LOG_LEVEL=WARN
start_bench_cluster
echo "cluster: zookeeper :$zk_port, master REST :$rest_port, 2 workers ($(nproc) cores each offered; tasks ask 0.01 cpu)"
cpu() { ps -o cputimes= -p "$1" 2>/dev/null | tr -d ' '; }
names=(zookeeper master worker-1 worker-2)
before=(); for p in "${pids[@]}"; do before+=("$(cpu "$p")"); done
BATON_JAVA_OPTS="-Xmx1g" "$baton" bench --url "http://127.0.0.1:$rest_port" "$@"
line="cpu seconds used during the run:"
for i in "${!pids[@]}"; do line+=" ${names[$i]} $(( $(cpu "${pids[$i]}") - ${before[$i]} ))"; done
echo "$line (the load generator's own JVM not counted; $(nproc) cores in all)"
