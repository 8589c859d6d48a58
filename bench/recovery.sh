#!/usr/bin/env bash
# Recovery benchmark (see BENCHMARKS.md): a real ZooKeeper, two masters (2 s session) and one worker on loopback;
# N finished one-task jobs stored, then `kill -9` of the leader. Prints how long after the kill the standby
# answers REST as leader, and how long until the whole finished history is listed again.
# Usage: bench/recovery.sh [finished jobs, default 20000]
set -euo pipefail
n="${1:-20000}"
home="$(cd "$(dirname "$0")/.." && pwd)"
baton="$home/bin/baton"
work="$(mktemp -d /tmp/baton-recovery.XXXXXX)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now_ms() { date +%s%3N; }
zk_port=$(free_port); rest1=$(free_port); rest2=$(free_port)
"$baton" --version >/dev/null
export BATON_LOG_LEVEL=INFO
export BATON_ZK_SECRET="recovery-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
"$baton" zookeeper --port "$zk_port" --data-dir "$work/zk" >"$work/zk.log" 2>&1 & pids+=($!)
until grep -q "zookeeper listening" "$work/zk.log" 2>/dev/null; do sleep 0.2; done
"$baton" certs init --dir "$work/tls" >/dev/null
for m in m1 m2; do "$baton" certs master --dir "$work/tls" --name "$m" --host 127.0.0.1 >/dev/null; done
"$baton" certs worker --dir "$work/tls" --id w1 --host 127.0.0.1 >/dev/null
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
echo "  whole finished history listed: $((browsable - killed)) ms after the kill"
grep -h "recovered\|serves .* finished" "$work/m2.log" | sed 's/^/  log: /' | tail -3
