#!/usr/bin/env bash
# Recovery benchmark (see BENCHMARKS.md): a real ZooKeeper, two masters (2 s session) and one worker on loopback;
# N finished one-task jobs stored, then `kill -9` of the leader. Prints how long after the kill the standby
# answers REST as leader, how long until the newest page of the job list is back, and until the whole finished
# history is listed again.
# Usage: bench/recovery.sh [finished jobs, default 20000]
set -euo pipefail
n="${1:-20000}"
source "$(dirname "$0")/lib.sh"
now_ms() { date +%s%3N; }
zk_port=$(free_port); rest1=$(free_port); rest2=$(free_port)
export BATON_LOG_LEVEL=INFO
start_zookeeper "$zk_port"
certs m1 m2 -- w1
common=(--zk "127.0.0.1:$zk_port" --port 0 --zk-session-timeout-ms 2000 --retention-max-count 1000000)
BATON_JAVA_OPTS="-Xmx1g" "$baton" master "${common[@]}" --rest-port "$rest1" --data-dir "$work/m1" --tls-dir "$work/tls/m1" >"$work/m1.log" 2>&1 & pids+=($!); m1=$!
until curl -sf "http://127.0.0.1:$rest1/readyz" >/dev/null 2>&1 || grep -q "leads for" "$work/m1.log"; do sleep 0.2; done
BATON_JAVA_OPTS="-Xmx1g" "$baton" master "${common[@]}" --rest-port "$rest2" --data-dir "$work/m2" --tls-dir "$work/tls/m2" >"$work/m2.log" 2>&1 & pids+=($!)
"$baton" worker --zk "127.0.0.1:$zk_port" --worker-id w1 --data-dir "$work/w1" --tls-dir "$work/tls/w1" >"$work/w1.log" 2>&1 & pids+=($!)
until curl -sf "http://127.0.0.1:$rest1/readyz" >/dev/null; do sleep 0.2; done
echo "storing $n finished one-task jobs ..."
BATON_JAVA_OPTS="-Xmx512m" "$baton" bench --url "http://127.0.0.1:$rest1" --tasks "$n" --tasks-per-job 1 \
  --warmup-tasks 0 --latency-jobs 1 --in-flight 32 | sed 's/^/  /'
sleep 2
kill -9 "$m1"; killed=$(now_ms)
until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$rest2/api/v1/jobs?limit=1")" = 200 ]; do sleep 0.01; done
serving=$(now_ms)
# the newest page of the list (the history is read newest first)
page=$(( n < 100 ? n : 100 ))
until [ "$(curl -s "http://127.0.0.1:$rest2/api/v1/jobs?limit=$page" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["jobs"]))')" -ge "$page" ]; do sleep 0.02; done
first_page=$(now_ms)
count() { python3 - "$rest2" <<'PY'
import json, sys, urllib.request
url = f"http://127.0.0.1:{sys.argv[1]}/api/v1/jobs?limit=1000"
n, before = 0, None
while True:
    page = json.load(urllib.request.urlopen(url + (f"&before={before}" if before else "")))
    n += len(page["jobs"])
    before = page.get("nextBefore")
    if not before:
        print(n); break
PY
}
until [ "$(count)" -ge "$n" ]; do sleep 0.2; done
browsable=$(now_ms)
echo "recovery with $n finished jobs stored, 2 s session:"
echo "  standby serves REST as leader: $((serving - killed)) ms after the kill (the session expires about 2000 ms after it)"
echo "  newest $page finished jobs listed: $((first_page - killed)) ms after the kill"
echo "  whole finished history listed: $((browsable - killed)) ms after the kill"
grep -h "recovered\|serves .* finished" "$work/m2.log" | sed 's/^/  log: /' | tail -3
