#!/usr/bin/env bash
# Randomized fault test (see BENCHMARKS.md, "Randomized fault test"): a real cluster on loopback (ZooKeeper process,
# 3 masters, 3 workers), clients submitting jobs through random masters, 35 random faults (kill -9 / SIGSTOP of
# leader, standby, worker, ZooKeeper), then a checker that proves the history from the tasks' own ledger.
# Prints the seed, the fault schedule and one summary line; exit 0 only on PASS (the run directory is kept on FAIL).
# Usage: bench/chaos.sh [--seed N] [--faults N] [--duration 15m] [--rate 1.0] [--keep] [--dir DIR]
set -euo pipefail
home="$(cd "$(dirname "$0")/.." && pwd)"
"$home/bin/baton" --version >/dev/null   # builds the jar on first use, outside the run
BATON_JAVA_OPTS="${BATON_JAVA_OPTS:--Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1}" exec "$home/bin/baton" chaos "$@"
