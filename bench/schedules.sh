#!/usr/bin/env bash
# Schedules benchmark (see BENCHMARKS.md): 10,000 every-minute schedules on a real cluster on loopback (ZooKeeper
# process, 2 masters, 2 workers, 2 s session timeout): fire lag, leader CPU, missed and doubled fires, for 5 minutes,
# then 5 more with a kill -9 of the leader in minute 3. About 15 minutes.
# Usage: bench/schedules.sh [--schedules N] [--minutes M] [--kill-leader-at-minute K (0: no second run)]
set -euo pipefail
home="$(cd "$(dirname "$0")/.." && pwd)"
"$home/bin/baton" --version >/dev/null   # builds the jar on first use, outside the measurement
"$home/bin/baton" bench-schedules --zk-session-timeout-ms 2000 "$@"
