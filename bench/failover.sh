#!/usr/bin/env bash
# Failover benchmark (see BENCHMARKS.md): repeated kill -9 of the leader of a real cluster on loopback
# (ZooKeeper process, 2 masters, 3 workers), at a 2 s session timeout and at the defaults.
# Usage: bench/failover.sh [--kills N]
set -euo pipefail
home="$(cd "$(dirname "$0")/.." && pwd)"
"$home/bin/baton" --version >/dev/null   # builds the jar on first use, outside the measurement
"$home/bin/baton" bench-failover --zk-session-timeout-ms 2000 "$@"
"$home/bin/baton" bench-failover "$@"
