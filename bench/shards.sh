#!/usr/bin/env bash
# Shards benchmark (see BENCHMARKS.md): a real ZooKeeper process, one master and two worker processes on loopback;
# one job of one noop task with N shards (default 10,000, 0.01 cpu each), submitted over REST; shards/s end to end
# from the job's own submittedAt and finishedAt.
# Usage: bench/shards.sh [SHARDS]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
shards="${1:-10000}"
export BATON_LOG_LEVEL=WARN
start_bench_cluster
url="http://127.0.0.1:$rest_port/api/v1"
until [ "$(curl -s "$url/workers" | python3 -c 'import json,sys; print(sum(w["state"]=="ALIVE" for w in json.load(sys.stdin).get("workers",[])))' 2>/dev/null || echo 0)" = 2 ]; do sleep 0.5; done
echo "cluster: zookeeper :$zk_port, master REST :$rest_port, 2 workers ($(nproc) cores each offered); load $(cut -d' ' -f1-3 /proc/loadavg)"
spec="{\"name\":\"bench-shards\",\"tasks\":[{\"id\":\"noop\",\"handler\":\"noop\",\"cpus\":0.01,\"memoryMb\":1,\"shards\":$shards}]}"
job=$(curl -s -X POST -H 'Content-Type: application/json' --data "$spec" "$url/jobs" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
until curl -s "$url/jobs/$job" > "$work/job.json" && python3 - "$work/job.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
sys.exit(0 if j["state"] in ("SUCCEEDED", "FAILED", "CANCELLED") else 1)
PY
do sleep 2; done
python3 - "$work/job.json" "$shards" <<'PY'
import json, sys
from datetime import datetime
j = json.load(open(sys.argv[1])); n = int(sys.argv[2])
t = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))
took = (t(j["finishedAt"]) - t(j["submittedAt"])).total_seconds()
task = j["tasks"][0]
attempts = sum(len(s["attempts"]) for s in task["shardStates"])
print(f"job {j['id']} {j['state']}: {task['shardsSucceeded']}/{n} shards succeeded ({attempts} attempts) in {took:.1f} s"
      f" = {n / took:.0f} shards/s end to end (submitted to finished)")
failed = [s for s in task["shardStates"] if s["state"] != "SUCCEEDED"]
for s in failed[:3]:
    a = s["attempts"][-1] if s["attempts"] else {}
    print(f"  shard {s['shard']} {s['state']}: {a.get('message')} (worker {a.get('workerId')})")
PY
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
